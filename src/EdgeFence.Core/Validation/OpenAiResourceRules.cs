using EdgeFence.Core.Model;

namespace EdgeFence.Core.Validation;

/// <summary>The snapshot validator's checks of a resource's OpenAI settings; errors name the field under <c>at</c>.</summary>
public static class OpenAiResourceRules
{
    public static void Check(List<string> errors, string at, Resource resource)
    {
        bool openAi = resource.Kind == ResourceKind.OpenAi;
        if (!openAi)
        {
            // Settings on a resource that never reads them are a mistake the operator should hear about.
            if (resource.OpenAiPrices.Count > 0)
            {
                errors.Add($"{at}.openAiPrices: only an OpenAI resource prices models");
            }

            if (resource.OpenAiDefaultMaxTokens != 0 || resource.OpenAiUserHeader is not null || resource.OpenAiBalanceAsMessage || resource.OpenAiOriginUsageHeader is not null)
            {
                errors.Add($"{at}.kind: OpenAI settings need kind openai");
            }

            return;
        }

        if (resource.OpenAiPrices.Count > OpenAiDefaults.MaxModels)
        {
            errors.Add($"{at}.openAiPrices: {resource.OpenAiPrices.Count} models exceed the limit of {OpenAiDefaults.MaxModels}");
        }

        var models = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < resource.OpenAiPrices.Count; i++)
        {
            var price = resource.OpenAiPrices[i];
            var field = $"{at}.openAiPrices[{i}]";
            if (!IsModelName(price.Model))
            {
                errors.Add($"{field}.model: must be 1-{OpenAiDefaults.MaxModelLength} printable ASCII characters without spaces");
            }
            else if (!models.Add(price.Model))
            {
                errors.Add($"{field}.model: '{price.Model}' is priced twice");
            }

            if (price.InputMicrosPer1K is < 0 or > OpenAiDefaults.MaxMicrosPer1K)
            {
                errors.Add($"{field}.inputMicrosPer1K: must be 0-{OpenAiDefaults.MaxMicrosPer1K}");
            }

            if (price.OutputMicrosPer1K is < 0 or > OpenAiDefaults.MaxMicrosPer1K)
            {
                errors.Add($"{field}.outputMicrosPer1K: must be 0-{OpenAiDefaults.MaxMicrosPer1K}");
            }
        }

        if (resource.OpenAiDefaultMaxTokens < 0 || resource.OpenAiDefaultMaxTokens > OpenAiDefaults.MaxTokenCount)
        {
            errors.Add($"{at}.openAiDefaultMaxTokens: must be 0-{OpenAiDefaults.MaxTokenCount}");
        }

        if (resource.OpenAiUserHeader is not null && !IsHeaderName(resource.OpenAiUserHeader))
        {
            errors.Add($"{at}.openAiUserHeader: must be an HTTP header name (RFC 9110 token), at most 64 characters");
        }

        if (resource.OpenAiOriginUsageHeader is not null && !IsHeaderName(resource.OpenAiOriginUsageHeader))
        {
            errors.Add($"{at}.openAiOriginUsageHeader: must be an HTTP header name (RFC 9110 token), at most 64 characters");
        }
    }

    /// <summary>Model ids are compared ordinally with the body's <c>model</c>; printable ASCII keeps logs and keys clean.</summary>
    public static bool IsModelName(string? model)
    {
        if (string.IsNullOrEmpty(model) || model.Length > OpenAiDefaults.MaxModelLength)
        {
            return false;
        }

        foreach (var c in model)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An RFC 9110 token: the only shape a request header name can have.</summary>
    public static bool IsHeaderName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
