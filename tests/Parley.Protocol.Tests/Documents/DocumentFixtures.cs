using System.Collections.Immutable;
using System.Security.Cryptography;
using Parley.Protocol.Documents;

namespace Parley.Protocol.Tests.Documents;

internal static class DocumentFixtures
{
    public static readonly Guid DocumentId = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");

    public static DocumentVersion Version(int version = 1, string label = "SECRET//REL TO ATL, BOR", ImmutableArray<string>? marks = null, ImmutableArray<byte>? previous = null, long contentLength = 1000) =>
        new(DocumentId, version, previous ?? (version == 1 ? [] : [.. new byte[32]]), label,
            marks ?? ["(S//REL TO ATL, BOR)", "(U)"], "text/markdown", contentLength, [.. RandomNumberGenerator.GetBytes(24)],
            DocumentVersion.CiphertextLengthOf(contentLength), [.. RandomNumberGenerator.GetBytes(32)], [.. RandomNumberGenerator.GetBytes(32)],
            Guid.NewGuid(), Guid.NewGuid(), 1_795_867_200);
}
