using System.Text;
using EdgeFence.ControlPlane.Webhooks;

namespace EdgeFence.ControlPlane.Tests.Webhooks;

/// <summary>The alert signature against the README's test vector (computed independently with Python's hmac).</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private const string Body = """{"id":"evt_0123456789abcdef","type":"balance.low","siteId":"site_1"}""";
    private const string Vector = "t=1700000000,v1=d51a99836121796c59e0249079f203f0ba9b17151685edd99d3232bb8b757131";

    [Fact]
    public void Signature_of_the_readme_test_vector_is_the_documented_header()
        => Assert.Equal(Vector, WebhookSignature.Header(Secret, 1_700_000_000, Encoding.UTF8.GetBytes(Body)));

    [Fact]
    public void Verification_refuses_a_changed_body_another_secret_and_an_old_timestamp()
    {
        var body = Encoding.UTF8.GetBytes(Body);
        Assert.True(WebhookSignature.Verify(Secret, Vector, body, 1_700_000_100, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, Vector, Encoding.UTF8.GetBytes(Body.Replace("site_1", "site_2", StringComparison.Ordinal)), 1_700_000_100, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", Vector, body, 1_700_000_100, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(Secret, Vector, body, 1_700_000_301, TimeSpan.FromMinutes(5)));

        // A rotated secret: any matching v1 passes.
        Assert.True(WebhookSignature.Verify(Secret, "t=1700000000,v1=00ff,v1=" + Vector.Split(",v1=")[1], body, 1_700_000_000, TimeSpan.FromMinutes(5)));
    }
}
