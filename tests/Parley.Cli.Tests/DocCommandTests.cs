using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.Cli.Demo;
using Parley.Protocol.Documents;
using Parley.Server.Policy.Engine;

namespace Parley.Cli.Tests;

/// <summary>
/// <c>parley doc ...</c> as real processes against a real server (one per class, seeded once): upload with
/// the id in JSON, list, byte-exact download over several parts, a blob modified on the server refused
/// with no output file, initials and signatures by heads (refused for a member) and agreement, word
/// differences, printed copies on the register, a leaked excerpt traced to its recipient (officers only),
/// and destruction with its certificate.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DocCommandTests(DocFixture fixture) : IClassFixture<DocFixture>
{
    private const string AtlAnalyst = "analyst@atl.example";
    private const string BorAnalyst = "analyst@bor.example";
    private const string AtlHead = "head@atl.example";
    private const string BorHead = "head@bor.example";
    private const string AtlOfficer = "so@atl.example";
    private const string BorInterpreter = "interpreter@bor.example";
    private const string RoomLabel = "CONFIDENTIAL//REL TO ATL, BOR";

    private static Guid IdOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(1, document.RootElement.GetProperty("version").GetInt32());
        return document.RootElement.GetProperty("id").GetGuid();
    }

    private static string RandomFile(string folder, string name, int bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(bytes));
        return path;
    }

    private static string TextFile(string folder, string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public async Task Put_gives_the_id_list_shows_it_get_round_trips_and_a_modified_blob_fails_with_no_file()
    {
        var folder = fixture.NewFolder("roundtrip");
        var original = RandomFile(folder, "annex.bin", 3 * 1024 * 1024 + 12345);

        var id = IdOf(await fixture.OkAsync(AtlAnalyst, "doc", "put", fixture.Room, original, "--title", "Technical annex (binary)", "--json"));

        using (var list = JsonDocument.Parse(await fixture.OkAsync(BorHead, "doc", "list", fixture.Room, "--json")))
        {
            var listed = list.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == id);
            Assert.Equal("Technical annex (binary)", listed.GetProperty("title").GetString());
            Assert.Equal(RoomLabel, listed.GetProperty("label").GetString());
            Assert.Equal(1, listed.GetProperty("version").GetInt32());
            Assert.Equal(new FileInfo(original).Length, listed.GetProperty("size").GetInt64());
            Assert.False(listed.GetProperty("destroyed").GetBoolean());
        }
        var table = await fixture.OkAsync(BorHead, "doc", "list", fixture.Room);
        Assert.Contains(id.ToString(), table);

        // Another delegation's member decrypts it byte for byte.
        var copy = Path.Combine(folder, "copy.bin");
        var got = await fixture.OkAsync(BorHead, "doc", "get", id.ToString(), "-o", copy);
        Assert.Contains("verified", got);
        Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(copy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));

        // One byte flipped in the stored ciphertext: refused, one line, no output file, no leftover.
        var blob = Path.Combine(fixture.Data, "documents", id.ToString("N"), "1.bin");
        Assert.True(File.Exists(blob), $"no blob at {blob}");
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);
        var tampered = Path.Combine(folder, "tampered.bin");
        var (exit, stdout, stderr) = await fixture.RunAsync(BorHead, "doc", "get", id.ToString(), "-o", tampered);
        Assert.True(exit == ExitCodes.Integrity, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("The document was modified on the server (Tampered)", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(File.Exists(tampered));
        Assert.Equal(["annex.bin", "copy.bin"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order().ToList());
    }

    [Fact]
    public async Task A_version_larger_than_an_upload_part_is_added_and_both_versions_download()
    {
        var folder = fixture.NewFolder("large");
        var first = RandomFile(folder, "v1.bin", 4096);
        var second = RandomFile(folder, "v2.bin", 8 * 1024 * 1024 + 4099);
        var id = IdOf(await fixture.OkAsync(AtlAnalyst, "doc", "put", fixture.Room, first, "--json"));

        using (var added = JsonDocument.Parse(await fixture.OkAsync(BorAnalyst, "doc", "version", id.ToString(), second, "--json")))
        {
            Assert.Equal(id, added.RootElement.GetProperty("id").GetGuid());
            Assert.Equal(2, added.RootElement.GetProperty("version").GetInt32());
            Assert.Equal("v1.bin", added.RootElement.GetProperty("title").GetString());
        }
        var latest = Path.Combine(folder, "latest.bin");
        await fixture.OkAsync(AtlHead, "doc", "get", id.ToString(), "-o", latest);
        Assert.Equal(await File.ReadAllBytesAsync(second), await File.ReadAllBytesAsync(latest));
        var older = Path.Combine(folder, "older.bin");
        await fixture.OkAsync(AtlHead, "doc", "get", id.ToString(), "-o", older, "--version", "1");
        Assert.Equal(await File.ReadAllBytesAsync(first), await File.ReadAllBytesAsync(older));
    }

    [Fact]
    public async Task Heads_initial_and_sign_a_member_is_refused_show_tells_who_and_diff_shows_the_changes()
    {
        var folder = fixture.NewFolder("endorse");
        var draft = TextFile(folder, "treaty.md", DemoTreaty.Version1);
        var counter = TextFile(folder, "treaty-bor.md", DemoTreaty.Version2);
        var id = IdOf(await fixture.OkAsync(AtlAnalyst, "doc", "put", fixture.Room, draft, "--title", "Treaty for endorsement", "--json"));
        await fixture.OkAsync(BorAnalyst, "doc", "version", id.ToString(), counter);

        // A member is not a head of delegation.
        var (memberExit, memberOut, memberErr) = await fixture.RunAsync(AtlAnalyst, "doc", "sign", id.ToString());
        Assert.True(memberExit == ExitCodes.Denied, $"exit {memberExit}\n{memberOut}\n{memberErr}");
        Assert.DoesNotContain("   at ", memberErr);

        Assert.Contains("initialled ad referendum for ATL", await fixture.OkAsync(AtlHead, "doc", "initial", id.ToString(), "--version", "1"));
        await fixture.OkAsync(AtlHead, "doc", "sign", id.ToString());
        using (var status = JsonDocument.Parse(await fixture.OkAsync(BorHead, "doc", "show", id.ToString(), "--json")))
        {
            var root = status.RootElement;
            Assert.Equal(2, root.GetProperty("versions").GetArrayLength());
            Assert.All(root.GetProperty("versions").EnumerateArray(), v => Assert.True(v.GetProperty("verified").GetBoolean()));
            Assert.Equal(AtlAnalyst, root.GetProperty("versions")[0].GetProperty("author").GetString());
            Assert.Equal(BorAnalyst, root.GetProperty("versions")[1].GetProperty("author").GetString());
            var endorsements = root.GetProperty("endorsements").EnumerateArray().ToList();
            Assert.Equal(2, endorsements.Count);
            Assert.All(endorsements, e => Assert.True(e.GetProperty("valid").GetBoolean(), e.GetProperty("rejected").GetString()));
            Assert.Contains(endorsements, e => e.GetProperty("kind").GetString() == "initial" && e.GetProperty("version").GetInt32() == 1 && e.GetProperty("signer").GetString() == AtlHead);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("agreedVersion").ValueKind);
            Assert.Equal(["BOR"], root.GetProperty("partiesYetToSign").EnumerateArray().Select(p => p.GetString()!).ToList());
        }

        // Once BOR's head signs the same version, the text is agreed.
        await fixture.OkAsync(BorHead, "doc", "sign", id.ToString(), "--version", "2");
        var shown = await fixture.OkAsync(AtlHead, "doc", "show", id.ToString());
        Assert.Contains("Agreed", shown);
        Assert.Contains("version 2", shown);

        // The differences, marked without colours when redirected.
        var diff = await fixture.OkAsync(AtlHead, "doc", "diff", id.ToString(), "1", "2");
        Assert.Contains("[-seven-]{+ten+}", diff);
        Assert.Contains("[-twice-]", diff);
        Assert.Contains("{+forty-five+}", diff);
        Assert.Contains("Article 3", diff);
    }

    [Fact]
    public async Task Printed_copies_are_numbered_and_registered_and_a_leaked_excerpt_is_traced_by_an_officer_only()
    {
        var folder = fixture.NewFolder("print");
        var text = TextFile(folder, "treaty.md", DemoTreaty.Version1);
        var id = IdOf(await fixture.OkAsync(AtlAnalyst, "doc", "put", fixture.Room, text, "--title", "Treaty for printing", "--json"));

        var firstPdf = Path.Combine(folder, "copy1.pdf");
        var first = await fixture.OkAsync(BorAnalyst, "doc", "print", id.ToString(), "-o", firstPdf);
        Assert.Contains("Printed copy 1 ", first);
        Assert.Equal("%PDF", Encoding.ASCII.GetString((await File.ReadAllBytesAsync(firstPdf))[..4]));
        var secondPdf = Path.Combine(folder, "copy2.pdf");
        using (var second = JsonDocument.Parse(await fixture.OkAsync(BorAnalyst, "doc", "print", id.ToString(), "-o", secondPdf, "--json")))
        {
            Assert.Equal(2, second.RootElement.GetProperty("copyNumber").GetInt32());
            Assert.Equal(RoomLabel, second.RootElement.GetProperty("label").GetString());
            Assert.True(second.RootElement.GetProperty("pages").GetInt32() >= 1);
        }
        Assert.Equal("%PDF", Encoding.ASCII.GetString((await File.ReadAllBytesAsync(secondPdf))[..4]));

        // A third copy, for BOR's head: the leak comes from it, re-typed with a few errors.
        var (marked, copyNumber) = await fixture.PrintedCopyAsync(BorHead, id);
        Assert.Equal(3, copyNumber);
        var excerpt = new StringBuilder(marked.Substring(marked.Length / 3, 300));
        foreach (var at in new[] { 41, 152, 263 })
            if (char.IsLetter(excerpt[at])) excerpt[at] = excerpt[at] == 'x' ? 'y' : 'x';
        var leak = TextFile(folder, "leak.txt", excerpt.ToString());

        var (traceExit, traceOut, traceErr) = await fixture.RunAsync(AtlOfficer, "doc", "trace", leak, "--json");
        Assert.True(traceExit == ExitCodes.Success, $"exit {traceExit}\n{traceOut}\n{traceErr}");
        using (var trace = JsonDocument.Parse(traceOut))
        {
            var root = trace.RootElement;
            Assert.Equal("identified", root.GetProperty("verdict").GetString());
            Assert.Equal(id, root.GetProperty("documentId").GetGuid());
            Assert.Equal(BorHead, root.GetProperty("copy").GetProperty("recipientEmail").GetString());
            Assert.Equal(3, root.GetProperty("copy").GetProperty("copyNumber").GetInt32());
            Assert.True(root.GetProperty("confidence").GetDouble() > 0.9);
        }
        var readable = await fixture.OkAsync(AtlOfficer, "doc", "trace", leak, "--doc", id.ToString());
        Assert.Contains("identified", readable);
        Assert.Contains(BorHead, readable);

        // A member's on-screen view carries their own marks: an excerpt of it names them, copy 0.
        var view = await fixture.OkAsync(BorInterpreter, "doc", "view", id.ToString());
        var lines = view.Split('\n');
        Assert.Equal(RoomLabel, lines[0]);
        Assert.Equal(RoomLabel, lines.Last(l => l.Length > 0));
        var viewLeak = TextFile(folder, "view-leak.txt", view.Substring(view.Length / 2, 300));
        using (var trace = JsonDocument.Parse(await fixture.OkAsync(AtlOfficer, "doc", "trace", viewLeak, "--doc", id.ToString(), "--json")))
        {
            Assert.Equal(BorInterpreter, trace.RootElement.GetProperty("copy").GetProperty("recipientEmail").GetString());
            Assert.Equal(0, trace.RootElement.GetProperty("copy").GetProperty("copyNumber").GetInt32());
        }

        // Tracing is for security officers.
        var (memberExit, _, memberErr) = await fixture.RunAsync(AtlAnalyst, "doc", "trace", leak);
        Assert.True(memberExit == ExitCodes.Denied, $"exit {memberExit}\n{memberErr}");
        Assert.DoesNotContain("   at ", memberErr);

        // The register lists the three copies; the officer records the destruction of one.
        using (var register = JsonDocument.Parse(await fixture.OkAsync(AtlOfficer, "doc", "register", id.ToString(), "--json")))
            Assert.Equal([1, 2, 3], register.RootElement.EnumerateArray().Select(e => e.GetProperty("copyNumber").GetInt32()).ToArray());
        await fixture.OkAsync(AtlOfficer, "doc", "copy-destroyed", id.ToString(), "1", "--note", "Shredded (cross-cut) by the registry");
        var table = await fixture.OkAsync(AtlOfficer, "doc", "register", id.ToString());
        Assert.Contains("Shredded (cross-cut) by the registry", table);
        Assert.Contains("outstanding", table);
    }

    [Fact]
    public async Task Destruction_by_an_officer_prints_the_certificate_and_later_downloads_fail_with_it_and_no_file()
    {
        var folder = fixture.NewFolder("destroy");
        var original = RandomFile(folder, "notes.bin", 10_000);
        var id = IdOf(await fixture.OkAsync(AtlAnalyst, "doc", "put", fixture.Room, original, "--json"));

        // Not at a terminal, destruction needs --yes.
        var (unconfirmed, _, unconfirmedErr) = await fixture.RunAsync(AtlOfficer, "doc", "destroy", id.ToString(), "--reason", "Superseded");
        Assert.Equal(ExitCodes.Usage, unconfirmed);
        Assert.Contains("--yes", unconfirmedErr);

        const string Reason = "Superseded by the agreed annex";
        var destroyed = await fixture.OkAsync(AtlOfficer, "doc", "destroy", id.ToString(), "--reason", Reason, "--yes");
        Assert.Contains("Destruction certificate", destroyed);
        Assert.Contains("purge (cryptographic erase)", destroyed);
        Assert.Contains("keys remaining:  0", destroyed);
        Assert.Contains(Reason, destroyed);

        var output = Path.Combine(folder, "after.bin");
        var (exit, stdout, stderr) = await fixture.RunAsync(BorHead, "doc", "get", id.ToString(), "-o", output);
        Assert.True(exit == ExitCodes.Destroyed, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("The document was destroyed (Destroyed)", stderr);
        foreach (var field in new[] { "Destruction certificate", "performed by:", "performed at:", Reason, "method:          purge (cryptographic erase)", "verified by:", "keys remaining:  0" })
            Assert.Contains(field, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(File.Exists(output));
        Assert.Equal(["notes.bin"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).ToList());

        using var list = JsonDocument.Parse(await fixture.OkAsync(BorHead, "doc", "list", fixture.Room, "--json"));
        Assert.True(list.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == id).GetProperty("destroyed").GetBoolean());
    }

    [Fact]
    public async Task The_demo_treaty_stays_readable_once_the_room_has_moved_to_a_later_epoch()
    {
        // The treaty was wrapped for the room's first epoch; the officers joined since, so the next message starts another.
        var demo = fixture.DemoDocument;
        await fixture.OkAsync(BorHead, "send", fixture.Room, "We have read the draft and will reply on Thursday.");
        var folder = fixture.NewFolder("epochs");
        foreach (var version in new[] { 1, 2 })
        {
            var path = Path.Combine(folder, $"v{version}.md");
            await fixture.OkAsync(BorHead, "doc", "get", demo.Id.ToString(), "-o", path, "--version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(version == 1 ? DemoTreaty.Version1 : DemoTreaty.Version2, await File.ReadAllTextAsync(path));
        }
        using var status = JsonDocument.Parse(await fixture.OkAsync(BorHead, "doc", "show", demo.Id.ToString(), "--json"));
        var initial = Assert.Single(status.RootElement.GetProperty("endorsements").EnumerateArray());
        Assert.Equal("initial", initial.GetProperty("kind").GetString());
        Assert.Equal(AtlHead, initial.GetProperty("signer").GetString());
    }

    [Fact]
    public async Task Usage_errors_exit_2_before_anything_is_sent()
    {
        var folder = fixture.NewFolder("usage");
        var (missing, _, missingErr) = await fixture.RunAsync(AtlAnalyst, "doc", "put", fixture.Room, Path.Combine(folder, "none.md"));
        Assert.Equal(ExitCodes.Usage, missing);
        Assert.Contains("There is no file", missingErr);
        var (badId, _, badIdErr) = await fixture.RunAsync(AtlAnalyst, "doc", "get", "not-an-id", "-o", Path.Combine(folder, "x"));
        Assert.Equal(ExitCodes.Usage, badId);
        Assert.Contains("not a document id", badIdErr);
        // A SECRET portion cannot go into a CONFIDENTIAL room.
        var secret = TextFile(folder, "secret.md", "(S//REL TO ATL, BOR) Six inspections a year are enough.\n");
        var (above, _, aboveErr) = await fixture.RunAsync(AtlAnalyst, "doc", "put", fixture.Room, secret);
        Assert.Equal(ExitCodes.Usage, above);
        Assert.Contains("BadLabel", aboveErr);
    }
}

/// <summary>The demo's draft treaty is a valid portion-marked text for the joint room, in two close versions.</summary>
public sealed class DemoTreatyTests
{
    [Fact]
    public void Both_versions_are_labelled_for_the_joint_room_and_differ_in_a_few_words()
    {
        var scheme = PolicySettings.Default.Scheme;
        var room = scheme.ParseBanner("CONFIDENTIAL//REL TO ATL, BOR").Value;
        foreach (var text in new[] { DemoTreaty.Version1, DemoTreaty.Version2 })
        {
            Assert.InRange(Encoding.UTF8.GetByteCount(text), 2000, 3500);
            var label = TextLabel.Read(scheme, text);
            Assert.True(label.IsOk, label.IsOk ? "" : label.Error.Message);
            Assert.Equal("CONFIDENTIAL//REL TO ATL, BOR", label.Value.Label.ToBanner());
            Assert.True(room.Dominates(label.Value.Label));
        }
        var pieces = TextDiff.Compare(DemoTreaty.Version1, DemoTreaty.Version2);
        var changed = pieces.Where(p => p.Kind != DiffKind.Same).ToList();
        Assert.InRange(changed.Count, 3, 12);
        Assert.Contains(changed, p => p.Kind == DiffKind.Added && p.Text.Contains("ten", StringComparison.Ordinal));
    }
}
