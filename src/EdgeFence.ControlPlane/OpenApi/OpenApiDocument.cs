namespace EdgeFence.ControlPlane.OpenApi;

/// <summary>
/// The API's OpenAPI 3.1 document, hand-written and embedded (<c>OpenApi/openapi.json</c>), served at
/// <c>/openapi/v1.json</c>. Hand-written because the endpoints are plain request delegates that read and
/// write JSON through the source-generated context, which a generator cannot see into; a test checks that
/// every mapped route is in the document, so the two cannot drift apart unnoticed.
/// </summary>
internal static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";

    public static byte[] Load()
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("EdgeFence.ControlPlane.openapi.json")
            ?? throw new InvalidOperationException("the OpenAPI document is not embedded in the assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
