using System.CommandLine;
using System.Globalization;
using Parley.Cli.Documents;
using Parley.Cli.Identity;
using Parley.Cli.Rooms;
using Parley.Client.Api;
using Parley.Client.Documents;
using Parley.Client.Documents.Printing;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley doc ...</c>: classified documents of rooms, encrypted and decrypted on this device (DESIGN §9,
/// PROTOCOL §14): upload and new versions, verified download, initials and signatures, word differences,
/// the marked on-screen text, controlled printing, leak tracing, destruction, the print register and
/// retention. Commands that open or sign anything need the password, like <c>parley send</c>.
/// </summary>
internal static class DocCommand
{
    private static readonly string NeedsPassword = $"(needs your password: ${CliOptions.PasswordVariable} or --password-stdin)";

    public static Command Create() => new("doc", "Classified documents in rooms, encrypted on this device: put, version, get, list, show, sign, initial, diff, view, print, trace, destroy, register, copy-destroyed, retention, reviews.")
    {
        Put(), NewVersion(), Get(), List(), Show(), Endorse("sign", EndorsementKind.Sign), Endorse("initial", EndorsementKind.Initial), Diff(), View(), Print(), Trace(),
        Destroy(), Register(), CopyDestroyed(), Retention(), Reviews(),
    };

    // ---- Shared arguments and options ----

    private static Argument<string> RoomArgument() => new("ROOM") { Description = "The room's name or id." };

    private static Argument<string> IdArgument() => new("ID") { Description = "The document's id ('parley doc list ROOM' shows them)." };

    private static Option<int?> VersionOption(string what) => new("--version") { Description = $"The version to {what} (the latest when absent).", HelpName = "N" };

    private static Option<string?> LabelOption() => new("--label")
    {
        Description = "The version's label (banner or portion mark), dominated by the room's; the room's label when absent. A lower label is a write-down, refused without an officer's downgrade. A text's (.md, .txt) portion marks must fit under it.",
        HelpName = "LABEL",
    };

    private static Option<string[]> RestrictOption() => new("--restrict-to")
    {
        Description = "Give the key only to this person's devices (and yours), not to the room; repeat for several.",
        HelpName = "EMAIL",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Option<string?> MediaTypeOption() => new("--type") { Description = "The media type (default: from the file's extension; .md and .txt are portion-marked texts).", HelpName = "MEDIA" };

    private static Option<DateOnly?> DateOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "YYYY-MM-DD",
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (DateOnly.TryParseExact(token, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            result.AddError($"{name} takes a date as yyyy-MM-dd, not '{token}'.");
            return null;
        },
    };

    private static Option<string> OutputOption(string description) => new("--output", "-o") { Description = description, HelpName = "FILE", Required = true };

    // A file name short enough to leave the progress bar, size and speed on one line of a narrow terminal.
    private static string Short(string name) => name.Length <= 24 ? name : $"{name[..21]}...";

    private static string ExistingFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new UsageException($"There is no file {path}.");
        return full;
    }

    // A file written next to the target and renamed over it only once the SDK says the content verified:
    // a tampered, destroyed or refused document leaves no output file.
    private static async Task<T> WriteVerifiedAsync<T>(string target, Func<Stream, Task<T>> write)
    {
        var full = Path.GetFullPath(target);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) throw new UsageException($"There is no folder {directory} for {target}.");
        if (Directory.Exists(full)) throw new UsageException($"{target} is a folder; name a file.");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.part");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 20 };
        // Decrypted classified content: readable by its owner only.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            T result;
            await using (var stream = new FileStream(temporary, options))
            {
                result = await write(stream).ConfigureAwait(false);
                await stream.FlushAsync().ConfigureAwait(false);
            }
            File.Move(temporary, full, overwrite: true);
            return result;
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    // Refusals of what the user gave (a label, a title, a text that is not UTF-8) are usage errors, as for rooms.
    private static async Task<T> UploadingAsync<T>(Func<Task<T>> upload)
    {
        try
        {
            return await upload().ConfigureAwait(false);
        }
        catch (DocumentException e) when (e.Error.Code is DocumentErrorCode.BadLabel or DocumentErrorCode.Malformed or DocumentErrorCode.NotText)
        {
            throw new UsageException($"{e.Error.Message} ({e.Error.Code})");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static void Uploaded(DocumentView view, string room, bool first)
    {
        var latest = view.Versions[^1];
        AnsiConsole.WriteLine(first
            ? $"Uploaded '{view.Title}' to {room}: version 1, {latest.Label}, {latest.MediaType}, {DocumentText.Size(latest.ContentLength)}, encrypted on this device{(view.Restricted ? " for the people named only" : "")}."
            : $"Added version {latest.Version} of '{view.Title}': {latest.Label}, {latest.MediaType}, {DocumentText.Size(latest.ContentLength)}, encrypted on this device.");
        AnsiConsole.WriteLine($"Document id: {view.Id}");
    }

    // ---- put, version ----

    private static Command Put()
    {
        var room = RoomArgument();
        var file = new Argument<string>("FILE") { Description = "The file to encrypt and upload." };
        var label = LabelOption();
        var title = new Option<string?>("--title") { Description = $"The document's title (the file's name when absent; at most {DocumentTitles.MaxLength} characters; the server sees it).", HelpName = "TITLE" };
        var restrict = RestrictOption();
        var type = MediaTypeOption();
        var declassify = DateOption("--declassify-on", "Declassification review date.");
        var destroyAfter = DateOption("--destroy-after", "Last day of keeping; a destruction review is due from the next day (nothing is destroyed without a security officer).");
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("put", $"Encrypt a file on this device and upload it to a room as version 1 of a new document; its key is wrapped for the room's current epoch, or with --restrict-to for the named people's devices only {NeedsPassword}. "
            + "Add later versions with 'parley doc version ID FILE'. --json prints {id, version, label, ...}.")
        {
            room, file, label, title, restrict, type, declassify, destroyAfter, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var path = ExistingFile(parsed.GetRequiredValue(file));
            var name = (parsed.GetValue(title) ?? Path.GetFileName(path)).Trim();
            if (DocumentTitles.Problem(name) is { } problem) throw new UsageException(problem);
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var upload = new DocumentUpload(name, parsed.GetValue(type) ?? DocumentsClient.MediaTypeOf(path), parsed.GetValue(label), parsed.GetValue(restrict),
                parsed.GetValue(declassify), parsed.GetValue(destroyAfter));
            var asJson = parsed.GetValue(json);
            await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var view = await UploadingAsync(() => Transfer.RunAsync(Transfer.Live(asJson), $"Sending {Short(Path.GetFileName(path))}", input.Length,
                progress => documents.Documents.UploadAsync(found.Id, input, upload, progress, cancellationToken))).ConfigureAwait(false);
            if (asJson) await Output.JsonAsync(DocumentOutput.From(view), CliJson.Default.DocumentOutput, cancellationToken).ConfigureAwait(false);
            else Uploaded(view, found.Name, first: true);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command NewVersion()
    {
        var id = IdArgument();
        var file = new Argument<string>("FILE") { Description = "The new version's file." };
        var label = LabelOption();
        var restrict = new Option<string[]>("--restrict-to")
        {
            Description = "For a restricted document (required for one, refused for a room document): the people this version is for; repeat for several.",
            HelpName = "EMAIL",
            AllowMultipleArgumentsPerToken = false,
        };
        var type = new Option<string?>("--type") { Description = "The media type (default: from the file's extension, else the latest version's).", HelpName = "MEDIA" };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("version", $"Encrypt a file on this device and add it as the next version of a document, chained to the latest (the server cannot drop or reorder versions) {NeedsPassword}.")
        {
            id, file, label, restrict, type, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            var path = ExistingFile(parsed.GetRequiredValue(file));
            var fromName = DocumentsClient.MediaTypeOf(path);
            var media = parsed.GetValue(type) ?? (fromName == "application/octet-stream" ? null : fromName);
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var asJson = parsed.GetValue(json);
            await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var restricted = parsed.GetValue(restrict);
            var view = await UploadingAsync(() => Transfer.RunAsync(Transfer.Live(asJson), $"Sending {Short(Path.GetFileName(path))}", input.Length,
                progress => documents.Documents.AddVersionAsync(documentId, input, media, parsed.GetValue(label), restricted is { Length: > 0 } ? restricted : null, progress, cancellationToken)))
                .ConfigureAwait(false);
            if (asJson) await Output.JsonAsync(DocumentOutput.From(view), CliJson.Default.DocumentOutput, cancellationToken).ConfigureAwait(false);
            else Uploaded(view, "", first: false);
            return ExitCodes.Success;
        });
        return command;
    }

    // ---- get, list, show ----

    private static Command Get()
    {
        var id = IdArgument();
        var output = OutputOption("Where to write the decrypted file (0600). It appears only once every byte verified: a modified or destroyed document leaves no file.");
        var version = VersionOption("download");
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("get", $"Download a version and decrypt it on this device, checking its author's signature, its label, its key and every chunk {NeedsPassword}. "
            + $"Exit {ExitCodes.Integrity} if it was modified on the server, {ExitCodes.Destroyed} (with the destruction certificate) if it was destroyed.")
        {
            id, output, version, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            var target = parsed.GetRequiredValue(output);
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var asJson = parsed.GetValue(json);
            var live = Transfer.Live(asJson);
            long total = 0;
            if (live)
            {
                var view = await documents.Documents.GetAsync(documentId, cancellationToken).ConfigureAwait(false);
                var wanted = parsed.GetValue(version);
                total = view.Versions.FirstOrDefault(v => wanted is null ? v == view.Versions[^1] : v.Version == wanted)?.ContentLength ?? 0;
            }
            var opened = await WriteVerifiedAsync(target, stream => Transfer.RunAsync(live, $"Receiving {Short(Path.GetFileName(target))}", total,
                progress => documents.Documents.DownloadAsync(documentId, parsed.GetValue(version), stream, progress, cancellationToken))).ConfigureAwait(false);
            if (asJson) await Output.JsonAsync(DownloadOutput.From(opened, Path.GetFullPath(target)), CliJson.Default.DownloadOutput, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"Wrote {target}: '{opened.Title}' version {opened.Version}, {opened.Label.ToBanner()}, {opened.MediaType}, {DocumentText.Size(opened.Length)}; author's signature and every chunk verified.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var room = RoomArgument();
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("list", "List a room's documents: id, title, label, latest version, size, last change, initials and signatures, destroyed (no content, so no password).")
        {
            room, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            var documents = await session.Client.ListDocumentsAsync(found.Id, cancellationToken).ConfigureAwait(false);
            var output = documents.Select(DocumentListOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<DocumentListOutput>>(output, CliJson.Default.IReadOnlyListDocumentListOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (output.Count == 0)
            {
                AnsiConsole.WriteLine($"{found.Name} has no documents.");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Id", "Title", "Label", "Version", "Size", "Updated", "Endorsements", "Destroyed");
            foreach (var d in output)
                table.AddRow(new Text(d.Id.ToString()), new Text(d.Title), new Text(d.Label), new Text(d.Version.ToString(CultureInfo.InvariantCulture)), new Text(DocumentText.Size(d.Size)),
                    new Text(Output.Time(d.UpdatedAt)), new Text(d.Endorsements.ToString(CultureInfo.InvariantCulture)), d.Destroyed ? new Markup("[red]destroyed[/]") : new Text("-"));
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var id = IdArgument();
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("show", $"A document's versions with their authors and whether their signatures verify here, the initials and signatures of each party as verified here, whether the text is agreed and who is yet to sign {NeedsPassword}.")
        {
            id, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var status = await documents.Documents.StatusAsync(documentId, cancellationToken).ConfigureAwait(false);
            var names = await NamesAsync(documents, status.Document.RoomId, cancellationToken).ConfigureAwait(false);
            var output = StatusOutput(status, names);
            if (parsed.GetValue(json)) await Output.JsonAsync(output, CliJson.Default.DocumentStatusOutput, cancellationToken).ConfigureAwait(false);
            else DocumentPrinter.Status(output);
            return ExitCodes.Success;
        });
        return command;
    }

    // Members' addresses by user id, to name authors and signers (the ids stand when the room cannot be read).
    private static async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(CliDocuments documents, Guid roomId, CancellationToken cancellationToken)
    {
        try
        {
            var room = await documents.Rooms.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
            return room.Members.ToDictionary(m => m.UserId, m => m.Email);
        }
        catch (ParleyApiException)
        {
            return new Dictionary<Guid, string>();
        }
    }

    private static DocumentStatusOutput StatusOutput(DocumentStatus status, IReadOnlyDictionary<Guid, string> names)
    {
        var d = status.Document;
        return new DocumentStatusOutput(d.Id, d.RoomId, d.Title, d.Label, d.Restricted, d.CreatedBy, d.CreatedAt, d.DeclassifyOn, d.DestroyAfter, d.Prints,
            status.Versions.Select(v => new DocumentVersionOutput(v.Version.Version, v.Version.Label, v.Version.MediaType, v.Version.ContentLength, v.Version.AuthorUserId,
                names.GetValueOrDefault(v.Version.AuthorUserId), v.Version.CreatedAt, Convert.ToHexStringLower(v.Version.VersionHash), v.Problem is null, v.Problem)).ToList(),
            status.Endorsements.Select(e => new EndorsementOutput(DocumentText.Kind(e.Kind), e.Version, e.Delegation, e.SignerUserId, names.GetValueOrDefault(e.SignerUserId),
                e.EndorsedAt, e.Rejected is null, e.Rejected)).ToList(),
            status.AgreedVersion, status.PartiesYetToSign, status.Problems, d.DestroyedAt, status.Certificate is { } c ? CertificateOutput.From(c) : null);
    }

    // ---- sign, initial, diff, view ----

    private static Command Endorse(string name, EndorsementKind kind)
    {
        var id = IdArgument();
        var version = VersionOption(kind == EndorsementKind.Sign ? "sign" : "initial");
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var what = kind == EndorsementKind.Sign
            ? "Sign a version as your delegation's head: your delegation agrees to this exact text. The text is agreed when every party's head has signed the same version."
            : "Initial a version ad referendum as your delegation's head: accepted subject to confirmation by your government (initials never agree a text).";
        var command = new Command(name, $"{what} The act binds the version's hash, checked here against its author's signature first {NeedsPassword}. Heads of delegation only (exit {ExitCodes.Denied} otherwise).")
        {
            id, version, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var view = await documents.Documents.EndorseAsync(documentId, parsed.GetValue(version), kind, cancellationToken).ConfigureAwait(false);
            var endorsed = parsed.GetValue(version) ?? view.Versions[^1].Version;
            var delegation = documents.Rooms.Delegation ?? "";
            if (parsed.GetValue(json))
                await Output.JsonAsync(new EndorseOutput(view.Id, view.Title, endorsed, DocumentText.Kind(kind), delegation, view.Endorsements.Count), CliJson.Default.EndorseOutput, cancellationToken)
                    .ConfigureAwait(false);
            else AnsiConsole.WriteLine($"Version {endorsed} of '{view.Title}' {DocumentText.KindPast(kind)} for {delegation}. 'parley doc show {view.Id}' shows every party's.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Diff()
    {
        var id = IdArgument();
        var older = new Argument<int>("V1") { Description = "The older version." };
        var newer = new Argument<int>("V2") { Description = "The newer version." };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var command = new Command("diff", $"Word differences between two versions of a text, both opened and verified here: removed words in red and struck through, added ones in green; without colours [-removed-] and {{+added+}} {NeedsPassword}.")
        {
            id, older, newer, profile, stdin,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var pieces = await documents.Documents.CompareAsync(documentId, parsed.GetValue(older), parsed.GetValue(newer), cancellationToken).ConfigureAwait(false);
            DocumentPrinter.Diff(pieces);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command View()
    {
        var id = IdArgument();
        var version = VersionOption("show");
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var command = new Command("view", $"Show a text with its banner at the top and bottom. The text carries your own invisible marks, as a printed copy does, so a leaked excerpt of it can be traced to you {NeedsPassword}.")
        {
            id, version, profile, stdin,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var marked = await documents.Documents.ReadTextAsync(documentId, parsed.GetValue(version), cancellationToken).ConfigureAwait(false);
            var banner = marked.Document.Label.ToBanner();
            // Written as is: markup would eat brackets, and the marks include no-break spaces that must survive.
            await Console.Out.WriteLineAsync(banner).ConfigureAwait(false);
            await Console.Out.WriteLineAsync().ConfigureAwait(false);
            await Console.Out.WriteLineAsync(marked.Text.TrimEnd('\n', '\r')).ConfigureAwait(false);
            await Console.Out.WriteLineAsync().ConfigureAwait(false);
            await Console.Out.WriteLineAsync(banner).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    // ---- print, trace ----

    private static Command Print()
    {
        var id = IdArgument();
        var output = OutputOption("The PDF to write; written only if the copy was registered and rendered.");
        var version = VersionOption("print");
        var fonts = new Option<string>("--fonts")
        {
            Description = "The folder of the DejaVu Sans fonts embedded in the PDF.",
            HelpName = "DIR",
            DefaultValueFactory = _ => DejaVuFonts.DefaultDirectory,
        };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("print", $"Print a text to PDF, rendered on this device: the banner at the top and bottom of every page, a watermark with your name, the time and the copy number, and your invisible marks in the text. "
            + $"Each copy is registered (copy number, recipient, time, label) and logged; labels the deployment does not allow on paper are refused (exit {ExitCodes.Denied}, no file) {NeedsPassword}.")
        {
            id, output, version, fonts, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            var target = parsed.GetRequiredValue(output);
            var fontDirectory = parsed.GetRequiredValue(fonts);
            if (!File.Exists(Path.Combine(fontDirectory, "DejaVuSans.ttf")))
                throw new UsageException($"The DejaVu Sans fonts are not in {fontDirectory}; install fonts-dejavu-core or name their folder with --fonts DIR.");
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var printed = await WriteVerifiedAsync(target, stream => documents.Documents.PrintAsync(documentId, parsed.GetValue(version), stream, fontDirectory, cancellationToken))
                .ConfigureAwait(false);
            if (parsed.GetValue(json)) await Output.JsonAsync(PrintOutput.From(printed, Path.GetFullPath(target)), CliJson.Default.PrintOutput, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"Printed copy {printed.CopyNumber} of version {printed.Version} ({printed.Label.ToBanner()}) for {printed.RecipientName}: {printed.Pages} page{(printed.Pages == 1 ? "" : "s")}, "
                + $"{DocumentText.Size(printed.Bytes)}, {target}. The copy is on the print register until a security officer records its destruction.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Trace()
    {
        var file = new Argument<string>("FILE") { Description = "A file holding the leaked excerpt (a few hundred characters, re-typed or not); - for standard input (after the password line with --password-stdin)." };
        var document = new Option<string?>("--doc") { Description = "Only this document (default: every text with registered copies in your rooms).", HelpName = "ID" };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("trace", $"Security officers: name the copy (recipient and copy number; 0 = their on-screen view) a leaked excerpt came from, with a confidence. Every candidate text is opened on this device and each registered copy's marks are compared {NeedsPassword}. "
            + $"Exit 0 when a copy is identified, {ExitCodes.Inconclusive} when inconclusive, {ExitCodes.Denied} for someone who is not a security officer of a party.")
        {
            file, document, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var source = parsed.GetRequiredValue(file);
            var documentId = parsed.GetValue(document) is { } only ? CliDocuments.ParseId(only) : (Guid?)null;
            string? excerpt = source == "-" ? null : await File.ReadAllTextAsync(ExistingFile(source), cancellationToken).ConfigureAwait(false);
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            excerpt ??= await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(excerpt)) throw new UsageException("The excerpt is empty.");
            var asJson = parsed.GetValue(json);
            var report = await Transfer.StatusAsync(Transfer.Live(asJson), "Comparing registered copies",
                progress => documents.Documents.TraceAsync(excerpt, documentId, progress, cancellationToken)).ConfigureAwait(false);
            var output = TraceOutput.From(report);
            if (asJson) await Output.JsonAsync(output, CliJson.Default.TraceOutput, cancellationToken).ConfigureAwait(false);
            else PrintTrace(output);
            return report.Verdict == CanaryVerdict.Identified ? ExitCodes.Success : ExitCodes.Inconclusive;
        });
        return command;
    }

    private static void PrintTrace(TraceOutput t)
    {
        var identified = t.Verdict == "identified";
        AnsiConsole.MarkupLine(identified ? "[bold]Verdict:[/] [bold red]identified[/]" : "[bold]Verdict:[/] inconclusive");
        AnsiConsole.WriteLine($"Document:    '{t.Title}' ({t.DocumentId}), version {t.Version}");
        if (t.Copy is { } copy)
        {
            AnsiConsole.WriteLine($"{(identified ? "Recipient:" : "Closest:  ")}   {copy.RecipientName} <{copy.RecipientEmail}> ({copy.RecipientUserId})");
            AnsiConsole.WriteLine($"Copy:        {(copy.CopyNumber == 0 ? "0 (their on-screen view)" : $"{copy.CopyNumber} (printed {Output.Time(copy.IssuedAt)})")}");
        }
        else AnsiConsole.WriteLine("Recipient:   none stands out");
        AnsiConsole.WriteLine($"Confidence:  {(t.Confidence * 100).ToString("0.0", CultureInfo.InvariantCulture)} %");
        AnsiConsole.WriteLine($"Margin:      {t.MarginBits.ToString("0.0", CultureInfo.InvariantCulture)} bits over the runner-up");
        AnsiConsole.WriteLine($"Marks:       {t.SitesRead} read, {t.SitesMatched} matched");
        AnsiConsole.WriteLine(t.Explanation);
    }

    // ---- destroy, register, copy-destroyed, retention, reviews ----

    private static Command Destroy()
    {
        var id = IdArgument();
        var reason = new Option<string>("--reason") { Description = $"Why (1 to {DestructionCertificate.MaxTextLength} characters; in the certificate).", HelpName = "TEXT", Required = true };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (required when not at a terminal)." };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("destroy", "Destroy a document for everyone by cryptographic erase (NIST SP 800-88 purge): the server deletes every wrapped key of every version, then the ciphertext, and clients drop what they cached. "
            + $"You sign a destruction certificate (what, method, who, when, verified by), which is logged and which later downloads show. Printed copies stay on the register. Asks for confirmation unless --yes {NeedsPassword}.")
        {
            id, reason, yes, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            var why = parsed.GetRequiredValue(reason).Trim();
            if (why.Length is 0 or > DestructionCertificate.MaxTextLength) throw new UsageException($"Give a reason of 1 to {DestructionCertificate.MaxTextLength} characters.");
            var interactive = !Console.IsInputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (!parsed.GetValue(yes) && !interactive) throw new UsageException("Destruction cannot be undone: confirm with --yes when not at a terminal.");
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            if (!parsed.GetValue(yes))
            {
                var view = await session.Client.GetDocumentAsync(documentId, cancellationToken).ConfigureAwait(false);
                var question = $"Destroy '{view.Title}' ({view.Label}, {view.Versions.Count} version{(view.Versions.Count == 1 ? "" : "s")}) for everyone? This cannot be undone.";
                if (!await AnsiConsole.ConfirmAsync(Markup.Escape(question), defaultValue: false, cancellationToken).ConfigureAwait(false))
                {
                    AnsiConsole.WriteLine("Nothing was destroyed.");
                    return ExitCodes.Failure;
                }
            }
            await using var documents = await CliDocuments.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var destroyed = await documents.Documents.DestroyAsync(documentId, why, cancellationToken).ConfigureAwait(false);
            var certificate = CertificateOutput.From(destroyed.Certificate);
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(new DestroyOutput(destroyed.Document.Id, destroyed.Document.Title, destroyed.Document.DestroyedAt, certificate), CliJson.Default.DestroyOutput, cancellationToken)
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            }
            AnsiConsole.WriteLine($"Destroyed '{destroyed.Document.Title}': every wrapped key is deleted and downloads now answer with this certificate.");
            foreach (var line in DocumentPrinter.CertificateLines(certificate, session.Profile?.Email)) AnsiConsole.WriteLine(line);
            if (destroyed.Document.Prints > 0)
                AnsiConsole.WriteLine($"{destroyed.Document.Prints} printed cop{(destroyed.Document.Prints == 1 ? "y stays" : "ies stay")} on the register until a security officer records their destruction ('parley doc register {documentId}').");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Register()
    {
        var id = IdArgument();
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("register", "Security officers: a document's print register: every printed copy, its recipient, label and time, and whether its destruction was recorded.")
        {
            id, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var entries = await session.Client.GetPrintRegisterAsync(documentId, cancellationToken).ConfigureAwait(false);
            var output = entries.Select(RegisterEntryOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<RegisterEntryOutput>>(output, CliJson.Default.IReadOnlyListRegisterEntryOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (output.Count == 0)
            {
                AnsiConsole.WriteLine("No copy of the document was printed.");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Copy", "Version", "Recipient", "Label", "Printed", "Destroyed");
            foreach (var e in output)
                table.AddRow(new Text(e.CopyNumber.ToString(CultureInfo.InvariantCulture)), new Text(e.Version.ToString(CultureInfo.InvariantCulture)), new Text(e.RecipientName),
                    new Text(e.Label), new Text(Output.Time(e.PrintedAt)), new Text(e.DestroyedAt is null ? "outstanding" : $"{Output.Time(e.DestroyedAt)}: {e.DestructionNote}"));
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CopyDestroyed()
    {
        var id = IdArgument();
        var copy = new Argument<int>("COPY") { Description = "The copy number on the register." };
        var note = new Option<string>("--note") { Description = "How it was destroyed (shredded, burned, ...; 1 to 1000 characters).", HelpName = "TEXT", Required = true };
        var profile = CliOptions.Profile();
        var command = new Command("copy-destroyed", "Security officers: record that a printed copy was destroyed; it stays on the register with the record.")
        {
            id, copy, note, profile,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            var text = parsed.GetRequiredValue(note).Trim();
            if (text.Length is 0 or > 1000) throw new UsageException("Give a note of 1 to 1000 characters.");
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            await session.Client.RecordCopyDestroyedAsync(documentId, parsed.GetValue(copy), text, cancellationToken).ConfigureAwait(false);
            AnsiConsole.WriteLine($"Recorded the destruction of copy {parsed.GetValue(copy)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retention()
    {
        var id = IdArgument();
        var declassify = new Option<string?>("--declassify-on") { Description = "Declassification review date; 'none' removes it.", HelpName = "YYYY-MM-DD|none" };
        var destroyAfter = new Option<string?>("--destroy-after") { Description = "Last day of keeping (a destruction review is due from the next day); 'none' removes it.", HelpName = "YYYY-MM-DD|none" };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("retention", "Security officers: set a document's declassification and destruction review dates (the dates not given are kept); without options, show them. Nothing is destroyed automatically.")
        {
            id, declassify, destroyAfter, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var documentId = CliDocuments.ParseId(parsed.GetRequiredValue(id));
            var declassifyText = parsed.GetValue(declassify);
            var destroyText = parsed.GetValue(destroyAfter);
            static DateOnly? Date(string text, string option) =>
                text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : CliDocuments.ParseDate(text, option);
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.GetDocumentAsync(documentId, cancellationToken).ConfigureAwait(false);
            if (declassifyText is not null || destroyText is not null)
            {
                var declassifyOn = declassifyText is null ? view.DeclassifyOn : Date(declassifyText, "--declassify-on");
                var destroyOn = destroyText is null ? view.DestroyAfter : Date(destroyText, "--destroy-after");
                view = await session.Client.SetDocumentRetentionAsync(documentId, new SetRetentionRequest(declassifyOn, destroyOn), cancellationToken).ConfigureAwait(false);
            }
            if (parsed.GetValue(json))
                await Output.JsonAsync(new RetentionOutput(view.Id, view.Title, view.DeclassifyOn, view.DestroyAfter), CliJson.Default.RetentionOutput, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"'{view.Title}': declassify on {DocumentText.Date(view.DeclassifyOn)}, destroy after {DocumentText.Date(view.DestroyAfter)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Reviews()
    {
        var delegation = new Option<string?>("--delegation") { Description = "The delegation whose rooms to review (default: yours).", HelpName = "CODE" };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("reviews", "Security officers: documents due for a declassification or destruction review, as the daily job lists them, oldest first. Listing changes nothing.")
        {
            delegation, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var code = parsed.GetValue(delegation)?.Trim().ToUpperInvariant() ?? session.Delegation;
            var reviews = await session.Client.GetDocumentReviewsAsync(code, cancellationToken).ConfigureAwait(false);
            var output = reviews.Select(ReviewOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<ReviewOutput>>(output, CliJson.Default.IReadOnlyListReviewOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (output.Count == 0)
            {
                AnsiConsole.WriteLine($"Nothing is due for review in the rooms of {code}.");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Document", "Title", "Label", "Review", "Due", "Overdue");
            foreach (var r in output)
                table.AddRow(new Text(r.DocumentId.ToString()), new Text(r.Title), new Text(r.Label), new Text(r.Kind == "destroy" ? "destruction" : "declassification"),
                    new Text(DocumentText.Date(r.Date)), new Text($"{r.DaysOverdue} days"));
            AnsiConsole.Write(table);
            AnsiConsole.WriteLine("Nothing is destroyed or declassified without a security officer: 'parley doc destroy ID --reason TEXT', 'parley doc retention ID ...'.");
            return ExitCodes.Success;
        });
        return command;
    }
}
