using System.Text.Json;

namespace Parley.Cli.Demo;

/// <summary>One seeded account, with everything a newcomer needs to sign in as them.</summary>
/// <param name="Email">The account's address.</param>
/// <param name="Password">Its password, random per seeding.</param>
/// <param name="TotpSecret">The TOTP secret (base32) for an authenticator app or <c>oathtool --totp -b</c>.</param>
/// <param name="Delegation">The delegation's code, or null for the host administrator.</param>
/// <param name="Role">The account's roles.</param>
/// <param name="Clearance">The clearance certified by the delegation's officer, e.g. SECRET//ALPHA.</param>
/// <param name="Profile">The CLI profile folder the seeding left signed in (for <c>--profile</c>).</param>
internal sealed record DemoUser(string Email, string Password, string TotpSecret, string? Delegation, string Role, string? Clearance, string Profile);

/// <summary>What <c>parley demo</c> seeded: written to <c>DIR/demo.json</c> (0600) and printed on every run.</summary>
/// <param name="SeededAt">When.</param>
/// <param name="Users">The accounts.</param>
/// <param name="Rooms">The rooms seeded with messages; null until they are (folders seeded before rooms existed get them on the next run).</param>
/// <param name="Document">The draft treaty seeded in the joint room; null until it is (likewise seeded on the next run of an older folder).</param>
internal sealed record DemoManifest(DateTimeOffset SeededAt, IReadOnlyList<DemoUser> Users, IReadOnlyList<string>? Rooms = null, DemoDocument? Document = null)
{
    public const string FileName = "demo.json";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static async Task<DemoManifest?> ReadAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path)) return null;
        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, CliJson.Default.DemoManifest, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is damaged ({e.Message}); start the demo on a new folder.", e);
        }
    }

    // The passwords and TOTP secrets in it sign in as anyone: owner-only from the moment it exists.
    public async Task WriteAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = PathIn(dataDirectory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(temporary, options))
        {
            await JsonSerializer.SerializeAsync(stream, this, CliJson.Default.DemoManifest, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
