using System.Security.Cryptography;
using EdgeFence.ControlPlane.Portal;

namespace EdgeFence.ControlPlane.Tests.Portal;

/// <summary>A portal link works until its expiry second and not at it; a link from another signing key never works.</summary>
public sealed class PortalLinkExpiryTests
{
    [Fact]
    public void A_link_opens_until_it_expires_and_is_refused_from_its_expiry_on()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var links = new PortalLinks(key, clock);
        var (link, expiresAt) = links.Create("site_1", "acme", TimeSpan.FromHours(1));
        Assert.Equal(clock.Now + TimeSpan.FromHours(1), expiresAt);

        Assert.Equal(("site_1", "acme"), links.Open(link));
        clock.Now = expiresAt - TimeSpan.FromSeconds(1);
        Assert.Equal(("site_1", "acme"), links.Open(link));
        clock.Now = expiresAt;
        Assert.Null(links.Open(link));
        clock.Now = expiresAt + TimeSpan.FromDays(365);
        Assert.Null(links.Open(link));

        // The same link checked by a control plane with another signing key: refused even before expiry.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        clock.Now = expiresAt - TimeSpan.FromMinutes(30);
        Assert.Null(new PortalLinks(otherKey, clock).Open(link));
        Assert.NotNull(new PortalLinks(key, clock).Open(link)); // the key, not the instance, is what signs
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d.e")]
    [InlineData("!!.!!.1.!!")]
    [InlineData("c2l0ZQ.YWNtZQ.-1.AAAA")]
    public void Malformed_links_are_refused_without_an_exception(string link)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Null(new PortalLinks(key, TimeProvider.System).Open(link));
        Assert.Null(new PortalLinks(key, TimeProvider.System).Open(new string('a', PortalLinks.MaxLength + 1)));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
