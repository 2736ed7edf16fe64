namespace EdgeFence.ControlPlane.Resources;

/// <summary>The body of <c>POST /v1/sites/{id}/resources</c>.</summary>
public sealed class CreateResourceRequest
{
    /// <summary>Literal segments, <c>*</c> for one segment, a trailing <c>/*</c> for everything below.</summary>
    public string? Pattern { get; set; }

    /// <summary>HTTP methods; empty or left out means all.</summary>
    public List<string?>? Methods { get; set; }

    /// <summary>Units one request costs; default 1.</summary>
    public long? Cost { get; set; }

    /// <summary>Path at the origin, same shape as the pattern; left out forwards the public path.</summary>
    public string? PrivatePath { get; set; }
}
