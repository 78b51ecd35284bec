using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MlopsGateway.Local.Storage;

/// <summary>
/// The SQLite database behind a Local backend: a file in WAL mode (many readers, one writer at a time,
/// safe across processes on one host) or a named shared-cache in-memory database kept alive by one open
/// connection. Every operation opens a pooled connection; writes run in <c>BEGIN IMMEDIATE</c>
/// transactions and are serialised inside the process (in-memory: reads too, because shared-cache
/// tables lock instead of waiting).
/// </summary>
internal sealed class LocalStore : IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection? _keepAlive;

    private LocalStore(string connectionString, bool inMemory, string? databasePath)
    {
        _connectionString = connectionString;
        InMemory = inMemory;
        DatabasePath = databasePath;
        if (inMemory)
        {
            _keepAlive = new SqliteConnection(connectionString);
            _keepAlive.Open();
        }
    }

    /// <summary>Whether the database lives only in memory.</summary>
    public bool InMemory { get; }

    /// <summary>The database file's full path; null in memory.</summary>
    public string? DatabasePath { get; }

    /// <summary>The SQLite library version.</summary>
    public string SqliteVersion { get; private set; } = "";

    public static bool IsInMemoryPath(string path) => string.Equals(path, ":memory:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> or <c>:memory:</c>, and applies the schema.</summary>
    public static LocalStore Open(string path)
    {
        LocalStore store;
        if (IsInMemoryPath(path))
        {
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = $"mlops-local-{Guid.NewGuid():N}",
                Mode = SqliteOpenMode.Memory,
                Cache = SqliteCacheMode.Shared,
            };
            store = new LocalStore(builder.ToString(), inMemory: true, databasePath: null);
        }
        else
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
                DefaultTimeout = 30,
            };
            store = new LocalStore(builder.ToString(), inMemory: false, databasePath: full);
        }
        try
        {
            store.Initialize();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    private void Initialize()
    {
        using var connection = OpenConnection();
        if (!InMemory)
        {
            // WAL is a property of the file: set once, every later connection (any process) uses it.
            Execute(connection, null, "PRAGMA journal_mode=WAL;");
        }
        SqliteVersion = Convert.ToString(Scalar(connection, null, "SELECT sqlite_version();"), CultureInfo.InvariantCulture) ?? "";
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, LocalSchema.Sql);
        transaction.Commit();
    }

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (!InMemory)
        {
            // In WAL mode NORMAL syncs at checkpoints: a committed transaction survives a process crash
            // (the WAL is in the OS page cache), which is the durability the Local backend promises.
            Execute(connection, null, "PRAGMA synchronous=NORMAL;");
        }
        return connection;
    }

    /// <summary>Runs <paramref name="read"/> on a connection (serialised with writes only in memory).</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        if (!InMemory)
        {
            return ReadCore(read);
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadCore(read);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Synchronous read, for the few synchronous entry points (pipeline registration).</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        if (!InMemory)
        {
            return ReadCore(read);
        }
        _writeLock.Wait();
        try
        {
            return ReadCore(read);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private T ReadCore<T>(Func<SqliteConnection, T> read)
    {
        using var connection = OpenConnection();
        return read(connection);
    }

    /// <summary>Runs <paramref name="write"/> in one immediate transaction, committed when it returns.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return WriteCore(write);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Synchronous write for start-up recovery and disposal, where no caller awaits.</summary>
    public T Write<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        _writeLock.Wait();
        try
        {
            return WriteCore(write);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private T WriteCore<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var result = write(connection, transaction);
        transaction.Commit();
        return result;
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    public static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static List<T> Query<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read())
        {
            result.Add(map(reader));
        }
        return result;
    }

    public static Dictionary<string, string> StringMap(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            map[reader.GetString(0)] = reader.GetString(1);
        }
        return map;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _keepAlive?.Dispose();
        if (!InMemory)
        {
            // Release pooled handles so the file can be deleted or reopened by another process cleanly.
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
        _writeLock.Dispose();
    }
}
