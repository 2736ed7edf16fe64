namespace EdgeFence.Edge.Hosting;

/// <summary>Configuration the edge cannot start with. The message names the key, for one clear line at start.</summary>
public sealed class EdgeConfigurationException : Exception
{
    public EdgeConfigurationException(string key, string problem)
        : base($"{key}: {problem}")
    {
        Key = key;
    }

    public string Key { get; }
}
