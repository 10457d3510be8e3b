using Microsoft.Data.Sqlite;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests;

/// <summary>The data folder on disk: private modes, migrations, the installation record. Each test has its own folder.</summary>
public sealed class StorageTests
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Data_folder_is_created_0700_and_database_0600()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Equal(OwnerOnlyFolder, Mode(server.DataDirectory));
        Assert.Equal(OwnerOnlyFolder, Mode(Path.Combine(server.DataDirectory, "blobs")));
        Assert.Equal(OwnerOnlyFile, Mode(Path.Combine(server.DataDirectory, "parley.db")));
    }

    [Fact]
    public async Task Write_ahead_log_files_are_private_too()
    {
        await using var server = await TestServer.StartAsync();
        // A health check reads through the pool; the WAL and shared-memory files exist while the server has the database open.
        using (var response = await server.Http.GetAsync("/healthz")) response.EnsureSuccessStatusCode();
        var database = Path.Combine(server.DataDirectory, "parley.db");
        foreach (var companion in new[] { database + "-wal", database + "-shm" })
        {
            Assert.True(File.Exists(companion), $"{Path.GetFileName(companion)} is missing: the database is not in WAL mode");
            Assert.Equal(OwnerOnlyFile, Mode(companion));
        }
        Assert.Equal("wal", await ScalarAsync<string>(server.DataDirectory, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task Migrations_are_applied_and_the_installation_is_recorded_once()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        await using (await TestServer.StartAsync(folder))
        {
        }
        var migrations = await ScalarAsync<string>(folder, "SELECT group_concat(MigrationId, ',') FROM __EFMigrationsHistory;");
        Assert.Matches(@"^\d{14}_Initial(,|$)", migrations);
        Assert.Equal(1L, await ScalarAsync<long>(folder, "SELECT count(*) FROM server_instance;"));
    }

    [Fact]
    public async Task Restart_on_the_same_folder_keeps_the_instance_id()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        string first;
        await using (var server = await TestServer.StartAsync(folder))
            first = await ScalarAsync<string>(folder, "SELECT InstanceId FROM server_instance;");
        await using (var server = await TestServer.StartAsync(folder))
        {
            using var response = await server.Http.GetAsync("/healthz");
            response.EnsureSuccessStatusCode();
        }
        Assert.True(Guid.TryParse(first, out var id) && id != Guid.Empty, $"'{first}' is not an instance id");
        Assert.Equal(first, await ScalarAsync<string>(folder, "SELECT InstanceId FROM server_instance;"));
        Assert.Equal(1L, await ScalarAsync<long>(folder, "SELECT count(*) FROM server_instance;"));
    }

    [Fact]
    public async Task Two_installations_get_different_instance_ids()
    {
        string a, b;
        await using (var server = await TestServer.StartAsync())
            a = await ScalarAsync<string>(server.DataDirectory, "SELECT InstanceId FROM server_instance;");
        await using (var server = await TestServer.StartAsync())
            b = await ScalarAsync<string>(server.DataDirectory, "SELECT InstanceId FROM server_instance;");
        Assert.NotEqual(a, b);
    }

    private static UnixFileMode Mode(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The data folder's privacy rests on Unix file modes here.");
        return File.GetUnixFileMode(path);
    }

    private static async Task<T> ScalarAsync<T>(string dataDirectory, string sql)
    {
        // Read-only and unpooled: the test must not change the database or keep it open.
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "parley.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is T typed ? typed : throw new Xunit.Sdk.XunitException($"'{sql}' returned {value ?? "null"} ({value?.GetType().Name}), not {typeof(T).Name}");
    }
}
