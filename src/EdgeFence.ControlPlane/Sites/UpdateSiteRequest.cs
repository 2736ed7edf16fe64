namespace EdgeFence.ControlPlane.Sites;

/// <summary>The body of <c>PATCH /v1/sites/{id}</c>: fields given replace the stored ones, fields left out stay.</summary>
public sealed class UpdateSiteRequest
{
    public string? Name { get; set; }
    public string? Slug { get; set; }
    public string? OriginUrl { get; set; }
    public List<string?>? Hosts { get; set; }
    public Dictionary<string, string?>? StaticHeaders { get; set; }
    public Dictionary<string, string?>? StaticQuery { get; set; }
    public bool? DenyByDefault { get; set; }
}
