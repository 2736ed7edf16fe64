using EdgeFence.Edge.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeFence.Edge.OpenAi;

/// <summary>The log lines of OpenAI-compatible metering (EventIds 820-829).</summary>
internal static partial class OpenAiLog
{
    [LoggerMessage(EventIds.OpenAiSettled, LogLevel.Debug, "OpenAI call {RequestId}: reserved {ReservedMicros}, usage {PromptTokens}+{CompletionTokens} tokens, charged {ChargedMicros} micros")]
    public static partial void Settled(ILogger logger, string requestId, long reservedMicros, long promptTokens, long completionTokens, long chargedMicros);

    [LoggerMessage(EventIds.OpenAiUsageMissing, LogLevel.Information, "OpenAI call {RequestId}: no usage in the response ({Why}); charged the reservation of {ReservedMicros} micros")]
    public static partial void UsageMissing(ILogger logger, string requestId, string why, long reservedMicros);

    [LoggerMessage(EventIds.OpenAiUsageCapped, LogLevel.Warning, "OpenAI call {RequestId}: the origin reported token counts out of bounds; capped at {MaxTokens}")]
    public static partial void UsageCapped(ILogger logger, string requestId, long maxTokens);

    [LoggerMessage(EventIds.OpenAiOverReservation, LogLevel.Warning, "OpenAI call {RequestId}: usage costs {ActualMicros} micros, over the reservation of {ReservedMicros}; charged {ChargedMicros}")]
    public static partial void OverReservation(ILogger logger, string requestId, long actualMicros, long reservedMicros, long chargedMicros);

    [LoggerMessage(EventIds.OpenAiUsageNotAsked, LogLevel.Information, "OpenAI call {RequestId}: a stream without stream_options.include_usage ended without usage; charged the reservation of {ReservedMicros} micros (the edge does not rewrite request bodies: see OpenAiMeteredCall)")]
    public static partial void UsageNotAsked(ILogger logger, string requestId, long reservedMicros);

    [LoggerMessage(EventIds.OpenAiOriginReported, LogLevel.Debug, "OpenAI call {RequestId}: settled from the usage the trusted origin reported in a response {Where}")]
    public static partial void OriginReported(ILogger logger, string requestId, string where);

    [LoggerMessage(EventIds.OpenAiRefused, LogLevel.Debug, "OpenAI call {RequestId} refused: {Status} {Problem}")]
    public static partial void Refused(ILogger logger, string requestId, int status, string problem);
}
