using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>Why a witness registration was refused.</summary>
public enum WitnessRegistrationFailure
{
    /// <summary>Registered.</summary>
    None,
    /// <summary>A value is malformed (delegation code, name, verifier key).</summary>
    Invalid,
    /// <summary>That key is already registered.</summary>
    Duplicate,
}

/// <summary>The outcome of <see cref="WitnessRegistry.RegisterAsync"/>.</summary>
/// <param name="Failure">Why it was refused, or <see cref="WitnessRegistrationFailure.None"/>.</param>
/// <param name="Message">A sentence for the operator.</param>
/// <param name="Witness">The registered witness.</param>
/// <param name="Record">Its ledger entry (queued in the same transaction).</param>
public sealed record WitnessRegistration(WitnessRegistrationFailure Failure, string Message, Witness? Witness = null, LedgerRecord? Record = null);

/// <summary>
/// The delegations' witnesses: the cosignature/v1 keys whose cosignatures the server accepts. A
/// registration and its ledger entry are saved together: if the entry cannot be queued, the witness is
/// not registered.
/// </summary>
public sealed class WitnessRegistry(ParleyDbContext db, LedgerWriter ledger)
{
    /// <summary>Registers <paramref name="verifierKey"/> as the witness <paramref name="name"/> of <paramref name="delegation"/>.</summary>
    /// <param name="delegation">The delegation's code.</param>
    /// <param name="name">A name for people (1 to 100 characters).</param>
    /// <param name="verifierKey">The witness's cosignature/v1 verifier key string.</param>
    /// <param name="actor">Who registers it (null for the operator's command).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public async Task<WitnessRegistration> RegisterAsync(string delegation, string name, string verifierKey, Guid? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delegation);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(verifierKey);
        if (!DelegationCode.IsValid(delegation))
            return new(WitnessRegistrationFailure.Invalid, $"'{delegation}' is not a delegation code (2 to 8 capital letters).");
        name = name.Trim();
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
            return new(WitnessRegistrationFailure.Invalid, "A witness name is 1 to 100 characters without control characters.");
        var key = NoteKeys.ParseVerifierKey(verifierKey.Trim());
        if (!key.IsOk) return new(WitnessRegistrationFailure.Invalid, $"The verifier key is not valid: {key.Error.Message}");
        if (key.Value.Type != NoteKeyType.CosignatureV1)
            return new(WitnessRegistrationFailure.Invalid, "A witness key is a cosignature/v1 key (signature type 0x04); `parley witness` prints one.");
        var keyName = key.Value.Name;
        var keyId = (long)key.Value.KeyId;
        if (await db.Set<Witness>().AnyAsync(w => w.KeyName == keyName && w.KeyId == keyId, cancellationToken).ConfigureAwait(false))
            return new(WitnessRegistrationFailure.Duplicate, $"The witness key {keyName}+{keyId:x8} is already registered.");

        var witness = new Witness
        {
            Delegation = delegation,
            Name = name,
            VerifierKey = key.Value.VerifierKey,
            KeyName = keyName,
            KeyId = keyId,
            RegisteredAt = DateTimeOffset.UtcNow,
        };
        db.Set<Witness>().Add(witness);
        var record = ledger.Record(LedgerEventType.WitnessRegistered, actor, delegation, $"witness:{keyName}+{keyId:x8}",
            new LedgerField("name", name), new LedgerField("verifier-key", witness.VerifierKey));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new(WitnessRegistrationFailure.None, $"Registered {name} ({witness.VerifierKey}) for {delegation}.", witness, record);
    }

    /// <summary>Every registered witness, by delegation and name.</summary>
    public async Task<IReadOnlyList<Witness>> ListAsync(CancellationToken cancellationToken) =>
        await db.Set<Witness>().AsNoTracking().OrderBy(w => w.Delegation).ThenBy(w => w.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>Why a cosignature was refused.</summary>
public enum CosignatureRefusal
{
    /// <summary>Accepted.</summary>
    None,
    /// <summary>Not one cosignature/v1 signature line.</summary>
    Malformed,
    /// <summary>The key is not a registered witness's.</summary>
    Unregistered,
    /// <summary>It does not verify against the current or a recent checkpoint, or its time is in the future.</summary>
    DoesNotVerify,
}

/// <summary>The outcome of <see cref="CosignatureIntake.AcceptAsync"/>.</summary>
/// <param name="Refusal">Why it was refused, or <see cref="CosignatureRefusal.None"/>.</param>
/// <param name="Message">A sentence for the witness's operator.</param>
/// <param name="CheckpointSize">The cosigned checkpoint's size when accepted.</param>
/// <param name="Witness">The witness when known.</param>
public sealed record CosignatureOutcome(CosignatureRefusal Refusal, string Message, long? CheckpointSize = null, Witness? Witness = null);

/// <summary>Takes witnesses' cosignatures of the log's recent checkpoints.</summary>
public sealed class CosignatureIntake(ParleyDbContext db, ILedgerReader reader, ICosignatureStore store, TimeProvider time)
{
    /// <summary>How many of the latest checkpoints a cosignature may be for.</summary>
    public const int RecentCheckpoints = 64;

    /// <summary>How far in the future a cosignature's timestamp may be (clock skew).</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);

    /// <summary>Checks and keeps one cosignature line.</summary>
    public async Task<CosignatureOutcome> AcceptAsync(string line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.EndsWith('\n') ? line[..^1] : line;
        if (trimmed.Length > 4096 || trimmed.Contains('\n', StringComparison.Ordinal))
            return new(CosignatureRefusal.Malformed, "Send exactly one cosignature line.");
        var parsed = NoteSignature.ParseLine(trimmed);
        if (!parsed.IsOk) return new(CosignatureRefusal.Malformed, $"Not a signature line: {parsed.Error.Message}");
        var signature = parsed.Value;
        if (CosignatureV1Verifier.Timestamp(signature.Signature) is not { } timestamp)
            return new(CosignatureRefusal.Malformed, "A cosignature/v1 signature is an 8-byte timestamp and a 64-byte Ed25519 signature.");

        var keyId = (long)signature.KeyId;
        var witness = await db.Set<Witness>().AsNoTracking().FirstOrDefaultAsync(w => w.KeyName == signature.Name && w.KeyId == keyId, cancellationToken).ConfigureAwait(false);
        if (witness is null) return new(CosignatureRefusal.Unregistered, $"{signature.Name}+{signature.KeyId:x8} is not a registered witness key.");
        if (DateTimeOffset.FromUnixTimeSeconds(Math.Min(timestamp, DateTimeOffset.MaxValue.ToUnixTimeSeconds())) > time.GetUtcNow() + AllowedSkew)
            return new(CosignatureRefusal.DoesNotVerify, "The cosignature's time is in the future.", Witness: witness);

        var verifier = NoteKeys.ParseVerifierKey(witness.VerifierKey).Value;
        foreach (var checkpoint in await reader.ReadRecentCheckpointsAsync(RecentCheckpoints, cancellationToken).ConfigureAwait(false))
        {
            var text = SignedNote.Parse(checkpoint.Note).Value.Text;
            if (!verifier.Verify(text, signature.Signature)) continue;
            await store.SaveAsync(checkpoint.Size, witness.Id, timestamp, signature.Line, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return new(CosignatureRefusal.None, $"Cosignature of checkpoint {checkpoint.Size} by {witness.Name} kept.", checkpoint.Size, witness);
        }
        return new(CosignatureRefusal.DoesNotVerify, $"The cosignature does not verify against any of the latest {RecentCheckpoints} checkpoints.", Witness: witness);
    }
}
