namespace EdgeFence.ControlPlane.Hosting;

/// <summary>The <c>ControlPlane</c> configuration section (appsettings, <c>CONTROLPLANE__…</c> variables, command line).</summary>
public sealed class ControlPlaneOptions
{
    public const string Section = "ControlPlane";

    /// <summary>Listener URLs, ';'-separated.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8090";

    /// <summary>The SQLite database file; created, and its schema migrated, on start.</summary>
    public string Database { get; set; } = "controlplane.db";

    /// <summary>Bearer key for the API. Required; give it through the environment, where <c>ps</c> does not show it.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Bearer key with which edges may only read <c>GET /v1/snapshot</c> (their pull on start). Optional:
    /// without it only the admin key reads snapshots, and edges would need the admin key to pull.
    /// </summary>
    public string? EdgeKey { get; set; }

    /// <summary>PEM file with the ECDSA P-256 private key snapshots are signed with; generated on first start if missing.</summary>
    public string SigningKey { get; set; } = "keys/snapshot-signing.pem";

    /// <summary>Edge admin listener URLs snapshots are pushed to, ';'-separated.</summary>
    public string? Edges { get; set; }

    /// <summary>StackExchange.Redis connection string of the edges' shared ledger, to read usage from; empty: no usage.</summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The Redis stream (on <see cref="Redis"/>) that carries signed revocations, credits and heartbeats to the edges
    /// when pushes cannot reach them (edges: <c>EdgeFence:ChannelStream</c>).
    /// </summary>
    public string ChannelStream { get; set; } = "edgefence:channel";

    /// <summary>Longest wait between two push attempts to an edge that fails, in seconds.</summary>
    public int PushRetryMaxSeconds { get; set; } = 30;

    /// <summary>How long a change waits for the edges to take its snapshot before it answers, in milliseconds.</summary>
    public int PushWaitMilliseconds { get; set; } = 1500;

    /// <summary>Console log format: <c>text</c> or <c>json</c>.</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>
    /// Where <c>GET /v1/sites/{id}/stats</c> counts from: <c>rollups</c> (the edges' per-minute aggregates, the
    /// default) or <c>stream</c> (the Redis decision streams, for edges with <c>EdgeFence:DecisionLogRedisStream</c>).
    /// </summary>
    public string StatsSource { get; set; } = "rollups";

    /// <summary>How often alerts (webhooks) are checked for and due deliveries tried, in seconds.</summary>
    public int AlertIntervalSeconds { get; set; } = 30;

    /// <summary>First retry delay of a failed webhook delivery, in seconds; doubled each time, at most an hour, for a day.</summary>
    public int WebhookRetrySeconds { get; set; } = 30;

    /// <summary><c>balance.low</c> fires when a balance falls under this many micro-units of its currency.</summary>
    public long LowBalanceMicros { get; set; } = 1_000_000;

    /// <summary><c>traffic.spike</c> fires when a minute has more than this many times the trailing hour's mean per minute...</summary>
    public double TrafficSpikeFactor { get; set; } = 5;

    /// <summary>...and at least this many requests (a quiet site's noise is not a spike).</summary>
    public long TrafficSpikeMinRequests { get; set; } = 100;
}
