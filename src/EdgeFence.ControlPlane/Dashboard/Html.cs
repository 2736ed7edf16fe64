using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// Builds the dashboard's and the portal's HTML on the server. Every value from the database or a request goes
/// through <see cref="Text"/> (HTML-encoded): a customer named <c>&lt;script&gt;</c> is shown, never run. Numbers
/// and times are written formatted (invariant) and tagged so <c>dashboard.js</c> re-formats them in the viewer's
/// locale and time zone (<c>Intl</c>).
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _text = new();

    public Html Raw(string html)
    {
        _text.Append(html);
        return this;
    }

    public Html Text(string? value)
    {
        _text.Append(HtmlEncoder.Default.Encode(value ?? ""));
        return this;
    }

    /// <summary>A count, formatted in the viewer's locale by the script.</summary>
    public Html Number(long value)
        => Raw("<span class=\"num\" data-num=\"").Raw(value.ToString(CultureInfo.InvariantCulture)).Raw("\">").Raw(value.ToString("N0", CultureInfo.InvariantCulture)).Raw("</span>");

    public Html NumberOrUnknown(long? value) => value is { } v ? Number(v) : Raw("<span class=\"unknown\" title=\"not known: no Redis\">?</span>");

    /// <summary>Micro-units of a currency as the amount (<c>12.34 USD</c>), formatted as currency by the script.</summary>
    public Html Money(long micros, string currency)
    {
        var amount = micros / 1_000_000m;
        return Raw("<span class=\"money\" data-micros=\"").Raw(micros.ToString(CultureInfo.InvariantCulture)).Raw("\" data-currency=\"").Text(currency).Raw("\">")
            .Text(amount.ToString("#,0.00####", CultureInfo.InvariantCulture) + " " + currency).Raw("</span>");
    }

    public Html Money(IReadOnlyList<Money> amounts)
    {
        if (amounts.Count == 0)
        {
            return Raw("<span class=\"money none\">0</span>");
        }

        for (var i = 0; i < amounts.Count; i++)
        {
            Raw(i == 0 ? "" : "<br>").Money(amounts[i].Micros, amounts[i].Currency);
        }

        return this;
    }

    /// <summary>A UTC time, shown in the viewer's zone by the script.</summary>
    public Html Time(DateTimeOffset? time)
    {
        if (time is not { } t)
        {
            return Raw("<span class=\"unknown\">never</span>");
        }

        var iso = t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return Raw("<time datetime=\"").Raw(iso).Raw("\">").Raw(iso.Replace('T', ' ')).Raw("</time>");
    }

    public Html Link(string href, string text) => Raw("<a href=\"").Text(href).Raw("\">").Text(text).Raw("</a>");

    /// <summary>A card with a label and a value written by <paramref name="value"/>.</summary>
    public Html Card(string label, string id, Action<Html> value)
    {
        Raw("<div class=\"card\" id=\"").Text(id).Raw("\"><div class=\"label\">").Text(label).Raw("</div><div class=\"value\">");
        value(this);
        return Raw("</div></div>");
    }

    public override string ToString() => _text.ToString();

    public static string Path(params string[] segments) => string.Concat(segments.Select(s => s.StartsWith('/') ? s : "/" + Uri.EscapeDataString(s)));
}
