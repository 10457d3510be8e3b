using System.Runtime.InteropServices;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using Parley.Web.Browser;

namespace Parley.Web.Documents;

/// <summary>
/// A write-only stream that collects a file in the browser (<c>download*</c> of <c>parley-browser.js</c>)
/// and offers it to the person with <see cref="Save"/> once it is complete and verified. Each write is
/// copied out of the .NET heap at once, so .NET holds one part at a time; the browser holds the whole
/// file until it is saved. Disposing without saving zeroes and drops what was collected: a download
/// that failed verification offers no file.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed partial class BrowserDownload : Stream
{
    private readonly int _handle;
    private long _written;
    private bool _closed;

    /// <summary>Starts collecting a file.</summary>
    public BrowserDownload() => _handle = Begin();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_closed;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (buffer.IsEmpty) return;
        // The interop takes a Span; the module only reads it (copies it out), so the read-only view is not written to.
        Append(_handle, MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(buffer), buffer.Length));
        _written += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <summary>Offers what was written as a file named <paramref name="fileName"/>; the stream is closed afterwards.</summary>
    public long Save(string fileName, string mediaType)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _closed = true;
        return (long)SaveFile(_handle, fileName, mediaType);
    }

    protected override void Dispose(bool disposing)
    {
        if (!_closed)
        {
            _closed = true;
            Discard(_handle);
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    [JSImport("downloadBegin", BrowserInterop.ModuleName)]
    private static partial int Begin();

    [JSImport("downloadAppend", BrowserInterop.ModuleName)]
    private static partial void Append(int handle, [JSMarshalAs<JSType.MemoryView>] Span<byte> bytes);

    [JSImport("downloadDiscard", BrowserInterop.ModuleName)]
    private static partial void Discard(int handle);

    [JSImport("downloadSave", BrowserInterop.ModuleName)]
    private static partial double SaveFile(int handle, string name, string type);
}
