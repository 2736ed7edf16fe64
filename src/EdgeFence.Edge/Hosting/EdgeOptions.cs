namespace EdgeFence.Edge.Hosting;

/// <summary>The <c>EdgeFence</c> configuration section (appsettings, <c>EDGEFENCE__…</c> variables, command line).</summary>
public sealed class EdgeOptions
{
    public const string Section = "EdgeFence";

    /// <summary>Public listener URLs, ';'-separated.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Admin listener URLs (snapshot push, health), ';'-separated. Never the same as <see cref="Urls"/>.</summary>
    public string AdminUrls { get; set; } = "http://127.0.0.1:8081";

    /// <summary>This edge's name in counters and logs; defaults to the machine name.</summary>
    public string? NodeId { get; set; }

    /// <summary>Where the persisted snapshot and the FASTER counters live.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>Optional initial snapshot (MessagePack), with its signature in <c>&lt;path&gt;.sig</c>.</summary>
    public string? SnapshotPath { get; set; }

    /// <summary>PEM file with the control plane's ECDSA P-256 public key. Without it snapshots are accepted unsigned.</summary>
    public string? SnapshotPublicKey { get; set; }

    /// <summary>Control plane base URL: on start the edge pulls the latest snapshot from it. Bearer key for the pull: <see cref="ControlPlaneKey"/>.</summary>
    public string? ControlPlaneUrl { get; set; }

    public string? ControlPlaneKey { get; set; }

    /// <summary>Redis connection string for global quotas; empty runs standalone.</summary>
    public string? Redis { get; set; }

    /// <summary>Seconds between checkpoints of the counters.</summary>
    public int CheckpointIntervalSeconds { get; set; } = 5;

    /// <summary>Seconds an origin may stay silent before the edge answers 504.</summary>
    public int OriginTimeoutSeconds { get; set; } = 100;

    /// <summary>
    /// The engine that forwards plain HTTP/1.x requests to <c>http:</c> origins: <c>pipelines</c> (the edge's own,
    /// <c>Proxy/Upstream</c>) or <c>yarp</c>. Upgrades, HTTP/2 clients and TLS origins always go through YARP.
    /// </summary>
    public string Upstream { get; set; } = "pipelines";

    /// <summary>
    /// The fast path (<c>Proxy/Inbound</c>): plain HTTP/1.1 on the public listener is read by the edge's own strict
    /// parser in a connection middleware in front of Kestrel's HTTP layer and forwarded with the edge's upstream
    /// engine; HTTP/2, TLS, upgrades and every request it does not serve go to Kestrel's stack as before. Only with
    /// <see cref="Upstream"/> = <c>pipelines</c> (<c>yarp</c> means YARP for every request).
    /// </summary>
    public bool FastPath { get; set; } = true;

    /// <summary>
    /// Runs socket completions and the public listener's request processing inline on the socket I/O threads
    /// instead of hopping through the thread pool (Kestrel's <c>UnsafePreferInlineScheduling</c> plus
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, set before the first socket). Saves thread hops and
    /// context switches per request on the fast path (measured on the 2-core machine, paid requests: about 56 to 43 µs
    /// of the edge's CPU per request), and costs parallelism on Kestrel's stack, where one connection's HTTP/2 streams
    /// and TLS then share its I/O thread (h2c paid-vs-YARP 0.74-0.75 without, 0.63-0.70 with). Null (the default) is
    /// <see cref="UsesInlineScheduling"/>'s choice. Nothing on the request path may block with it on: the one place
    /// that can is CounterStore.Enforce waiting on FASTER for a counter record on disk (a store larger than memory,
    /// or right after recovery). Heavy work off the request path (snapshot verification on the admin listener, the
    /// decision log, checkpoints) runs on the thread pool either way.
    /// </summary>
    public bool? InlineScheduling { get; set; }

    /// <summary>
    /// Whether the public listener runs inline: as configured, else when the fast path serves it, which is when it
    /// is on (<see cref="FastPath"/> with the pipelines engine) and every public URL is plain http with HTTP/1.1
    /// among <c>Kestrel:EndpointDefaults:Protocols</c>. TLS and HTTP/2-only listeners are Kestrel's stack, and stay
    /// on the thread pool.
    /// </summary>
    public bool UsesInlineScheduling(string? endpointProtocols, IEnumerable<string> publicUrls)
        => InlineScheduling ?? (FastPath && Upstream == "pipelines"
            && (string.IsNullOrEmpty(endpointProtocols) || endpointProtocols.Contains("Http1", StringComparison.OrdinalIgnoreCase))
            && publicUrls.All(url => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Largest snapshot the admin listener accepts, in MiB.</summary>
    public int MaxSnapshotMiB { get; set; } = 512;

    /// <summary>Expected number of entitlements, to size the counter store's index.</summary>
    public int ExpectedEntitlements { get; set; } = 100_000;

    /// <summary>Decision records that may wait for the writer; beyond it records are dropped (and counted), never requests slowed.</summary>
    public int DecisionLogCapacity { get; set; } = 65_536;

    /// <summary>Console log format: <c>text</c> or <c>json</c>.</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>Milliseconds between pushes of changed counts to Redis.</summary>
    public int SyncIntervalMs { get; set; } = 50;

    /// <summary>
    /// Units by which all edges together may exceed a hard quota while Redis is unreachable (each edge
    /// gets MaxOverAdmission / EdgeCount). While Redis answers, leases keep the total within the quota.
    /// </summary>
    public long MaxOverAdmission { get; set; } = 10;

    /// <summary>How many edges share the Redis ledger; divides MaxOverAdmission and sizes lease slices.</summary>
    public int EdgeCount { get; set; } = 1;

    /// <summary>Largest lease slice one edge takes at once.</summary>
    public long MaxLeaseSlice { get; set; } = 1000;

    /// <summary>
    /// Micro-units by which all edges together may overspend one prepaid balance while Redis is
    /// unreachable (each edge gets MaxBalanceOverspendMicros / EdgeCount). While Redis answers no balance
    /// goes below zero. Default: one unit of the currency.
    /// </summary>
    public long MaxBalanceOverspendMicros { get; set; } = 1_000_000;

    /// <summary>Largest slice of a balance one edge leases at once, in micro-units (default: ten units of the currency).</summary>
    public long MaxBalanceLeaseMicros { get; set; } = 10_000_000;

    /// <summary>Longest a request waits for a lease before Redis is treated as down (the uncommon case: prefetch normally keeps a lease ready).</summary>
    public int LeaseTimeoutMs { get; set; } = 100;

    /// <summary>Longest an x402 facilitator's <c>/verify</c> may take before the call is a 503 with Retry-After (ms).</summary>
    public int X402VerifyTimeoutMs { get; set; } = 5_000;

    /// <summary>Longest an x402 facilitator's <c>/settle</c> may take (it waits for the chain's receipt) before the call is a 503 (ms).</summary>
    public int X402SettleTimeoutMs { get; set; } = 30_000;

    /// <summary>Settled x402 payments remembered against replay until they expire (each about 100 bytes).</summary>
    public int X402ReplayGuardEntries { get; set; } = 200_000;

    /// <summary>
    /// Also append every decision to the site's Redis stream <c>ef:{&lt;site&gt;}:decisions</c> (one <c>XADD</c> per
    /// request; off by default: the NDJSON files are the per-request log, the rollups the analytics).
    /// </summary>
    public bool DecisionLogRedisStream { get; set; }

    /// <summary>Aggregate decisions per minute and send the rollups to the control plane (needs <see cref="ControlPlaneUrl"/>).</summary>
    public bool Analytics { get; set; } = true;

    /// <summary>Seconds between rollup flushes to the control plane.</summary>
    public int AnalyticsFlushSeconds { get; set; } = 10;

    /// <summary>Most MiB of rollup batches kept on disk while the control plane is unreachable (the oldest go first).</summary>
    public int AnalyticsSpoolMaxMiB { get; set; } = 256;
    /// The Redis stream (on <see cref="Redis"/>) the control plane writes signed revocations, credits and heartbeats
    /// to (control plane: <c>ControlPlane:ChannelStream</c>). Followed only when a <see cref="SnapshotPublicKey"/> is
    /// set: unsigned entries would let anyone who can write to Redis credit balances.
    /// </summary>
    public string ChannelStream { get; set; } = "edgefence:channel";

    /// <summary>Milliseconds between two reads of the channel stream: the largest part of a revocation's propagation time when pushes fail.</summary>
    public int ChannelPollMs { get; set; } = 100;

    /// <summary>
    /// Seconds after which an edge that has heard neither from the control plane (a snapshot or wallet book applied)
    /// nor from the channel (any signed entry, heartbeats every 5 s included) applies <see cref="StaleConfigPolicy"/>
    /// to enforced resources. 0 (default): off.
    /// </summary>
    public int MaxConfigAgeSeconds { get; set; }

    /// <summary>What a stale edge does on enforced resources: <c>serve</c> (keep deciding from what it has) or <c>refuse</c> (503).</summary>
    public string StaleConfigPolicy { get; set; } = "serve";
}
