namespace Parley.Protocol.Crypto;

/// <summary>
/// Domain-separation labels of PARLEY-PQ1. Every derivation and signature names its use, so that
/// output of one use is never valid input to another. Changing any of these breaks compatibility.
/// </summary>
public static class Labels
{
    /// <summary>Prefix of every HKDF info string of the suite.</summary>
    public const string SuitePrefix = "PARLEY-PQ1 ";
    /// <summary>Hybrid KEM combiner.</summary>
    public const string HybridKem = "hybrid-kem v1";
    /// <summary>Composite signature message prefix.</summary>
    public const string CompositeSignature = "composite-signature v1";
    /// <summary>FIPS 204 context string given to ML-DSA inside composite signatures.</summary>
    public const string MlDsaContext = "PARLEY-PQ1";
    /// <summary>Key wrapping AAD.</summary>
    public const string KeyWrap = "key-wrap v1";
    /// <summary>Sealed box (AES-256-GCM of a small payload) AAD prefix.</summary>
    public const string SealedBox = "sealed-box v1";
    /// <summary>Key of a payload sealed to a hybrid KEM public key.</summary>
    public const string HybridSeal = "hybrid-seal v1";
    /// <summary>Key that seals a user's private keys, derived from the password.</summary>
    public const string PasswordMasterKey = "password-master-key v1";
    /// <summary>Secret that authenticates a user to the server, derived from the password.</summary>
    public const string PasswordAuth = "password-auth v1";
    /// <summary>Associated data of a sealed identity private key.</summary>
    public const string IdentityKey = "identity-key v1";
    /// <summary>Associated data of sealed local device keys.</summary>
    public const string DeviceKeys = "device-keys v1";
    /// <summary>ECDSA P-384 signature of a device over a room structure; the structure's type name follows as context.</summary>
    public const string DeviceSignature = "device-signature v1";
    /// <summary>Key that seals an epoch secret in a room key package, derived from the hybrid KEM secret.</summary>
    public const string RoomKeyPackage = "room-key-package v1";
    /// <summary>Commitment to an epoch secret, published in the epoch's roster.</summary>
    public const string RoomEpochCommitment = "room-epoch-commitment v1";
    /// <summary>Epoch key of a room, derived from the epoch secret and bound to the roster.</summary>
    public const string RoomEpoch = "room-epoch v1";
    /// <summary>First chain key of one sender in one epoch.</summary>
    public const string RoomSenderChain = "room-sender-chain v1";
    /// <summary>Next chain key of a sender chain.</summary>
    public const string RoomChainStep = "room-chain-step v1";
    /// <summary>Message key and nonce of one step of a sender chain.</summary>
    public const string RoomMessageKey = "room-message-key v1";
    /// <summary>A room epoch's document key: what room-epoch key wraps of documents are made with (PROTOCOL §14.3).</summary>
    public const string RoomDocumentKey = "room-document-key v1";
    /// <summary>Associated data of a room message: its header.</summary>
    public const string RoomMessage = "room-message v1";
    /// <summary>First input of the hash chain of a safety number.</summary>
    public const string SafetyNumber = "safety-number v1";
    /// <summary>A device's proof of possession that binds a session to it (signed by the device's P-384 key).</summary>
    public const string DeviceBinding = "device-binding v1";
    /// <summary>Key that wraps a document version's key for one recipient device or one room epoch.</summary>
    public const string DocumentKey = "document-key v1";
    /// <summary>Key of the MAC over a document version's plaintext, derived from the document key.</summary>
    public const string DocumentPlaintext = "document-plaintext v1";
    /// <summary>Key of the canary-trap choices of one document, derived from its marking key.</summary>
    public const string DocumentCanary = "document-canary v1";

    /// <summary>"PARLEY-PQ1 " || <paramref name="label"/> || 0x00 || <paramref name="context"/>: the HKDF info
    /// or AEAD associated data for one use. The zero byte keeps label and context parseable.</summary>
    public static byte[] Bind(string label, ReadOnlySpan<byte> context)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var prefixLength = System.Text.Encoding.ASCII.GetByteCount(SuitePrefix) + System.Text.Encoding.ASCII.GetByteCount(label);
        var bound = new byte[prefixLength + 1 + context.Length];
        var written = System.Text.Encoding.ASCII.GetBytes(SuitePrefix, bound);
        System.Text.Encoding.ASCII.GetBytes(label, bound.AsSpan(written));
        context.CopyTo(bound.AsSpan(prefixLength + 1));
        return bound;
    }
}
