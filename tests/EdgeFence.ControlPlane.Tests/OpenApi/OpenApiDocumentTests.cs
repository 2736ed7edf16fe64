using System.Net;
using System.Text.Json;
using EdgeFence.ControlPlane.Tests.Infrastructure;

namespace EdgeFence.ControlPlane.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task Document_describes_exactly_the_routes_the_service_maps()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var response = await controlPlane.SendAsync(HttpMethod.Get, "/openapi/v1.json", null, bearer: null);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var document = response.Json;
        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());

        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(o => o.Name != "parameters").Select(o => (Method: o.Name.ToUpperInvariant(), Pattern: path.Name)))
            .ToHashSet();
        var mapped = controlPlane.Server.Routes.ToHashSet();

        Assert.NotEmpty(mapped);
        Assert.Empty(mapped.Except(documented));
        Assert.Empty(documented.Except(mapped));
    }

    [Fact]
    public async Task Every_operation_documents_its_answers_and_every_reference_resolves()
    {
        await using var controlPlane = await ControlPlaneHost.StartAsync();
        var text = (await controlPlane.SendAsync(HttpMethod.Get, "/openapi/v1.json", null, bearer: null)).Text;
        using var json = JsonDocument.Parse(text);
        var schemas = json.RootElement.GetProperty("components").GetProperty("schemas");

        foreach (var path in json.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                Assert.True(operation.Value.GetProperty("responses").EnumerateObject().Any(), $"{operation.Name} {path.Name} documents no response");
            }
        }

        foreach (var reference in System.Text.RegularExpressions.Regex.Matches(text, "\"#/components/schemas/([A-Za-z]+)\"").Select(m => m.Groups[1].Value).Distinct())
        {
            Assert.True(schemas.TryGetProperty(reference, out _), $"schema {reference} is referenced but not defined");
        }
    }
}
