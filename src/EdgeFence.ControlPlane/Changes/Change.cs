using EdgeFence.ControlPlane.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Changes;

/// <summary>
/// One change to the configuration, inside its transaction. Everything a change writes goes through
/// <see cref="Command"/>, so it commits or rolls back with the snapshot that describes it.
/// </summary>
internal sealed class Change
{
    public Change(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
    {
        Connection = connection;
        Transaction = transaction;
        Now = now;
    }

    public SqliteConnection Connection { get; }
    public SqliteTransaction Transaction { get; }
    public DateTimeOffset Now { get; }
    public long NowUnix => Now.ToUnixTimeSeconds();

    /// <summary>
    /// The id of the entity this change creates or updates. The snapshot lists it after the others of its kind,
    /// so when the validator finds a clash (a host another site has, an overlapping pattern) it reports it on
    /// this entity, whose fields are the request's.
    /// </summary>
    public string? Focus { get; set; }

    /// <summary>Set when the request turned out to change nothing (revoking a revoked token): no new snapshot version.</summary>
    public bool Unchanged { get; set; }

    /// <summary>Set by a change that must be sent as a full snapshot whatever it touched (the first one, a re-signing).</summary>
    public bool RequireFullSnapshot { get; set; }

    /// <summary>Tokens this change revoked: the runner writes each to the channel outbox with the snapshot version that carries it.</summary>
    public List<string> RevokedTokens { get; } = [];

    /// <summary>The last channel outbox row this change wrote (0: none), which the runner waits to see published.</summary>
    public long OutboxId { get; set; }

    public SqliteCommand Command(string sql) => Connection.Command(Transaction, sql);
}
