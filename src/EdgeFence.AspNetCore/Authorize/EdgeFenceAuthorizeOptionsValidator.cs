using Microsoft.Extensions.Options;

namespace EdgeFence.AspNetCore.Authorize;

/// <summary>Refuses options the middleware cannot work with, at start rather than on the first request.</summary>
internal sealed class EdgeFenceAuthorizeOptionsValidator : IValidateOptions<EdgeFenceAuthorizeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeFenceAuthorizeOptions options)
    {
        var errors = new List<string>();
        if (options.EdgeUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add("EdgeUrl must be an absolute http:// or https:// URL of the edge's public listener");
        }

        if (string.IsNullOrWhiteSpace(options.OriginKey))
        {
            errors.Add("OriginKey must be the site's origin key");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Timeout must be more than 0 and at most 5 minutes");
        }

        if (!Enum.IsDefined(options.FailurePolicy))
        {
            errors.Add("FailurePolicy must be FailClosed or FailOpen");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
