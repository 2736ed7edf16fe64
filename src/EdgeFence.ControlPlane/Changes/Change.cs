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

    /// <summary>Set when the request turned out to change nothing (revoking a revoked token): no new snapshot version.</summary>
    public bool Unchanged { get; set; }

    public SqliteCommand Command(string sql) => Connection.Command(Transaction, sql);
}
