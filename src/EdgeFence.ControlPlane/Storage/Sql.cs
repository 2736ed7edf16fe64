using Microsoft.Data.Sqlite;

namespace EdgeFence.ControlPlane.Storage;

/// <summary>Small helpers that keep the SQL call sites to one line each.</summary>
internal static class Sql
{
    public static SqliteCommand Command(this SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static DateTimeOffset FromUnix(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    public static DateTimeOffset? FromUnixOrNever(long seconds) => seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static int Execute(this SqliteCommand command)
    {
        using (command)
        {
            return command.ExecuteNonQuery();
        }
    }

    public static bool Exists(this SqliteCommand command)
    {
        using (command)
        {
            return command.ExecuteScalar() is not null;
        }
    }

    public static List<T> ReadAll<T>(this SqliteCommand command, Func<SqliteDataReader, T> read)
    {
        using (command)
        {
            using var reader = command.ExecuteReader();
            var result = new List<T>();
            while (reader.Read())
            {
                result.Add(read(reader));
            }

            return result;
        }
    }

    public static T? ReadOne<T>(this SqliteCommand command, Func<SqliteDataReader, T> read)
        where T : class
    {
        using (command)
        {
            using var reader = command.ExecuteReader();
            return reader.Read() ? read(reader) : null;
        }
    }

    public static string? NullableString(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
