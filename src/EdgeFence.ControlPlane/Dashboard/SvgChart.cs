using System.Globalization;

namespace EdgeFence.ControlPlane.Dashboard;

/// <summary>
/// Charts drawn on the server as inline SVG: no chart library, no CDN, nothing to load. Colours are presentation
/// attributes (the pages' Content-Security-Policy allows no inline styles).
/// </summary>
internal static class SvgChart
{
    private const int Width = 720;
    private const int Height = 200;
    private const int Left = 48;
    private const int Bottom = 24;

    /// <summary>Requests per bucket as bars, their denied part in a second colour; each bar titled with its numbers.</summary>
    public static void Traffic(Html html, IReadOnlyList<TrafficPoint> points, string id)
    {
        var max = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.Requests));
        var plot = Width - Left - 8;
        var barWidth = points.Count == 0 ? 0 : (double)plot / points.Count;
        html.Raw(F($"<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"requests and denials over time\" xmlns=\"http://www.w3.org/2000/svg\">"));
        Axis(html, max);
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var x = Left + (i * barWidth) + 1;
            var h = (Height - Bottom - 10) * (double)p.Requests / max;
            var d = (Height - Bottom - 10) * (double)p.Denied / max;
            var start = DateTimeOffset.FromUnixTimeMilliseconds(p.StartMs).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
            html.Raw(F($"<g class=\"bar\" data-start=\"{start}\" data-requests=\"{p.Requests}\" data-denied=\"{p.Denied}\"><title>{start}: {p.Requests:N0} requests, {p.Denied:N0} denied</title>"));
            html.Raw(F($"<rect x=\"{x:0.#}\" y=\"{Height - Bottom - h:0.#}\" width=\"{Math.Max(1, barWidth - 2):0.#}\" height=\"{h:0.#}\" fill=\"#4f7bd9\"/>"));
            html.Raw(F($"<rect x=\"{x:0.#}\" y=\"{Height - Bottom - d:0.#}\" width=\"{Math.Max(1, barWidth - 2):0.#}\" height=\"{d:0.#}\" fill=\"#d9534f\"/></g>"));
        }

        if (points.Count > 0)
        {
            html.Raw(F($"<text x=\"{Left}\" y=\"{Height - 6}\" font-size=\"11\" fill=\"#666\" class=\"tick\" data-time=\"{DateTimeOffset.FromUnixTimeMilliseconds(points[0].StartMs):yyyy-MM-dd'T'HH:mm:ss'Z'}\">24 h ago</text>"));
            html.Raw(F($"<text x=\"{Width - 8}\" y=\"{Height - 6}\" font-size=\"11\" fill=\"#666\" text-anchor=\"end\">now</text>"));
        }

        html.Raw("</svg><div class=\"legend\"><span class=\"sw req\"></span>requests <span class=\"sw den\"></span>denied</div>");
    }

    /// <summary>One column per label (the plan page's quota utilization distribution).</summary>
    public static void Columns(Html html, IReadOnlyList<(string Label, int Count)> columns, string id)
    {
        var max = Math.Max(1, columns.Count == 0 ? 1 : columns.Max(c => c.Count));
        var plot = Width - Left - 8;
        var w = columns.Count == 0 ? 0 : (double)plot / columns.Count;
        html.Raw(F($"<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"customers by quota used\" xmlns=\"http://www.w3.org/2000/svg\">"));
        Axis(html, max);
        string[] colours = ["#5cb85c", "#f0ad4e", "#e67e22", "#d9534f"];
        for (var i = 0; i < columns.Count; i++)
        {
            var h = (Height - Bottom - 10) * (double)columns[i].Count / max;
            var x = Left + (i * w) + 8;
            html.Raw(F($"<g class=\"column\" data-count=\"{columns[i].Count}\"><title>{columns[i].Count} customers</title><rect x=\"{x:0.#}\" y=\"{Height - Bottom - h:0.#}\" width=\"{w - 16:0.#}\" height=\"{h:0.#}\" fill=\"{colours[i % colours.Length]}\"/>"));
            html.Raw(F($"<text x=\"{x + ((w - 16) / 2):0.#}\" y=\"{Height - Bottom - h - 4:0.#}\" font-size=\"12\" text-anchor=\"middle\">{columns[i].Count}</text></g>"));
            html.Raw(F($"<text x=\"{x + ((w - 16) / 2):0.#}\" y=\"{Height - 6}\" font-size=\"11\" fill=\"#666\" text-anchor=\"middle\">")).Text(columns[i].Label).Raw("</text>");
        }

        html.Raw("</svg>");
    }

    private static void Axis(Html html, long max)
    {
        html.Raw(F($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - 8}\" y2=\"{Height - Bottom}\" stroke=\"#999\"/>"));
        html.Raw(F($"<text x=\"{Left - 6}\" y=\"16\" font-size=\"11\" fill=\"#666\" text-anchor=\"end\">{max:N0}</text>"));
        html.Raw(F($"<text x=\"{Left - 6}\" y=\"{Height - Bottom}\" font-size=\"11\" fill=\"#666\" text-anchor=\"end\">0</text>"));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
