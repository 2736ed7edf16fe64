using Microsoft.Extensions.Logging;

namespace EdgeFence.AspNetCore.Tests.Infrastructure;

/// <summary>One log call as <see cref="CollectingLoggerProvider"/> saw it.</summary>
public sealed record LoggedEvent(string Category, LogLevel Level, int EventId, string Message);
