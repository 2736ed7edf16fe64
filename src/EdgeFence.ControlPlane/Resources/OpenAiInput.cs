using EdgeFence.ControlPlane.Validation;
using EdgeFence.Core.Model;
using EdgeFence.Core.Validation;

namespace EdgeFence.ControlPlane.Resources;

/// <summary>
/// A resource request's OpenAI settings. They belong to <c>kind: openai</c> only: on any other kind each is a 400
/// naming it, so a typo in <c>kind</c> cannot silently turn a metered model API into a flat-priced path.
/// </summary>
internal static class OpenAiInput
{
    public static OpenAiTerms Terms(RequestErrors errors, CreateResourceRequest request, ResourceKind kind)
    {
        if (kind != ResourceKind.OpenAi)
        {
            NotOpenAi(errors, request.OpenAiPrices is not null, "openAiPrices");
            NotOpenAi(errors, request.OpenAiDefaultMaxTokens is not null, "openAiDefaultMaxTokens");
            NotOpenAi(errors, request.OpenAiUserHeader is not null, "openAiUserHeader");
            NotOpenAi(errors, request.OpenAiBalanceAsMessage is not null, "openAiBalanceAsMessage");
            NotOpenAi(errors, request.OpenAiOriginUsageHeader is not null, "openAiOriginUsageHeader");
            return OpenAiTerms.None;
        }

        var prices = Prices(errors, request.OpenAiPrices);
        int maxTokens = 0;
        if (request.OpenAiDefaultMaxTokens is { } requested)
        {
            if (requested is < 1 or > OpenAiDefaults.MaxTokenCount)
            {
                errors.Add("openAiDefaultMaxTokens", $"must be 1-{OpenAiDefaults.MaxTokenCount}");
            }
            else
            {
                maxTokens = (int)requested;
            }
        }

        if (request.OpenAiUserHeader is { } header && !OpenAiResourceRules.IsHeaderName(header))
        {
            errors.Add("openAiUserHeader", "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), at most 64 characters");
        }

        if (request.OpenAiOriginUsageHeader is { } usageHeader && !OpenAiResourceRules.IsHeaderName(usageHeader))
        {
            errors.Add("openAiOriginUsageHeader", "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), at most 64 characters");
        }

        return new OpenAiTerms(prices, maxTokens, request.OpenAiUserHeader, request.OpenAiBalanceAsMessage ?? false, request.OpenAiOriginUsageHeader);
    }

    private static List<OpenAiModelPrice> Prices(RequestErrors errors, List<OpenAiModelPriceRequest?>? requested)
    {
        var prices = new List<OpenAiModelPrice>();
        if (requested is null)
        {
            return prices;
        }

        if (requested.Count > OpenAiDefaults.MaxModels)
        {
            errors.Add("openAiPrices", $"at most {OpenAiDefaults.MaxModels} models");
            return prices;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < requested.Count; i++)
        {
            var field = $"openAiPrices[{i}]";
            if (requested[i] is not { } item)
            {
                errors.Add(field, "must be an object");
                continue;
            }

            var model = item.Model ?? "";
            if (!OpenAiResourceRules.IsModelName(model))
            {
                errors.Add(field + ".model", $"required: 1-{OpenAiDefaults.MaxModelLength} printable ASCII characters without spaces");
            }
            else if (!seen.Add(model))
            {
                errors.Add(field + ".model", $"'{model}' is priced twice");
            }

            var input = Per1K(errors, item.InputPer1K, field + ".inputPer1K");
            var output = Per1K(errors, item.OutputPer1K, field + ".outputPer1K");
            prices.Add(new OpenAiModelPrice(model, input, output));
        }

        return prices;
    }

    private static long Per1K(RequestErrors errors, decimal? price, string field)
    {
        var micros = PriceInput.Micros(errors, price, field);
        if (micros > OpenAiDefaults.MaxMicrosPer1K)
        {
            // Keeps tokens × price within a long at the edge (see OpenAiDefaults.MaxTokenCount).
            errors.Add(field, $"must be at most {OpenAiDefaults.MaxMicrosPer1K / 1_000_000} per 1K tokens");
            return 0;
        }

        return micros;
    }

    private static void NotOpenAi(RequestErrors errors, bool present, string field)
    {
        if (present)
        {
            errors.Add(field, "only a resource of kind openai takes it");
        }
    }
}
