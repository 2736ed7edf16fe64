namespace EdgeFence.ControlPlane.Hosting;

/// <summary>Configuration the control plane cannot start with. The message names the key, for one clear line at start.</summary>
public sealed class ControlPlaneConfigurationException : Exception
{
    public ControlPlaneConfigurationException(string key, string problem)
        : base($"{key}: {problem}")
    {
        Key = key;
    }

    public string Key { get; }
}
