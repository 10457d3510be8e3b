using System.Security.Cryptography;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Storage;

/// <summary>An upload part that would take the upload past what one version may hold, or a part larger than allowed.</summary>
public sealed class UploadTooLargeException(string message) : Exception(message);

/// <summary>
/// The ciphertext files of documents under the data folder: <c>documents/uploads/{id:N}.part</c> while an
/// upload fills, <c>documents/{document:N}/{version}.bin</c> once a version is accepted. Every file and
/// folder is private to the server's user. Bodies are streamed with a bounded buffer, never held whole.
/// </summary>
public sealed class DocumentBlobs
{
    /// <summary>The copy buffer (256 KiB).</summary>
    public const int BufferSize = 256 * 1024;

    public DocumentBlobs(DataDirectory data)
    {
        Root = Path.Combine(data.Root, "documents");
        UploadsPath = Path.Combine(Root, "uploads");
        CreatePrivateFolder(Root);
        CreatePrivateFolder(UploadsPath);
    }

    public string Root { get; }

    public string UploadsPath { get; }

    public string UploadPath(Guid upload) => Path.Combine(UploadsPath, $"{upload:N}.part");

    public string DocumentFolder(Guid document) => Path.Combine(Root, document.ToString("N"));

    public string VersionPath(Guid document, int version) =>
        Path.Combine(DocumentFolder(document), version.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".bin");

    /// <summary>Creates the empty part file of a new upload (0600).</summary>
    public void CreateUpload(Guid upload)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var _ = new FileStream(UploadPath(upload), options);
    }

    /// <summary>
    /// Writes <paramref name="body"/> at <paramref name="offset"/> of the upload's part file (dropping anything
    /// after <paramref name="offset"/> first: the tail of an earlier part that was not acknowledged), at most
    /// <paramref name="maxPart"/> bytes and never past <paramref name="maxTotal"/>. Returns the bytes written; on
    /// any failure the file is cut back to <paramref name="offset"/>.
    /// </summary>
    public async Task<long> AppendAsync(Guid upload, long offset, Stream body, long maxPart, long maxTotal, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(UploadPath(upload), new FileStreamOptions
        {
            Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, Options = FileOptions.Asynchronous,
        });
        file.SetLength(offset);
        file.Position = offset;
        var buffer = new byte[BufferSize];
        long written = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (written + read > maxPart) throw new UploadTooLargeException($"A part is at most {maxPart} bytes; send the rest in further parts.");
                if (offset + written + read > maxTotal) throw new UploadTooLargeException($"A version is at most {maxTotal} bytes on this server.");
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
            }
            file.Flush(flushToDisk: true);
            return written;
        }
        catch
        {
            file.SetLength(offset);
            throw;
        }
    }

    /// <summary>The length and SHA-256 of a file, read in one pass.</summary>
    public static async Task<(long Length, byte[] Hash)> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = 0, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long length = 0;
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }
        return (length, hash.GetHashAndReset());
    }

    /// <summary>Moves an upload's part file to its place as a version's ciphertext.</summary>
    public void Promote(Guid upload, Guid document, int version)
    {
        CreatePrivateFolder(DocumentFolder(document));
        File.Move(UploadPath(upload), VersionPath(document, version));
    }

    /// <summary>Undoes <see cref="Promote"/> after the database refused the version (and removes a folder left empty).</summary>
    public void Demote(Guid upload, Guid document, int version)
    {
        var path = VersionPath(document, version);
        if (File.Exists(path)) File.Move(path, UploadPath(upload), overwrite: true);
        var folder = DocumentFolder(document);
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }

    public void DeleteUpload(Guid upload) => File.Delete(UploadPath(upload));

    /// <summary>Deletes every ciphertext file of a document, and its folder.</summary>
    public void DeleteDocument(Guid document)
    {
        var folder = DocumentFolder(document);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
