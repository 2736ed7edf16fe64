using EdgeFence.Core.Model;
using Microsoft.AspNetCore.Http;

namespace EdgeFence.Edge.OpenAi;

/// <summary>
/// The end user of an OpenAI-compatible call: the body's top-level <c>user</c>, or the resource's user header
/// (<see cref="Resource.OpenAiUserHeader"/>, default <c>X-EdgeFence-User</c>), or Paywalls' <c>X-Paywall-User</c>.
/// <para>
/// One app token then serves many end users, each with their own balance and limits: the balance is the wallet of
/// customer <c>&lt;token's customer&gt;:&lt;user&gt;</c> on the token's site (<see cref="AccountOf"/>), and the quota and
/// rate limit are counted per token and user (Enforcement/EndUserAccount.cs). Why the token's customer and not the
/// user id alone: two apps on one site may both have a user <c>alice</c>, and one app's key must never spend
/// another app's user's money. Why <c>:</c>: the id goes into the control plane's deposit path
/// (<c>POST /v1/customers/chat%20co:alice/deposits</c>), where <c>/</c> would need <c>%2F</c>, which routing does not
/// decode; the user id cannot hold a <c>:</c>, so the split at the last one is unambiguous.
/// </para>
/// </summary>
internal static class OpenAiEndUser
{
    /// <summary>
    /// Longest end-user id (a SHA-256 in hex, a UUID and most e-mail addresses fit). Threat: key-space blowup, since
    /// every id is a counter record, a Redis key and a field of every log line of its calls; and long ids padding logs.
    /// </summary>
    public const int MaxLength = 64;

    /// <summary>Between the token's customer and the end user in the balance's customer id.</summary>
    public const char Separator = ':';

    /// <summary>The customer id of an end user's balance (and of the decision log line, and the origin's X-EdgeFence-Customer).</summary>
    public static string AccountOf(string customer, string user) => string.Concat(customer, ":", user);

    /// <summary>
    /// Letters, digits and <c>. _ - @ +</c> only. Threat: log injection (no CR, LF, quotes or control characters can
    /// reach a log line or a header) and ids that look alike but key differently (no spaces, no non-ASCII).
    /// </summary>
    public static bool IsValid(ReadOnlySpan<char> user)
    {
        if (user.IsEmpty || user.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in user)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The call's end user, null when neither the body nor a header names one (the token's own balance pays). A header
    /// sent twice, two headers or a header and the body that disagree are refused (<paramref name="problem"/>): the
    /// origin may read the other one, and the edge would charge one user for another's call.
    /// </summary>
    public static string? Resolve(IHeaderDictionary headers, Resource resource, string? bodyUser, out string? problem)
    {
        problem = null;
        var user = bodyUser;
        var from = user is null ? null : "the body's user";
        foreach (var name in (ReadOnlySpan<string>)[resource.OpenAiUserHeader ?? OpenAiDefaults.UserHeader, OpenAiDefaults.UserHeaderAlias])
        {
            var values = headers[name];
            if (values.Count == 0)
            {
                continue;
            }

            if (values.Count > 1)
            {
                problem = $"the {name} header must appear once";
                return null;
            }

            if (user is null)
            {
                user = values[0];
                from = name;
            }
            else if (!string.Equals(user, values[0], StringComparison.Ordinal))
            {
                problem = $"{from} and the {name} header name different end users";
                return null;
            }
        }

        if (user is not null && !IsValid(user))
        {
            problem = $"the end user id must be 1-{MaxLength} ASCII letters, digits or . _ - @ +";
            return null;
        }

        return user;
    }
}
