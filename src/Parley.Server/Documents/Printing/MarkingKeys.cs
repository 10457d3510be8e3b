using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents.Canary;
using Parley.Server.Documents.Model;
using Parley.Server.Identity.Security;

namespace Parley.Server.Documents.Printing;

/// <summary>
/// The print register's marking keys (PROTOCOL §14.7): one random 32-byte key per document, stored
/// sealed under the server's at-rest key and bound to the document's id, so a copy of the database
/// alone does not give the choices of anyone's copy. Only per-copy choices ever leave the server.
/// </summary>
public sealed class MarkingKeys(AtRestCipher cipher)
{
    /// <summary>A new document's sealed marking key.</summary>
    public byte[] New(Guid documentId)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            return cipher.Seal(key, documentId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>True when the document's stored key opens (checked before anything is registered).</summary>
    public bool Opens(DocumentRecord document)
    {
        var opened = cipher.Open(document.MarkingKey, document.Id);
        if (opened is null) return false;
        CryptographicOperations.ZeroMemory(opened);
        return true;
    }

    /// <summary>The choices of one copy of <paramref name="document"/> for a text of <paramref name="sites"/> sites.</summary>
    /// <exception cref="InvalidOperationException">The stored key does not open (altered, or sealed for another document).</exception>
    public byte[] Choices(DocumentRecord document, CanaryCopy copy, int sites)
    {
        var opened = cipher.Open(document.MarkingKey, document.Id)
            ?? throw new InvalidOperationException($"The marking key of document {document.Id} does not open: the database was altered.");
        try
        {
            using var key = SecretKey.Import(opened);
            return CanaryChoices.Derive(key, document.Id, copy, sites).Encode();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(opened);
        }
    }
}
