using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Storage;

/// <summary>The SQLite file: opens connections with foreign keys on, and creates the file owner-only.</summary>
internal sealed class Database
{
    private readonly string _connectionString;

    public Database(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        CreateOwnerOnly(Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            ForeignKeys = true,
            Pooling = true,

            // Writers are serialized in-process (ChangeRunner); this only covers a reader meeting a checkpoint.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The database holds the sites' HMAC secrets, so the file is created readable by its owner only before
    /// SQLite opens it; SQLite gives its -wal and -shm files the same permissions.
    /// </summary>
    private static void CreateOwnerOnly(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        var directory = System.IO.Path.GetDirectoryName(path);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another process: it owns the permissions.
        }
    }
}
