using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// The dashboard's logins: a random 256-bit session id in an HttpOnly cookie, held here only as its SHA-256 with an
/// expiry and a CSRF token. Kept in memory, so a restart logs everyone out (the secret is random per process, never
/// on disk). Every form carries the session's CSRF token and every POST compares it in constant time.
/// </summary>
internal sealed class DashboardSessions
{
    public const string CookieName = "ef_dashboard";

    /// <summary>How long a login lasts without a new one.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>
    /// Most live sessions: each login (which needs the admin key) costs memory, so a script logging in again and
    /// again with a leaked key cannot grow the process without bound; the oldest are dropped first.
    /// </summary>
    public const int MaxSessions = 1000;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public DashboardSessions(TimeProvider time) => _time = time;

    /// <summary>A new session: the cookie value (given to the browser only) and its CSRF token.</summary>
    public (string CookieValue, string Csrf) Create()
    {
        var now = _time.GetUtcNow();
        foreach (var expired in _sessions.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList())
        {
            _sessions.TryRemove(expired, out _);
        }

        while (_sessions.Count >= MaxSessions)
        {
            var oldest = _sessions.OrderBy(p => p.Value.ExpiresAt).First().Key;
            _sessions.TryRemove(oldest, out _);
        }

        var value = Base64Url(RandomNumberGenerator.GetBytes(32));
        var csrf = Base64Url(RandomNumberGenerator.GetBytes(32));
        _sessions[Hash(value)] = new Session(now + Lifetime, csrf);
        return (value, csrf);
    }

    /// <summary>The CSRF token of a live session, or null when the cookie names none.</summary>
    public string? Find(string? cookieValue)
    {
        if (string.IsNullOrEmpty(cookieValue) || cookieValue.Length > 128)
        {
            return null;
        }

        var key = Hash(cookieValue);
        if (!_sessions.TryGetValue(key, out var session))
        {
            return null;
        }

        if (session.ExpiresAt <= _time.GetUtcNow())
        {
            _sessions.TryRemove(key, out _);
            return null;
        }

        return session.Csrf;
    }

    public void End(string? cookieValue)
    {
        if (!string.IsNullOrEmpty(cookieValue) && cookieValue.Length <= 128)
        {
            _sessions.TryRemove(Hash(cookieValue), out _);
        }
    }

    /// <summary>Constant-time comparison of a submitted CSRF token with the session's.</summary>
    public static bool CsrfMatches(string expected, string? submitted)
        => submitted is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(submitted));

    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Session(DateTimeOffset ExpiresAt, string Csrf);
}
