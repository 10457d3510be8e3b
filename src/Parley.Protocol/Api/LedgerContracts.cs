using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Protocol.Api;

/// <summary>A registered witness, as <c>GET /ledger/witnesses</c> lists it.</summary>
/// <param name="Delegation">The delegation whose witness it is.</param>
/// <param name="Name">A name for people.</param>
/// <param name="VerifierKey">Its cosignature/v1 verifier key string.</param>
public sealed record WitnessView(string Delegation, string Name, string VerifierKey);

/// <summary>What <c>POST /ledger/cosignatures</c> answers when it keeps a cosignature.</summary>
/// <param name="CheckpointSize">Size of the checkpoint the cosignature is for.</param>
/// <param name="Witness">The witness's name.</param>
public sealed record CosignatureAccepted(long CheckpointSize, string Witness);

/// <summary>Registers a delegation's witness key.</summary>
/// <param name="Name">A name for people (1 to 100 characters).</param>
/// <param name="VerifierKey">The witness's cosignature/v1 verifier key string.</param>
public sealed record RegisterWitnessRequest(string Name, string VerifierKey);

/// <summary>A registered witness and where its registration is in the ledger.</summary>
/// <param name="Witness">The witness.</param>
/// <param name="LedgerIndex">Index of the registration's entry, to check its inclusion.</param>
/// <param name="TreeSize">Size of a signed checkpoint that includes it.</param>
public sealed record WitnessRegistered(WitnessView Witness, long LedgerIndex, long TreeSize);

/// <summary>Where the entries about one subject are, as <c>GET /ledger/entries?subject=</c> answers. The
/// list is a lookup, not a proof: a client proves each entry's inclusion, and only a whole-log audit
/// shows that none is missing.</summary>
/// <param name="Subject">The subject asked for, e.g. <c>device:&lt;id&gt;</c>.</param>
/// <param name="Indices">Indices of the integrated entries about it, oldest first.</param>
public sealed record LedgerSubjectIndex(string Subject, IReadOnlyList<long> Indices);

/// <summary>Source-generated JSON of the ledger's API contract.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WitnessView))]
[JsonSerializable(typeof(IReadOnlyList<WitnessView>))]
[JsonSerializable(typeof(CosignatureAccepted))]
[JsonSerializable(typeof(RegisterWitnessRequest))]
[JsonSerializable(typeof(WitnessRegistered))]
[JsonSerializable(typeof(LedgerSubjectIndex))]
public sealed partial class LedgerJson : JsonSerializerContext;
