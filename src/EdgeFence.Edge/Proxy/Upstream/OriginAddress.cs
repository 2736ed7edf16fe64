namespace EdgeFence.Edge.Proxy.Upstream;

/// <summary>
/// A site's origin as the engine needs it: where to connect and its authority. (The origin URL's own path is
/// part of <see cref="ForwardTransform.PathAndQuery"/>.) Only <c>http:</c> origins: TLS to the origin stays
/// on the YARP engine.
/// </summary>
internal sealed class OriginAddress
{
    private OriginAddress(string host, int port, string authority, string pathBase)
    {
        PathBase = pathBase;
        Host = host;
        Port = port;
        Authority = authority;
    }

    /// <summary>Host name or IP literal (without brackets) to connect to.</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>The origin's authority, host[:port] with the port left out when it is 80: the Host header when the client sent none.</summary>
    public string Authority { get; }

    /// <summary>The origin URL's path without the trailing slash ("" for none): what the fast path puts before the forwarded path, as YARP does.</summary>
    public string PathBase { get; }

    /// <summary>Parses an origin prefix (a site's origin URL without the trailing slash); null when the engine cannot serve it.</summary>
    public static OriginAddress? TryCreate(string originPrefix)
    {
        if (!Uri.TryCreate(originPrefix, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.IdnHost;
        var pathBase = uri.AbsolutePath.TrimEnd('/');
        return new OriginAddress(host, uri.Port, uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), pathBase);
    }
}
