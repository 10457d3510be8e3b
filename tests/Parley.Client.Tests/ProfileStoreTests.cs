using Parley.Client.Profiles;
using Parley.Client.Tests.Support;
using Parley.Protocol.Identity;

namespace Parley.Client.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProfileStoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static LocalProfile Sample() => LocalProfile.For(new Uri("http://127.0.0.1:5080/")) with
    {
        Email = "alice@atl.example",
        UserId = Guid.NewGuid(),
        Delegation = "ATL",
        SessionToken = "secret-session-token",
        Account = new ProfileAccount(KdfParameters.CreateDefault(), [1, 2, 3], [4, 5, 6]),
        Device = new ProfileDevice(Guid.NewGuid(), "laptop", [7, 8], [9, 10]),
        PinnedRoots = new Dictionary<string, byte[]> { ["ATL"] = [11, 12] },
    };

    [Fact]
    public async Task A_new_profile_folder_is_0700_and_its_file_0600()
    {
        var store = new FileProfileStore(_temp.Child("profile"));
        await store.SaveAsync(Sample());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
        // Only the profile itself: no temporary file left behind by the atomic write.
        Assert.Equal([FileProfileStore.FileName], Directory.GetFiles(store.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_profile_round_trips_and_a_second_save_replaces_it()
    {
        var store = new FileProfileStore(_temp.Child("profile"));
        Assert.Null(await store.LoadAsync());
        var profile = Sample();
        await store.SaveAsync(profile);
        var loaded = await store.LoadAsync();
        Assert.NotNull(loaded);
        Assert.Equal(profile.UserId, loaded.UserId);
        Assert.Equal(profile.SessionToken, loaded.SessionToken);
        Assert.Equal(profile.Device!.SealedKeys, loaded.Device!.SealedKeys);
        Assert.Equal(profile.Account!.Kdf.Salt, loaded.Account!.Kdf.Salt);
        Assert.Equal(profile.PinnedRoots["ATL"], loaded.PinnedRoots["ATL"]);

        await store.SaveAsync(loaded with { SessionToken = null });
        Assert.Null((await store.LoadAsync())!.SessionToken);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
    }

    [Fact]
    public async Task A_folder_open_to_others_is_refused_with_the_fix()
    {
        var folder = _temp.Child("open");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        var store = new FileProfileStore(folder);
        var error = await Assert.ThrowsAsync<ProfileException>(async () => await store.SaveAsync(Sample()));
        Assert.Contains("chmod 700", error.Message);
        Assert.False(File.Exists(store.FilePath));
    }

    [Fact]
    public async Task A_profile_file_readable_by_others_is_refused()
    {
        var store = new FileProfileStore(_temp.Child("profile"));
        await store.SaveAsync(Sample());
        File.SetUnixFileMode(store.FilePath, (UnixFileMode)Convert.ToInt32("644", 8));
        var error = await Assert.ThrowsAsync<ProfileException>(async () => await store.LoadAsync());
        Assert.Contains("chmod 600", error.Message);
    }

    [Fact]
    public async Task A_damaged_profile_is_a_clear_error()
    {
        var store = new FileProfileStore(_temp.Child("profile"));
        await store.SaveAsync(Sample());
        await File.WriteAllTextAsync(store.FilePath, "{ not json");
        var error = await Assert.ThrowsAsync<ProfileException>(async () => await store.LoadAsync());
        Assert.Contains("damaged", error.Message);
    }

    [Fact]
    public void A_profile_never_prints_its_session_token()
    {
        var text = Sample().ToString();
        Assert.DoesNotContain("secret-session-token", text);
        Assert.Contains("SignedIn = True", text);
    }
}
