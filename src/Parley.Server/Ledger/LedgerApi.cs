using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;

namespace Parley.Server.Ledger;

/// <summary>
/// The log as C2SP tlog-tiles under <c>/ledger/</c>: the checkpoint with its cosignatures, hash tiles
/// and entry bundles at their exact paths, the log's verifier keys, and witnesses' cosignatures.
/// Everything here is public: entries hold no content, only ids, hashes and HMACs.
/// </summary>
public static class LedgerApi
{
    private const string OctetStream = "application/octet-stream";
    private const string Immutable = "public, max-age=31536000, immutable";
    private const string NoCache = "no-cache";
    private const int MaxCosignatureBody = 8192;
    private const int MaxIndices = 1000;
    private static readonly TimeSpan IntegrationPatience = TimeSpan.FromSeconds(30);

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder app)
    {
        var ledger = app.MapGroup("/ledger").WithTags("Ledger")
            .Public("Every delegation and its witnesses verify the log without trusting the host: entries hold ids, hashes and HMACs, never content; cosignatures authenticate by the registered witness key.");
        ledger.MapGet("/checkpoint", GetCheckpointAsync)
            .WithName("GetCheckpoint")
            .WithSummary("The latest checkpoint (C2SP tlog-checkpoint signed note) with the witnesses' cosignatures.");
        ledger.MapGet("/checkpoints/{size:long}", GetCheckpointOfSizeAsync)
            .WithName("GetCheckpointOfSize")
            .WithSummary("An earlier checkpoint of the log, with the cosignatures it received.");
        ledger.MapGet("/tile/{**path}", GetTileAsync)
            .WithName("GetTile")
            .WithSummary("A hash tile (tile/<L>/<N>[.p/<W>]) or an entry bundle (tile/entries/<N>[.p/<W>]), as in C2SP tlog-tiles.");
        ledger.MapGet("/verifier-key", GetVerifierKey)
            .WithName("GetVerifierKey")
            .WithSummary("The log's note verifier keys, one per line: Ed25519 (type 0x01), then ML-DSA-87 (type 0xff, PARLEY-ML-DSA-87).");
        ledger.MapGet("/entries", FindEntriesAsync)
            .WithName("FindLedgerEntries")
            .WithSummary("The indices of the entries about a subject (?subject=device:<id>), oldest first, at most 1000: a lookup, whose entries a client proves.");
        ledger.MapGet("/witnesses", ListWitnessesAsync)
            .WithName("ListWitnesses")
            .WithSummary("The registered witnesses of every delegation.");
        ledger.MapPost("/cosignatures", PostCosignatureAsync)
            .WithName("PostCosignature")
            .WithSummary("A registered witness's cosignature/v1 line for the current or a recent checkpoint (text/plain).")
            .Accepts<string>("text/plain");
        app.MapGroup("/api/delegations/{code}/witnesses").WithTags("Ledger")
            .MapPost("", RegisterWitnessAsync)
            .RequiresPolicy(Actions.ManageWitnesses, Resources.Delegation("code"))
            .WithName("RegisterWitness")
            .WithSummary("Registers the delegation's witness key (security officer). Answers once the registration is in a signed checkpoint, with the index of its ledger entry.");
        // Anything else under /ledger/ is a missing resource, not the web client; /ledger itself is the
        // web client's ledger explorer.
        ledger.Map("/{**rest:minlength(1)}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no ledger resource at this address."))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetCheckpointAsync(ILedgerReader reader, ICosignatureStore cosignatures, HttpContext http, CancellationToken cancellationToken)
    {
        var latest = await reader.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (latest is null) return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No checkpoint yet");
        return await WithCosignaturesAsync(latest, cosignatures, http, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetCheckpointOfSizeAsync(long size, ILedgerReader reader, ICosignatureStore cosignatures, HttpContext http, CancellationToken cancellationToken)
    {
        var checkpoint = await reader.ReadCheckpointAsync(size, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The log signed no checkpoint of size {size}.");
        return await WithCosignaturesAsync(checkpoint, cosignatures, http, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> WithCosignaturesAsync(SignedCheckpoint checkpoint, ICosignatureStore cosignatures, HttpContext http, CancellationToken cancellationToken)
    {
        var lines = await cosignatures.ReadLinesAsync(checkpoint.Size, cancellationToken).ConfigureAwait(false);
        http.Response.Headers.CacheControl = NoCache;
        return TypedResults.Text(checkpoint.Note + string.Concat(lines), LedgerText.ContentType, LedgerText.Utf8);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetTileAsync(string path, ILedgerReader reader, HttpContext http, CancellationToken cancellationToken)
    {
        var parsed = TileAddress.ParsePath(path);
        if (!parsed.IsOk) return NotFound($"'{path}' is not a tile path: {parsed.Error.Message}");
        var tile = parsed.Value;
        var latest = await reader.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var size = latest?.Size ?? 0;
        var end = (tile.Index * TileAddress.FullWidth) + tile.Width;
        byte[] body;
        if (tile.Kind == TileKind.Entries)
        {
            if (tile.Index > (size - 1) / TileAddress.FullWidth || end > size) return NotFound($"The log has no {tile.Path} yet.");
            // Served as stored, gaps included: verifiers find where the data went wrong.
            body = EntryBundle.Encode(await reader.ReadEntriesAsync(tile.Index * TileAddress.FullWidth, tile.Width, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            var stored = await reader.ReadTileAsync(tile.Level, tile.Index, cancellationToken).ConfigureAwait(false);
            // Hashes never change once written, so a shorter tile is a prefix of the stored one.
            if (stored is null || stored.Length < tile.Width * MerkleHash.Size) return NotFound($"The log has no {tile.Path} yet.");
            body = stored[..(tile.Width * MerkleHash.Size)];
        }
        http.Response.Headers.CacheControl = tile.IsPartial ? NoCache : Immutable;
        return TypedResults.File(body, OctetStream);
    }

    private static ContentHttpResult GetVerifierKey(LedgerIdentity identity, HttpContext http)
    {
        http.Response.Headers.CacheControl = NoCache;
        return TypedResults.Text(identity.VerifierKeyText, LedgerText.ContentType, LedgerText.Utf8);
    }

    private static async Task<Results<Ok<LedgerSubjectIndex>, ProblemHttpResult>> FindEntriesAsync(string? subject, ILedgerReader reader, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(subject) || subject.Length > 200)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: "Give ?subject= (1 to 200 characters), e.g. device:<id>.");
        var indices = await reader.FindIndicesAsync(subject, MaxIndices, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new LedgerSubjectIndex(subject, indices));
    }

    private static async Task<Ok<IReadOnlyList<WitnessView>>> ListWitnessesAsync(WitnessRegistry registry, CancellationToken cancellationToken)
    {
        var witnesses = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<WitnessView>>([.. witnesses.Select(w => new WitnessView(w.Delegation, w.Name, w.VerifierKey))]);
    }

    private static async Task<Results<Ok<CosignatureAccepted>, ProblemHttpResult>> PostCosignatureAsync(HttpRequest request, CosignatureIntake intake, CancellationToken cancellationToken)
    {
        var body = await ReadTextAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null) return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad cosignature", detail: $"Send one cosignature line as UTF-8 text of at most {MaxCosignatureBody} bytes.");
        var outcome = await intake.AcceptAsync(body, cancellationToken).ConfigureAwait(false);
        return outcome.Refusal switch
        {
            CosignatureRefusal.None => TypedResults.Ok(new CosignatureAccepted(outcome.CheckpointSize!.Value, outcome.Witness!.Name)),
            CosignatureRefusal.Unregistered => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Unregistered witness", detail: outcome.Message),
            CosignatureRefusal.DoesNotVerify => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Cosignature refused", detail: outcome.Message),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad cosignature", detail: outcome.Message),
        };
    }

    private static async Task<Results<Created<WitnessRegistered>, ProblemHttpResult>> RegisterWitnessAsync(
        string code, RegisterWitnessRequest request, Caller caller, WitnessRegistry registry, LedgerSequencer sequencer, CancellationToken cancellationToken)
    {
        var registration = await registry.RegisterAsync(code, request.Name ?? "", request.VerifierKey ?? "", caller.User.Id, cancellationToken).ConfigureAwait(false);
        switch (registration.Failure)
        {
            case WitnessRegistrationFailure.Invalid: return Problems.BadRequest(registration.Message);
            case WitnessRegistrationFailure.Duplicate: return Problems.Conflict(registration.Message);
        }
        var witness = registration.Witness!;
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(IntegrationPatience);
        try
        {
            var integration = await sequencer.WaitForIntegrationAsync(registration.Record!.QueueId, patience.Token).ConfigureAwait(false);
            return TypedResults.Created("/ledger/witnesses", new WitnessRegistered(new WitnessView(witness.Delegation, witness.Name, witness.VerifierKey), integration.Index, integration.TreeSize));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not yet in the ledger",
                detail: "The witness is registered, but its ledger entry is not in a signed checkpoint yet; see GET /ledger/witnesses and the ledger.");
        }
    }

    private static async Task<string?> ReadTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxCosignatureBody) return null;
        var buffer = new byte[MaxCosignatureBody + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0) length += read;
        if (length > MaxCosignatureBody) return null;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
