using System.ClientModel.Primitives;
using System.Collections.Concurrent;

namespace EdgeFence.Edge.Tests.OpenAi;

/// <summary>An SDK pipeline policy that keeps the response headers of every call, streaming ones included.</summary>
public sealed class ResponseHeaderRecorder : PipelinePolicy
{
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Responses { get; } = new();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        Record(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex);
        Record(message);
    }

    private void Record(PipelineMessage message)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in message.Response!.Headers)
        {
            headers[name] = value;
        }

        Responses.Enqueue(headers);
    }
}
