using System.Text;
using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

/// <summary>Recomputing a whole log names the first index where stored data and recomputation diverge.</summary>
public class LogAuditTests
{
    private const int Size = 70_000;

    private static (MemoryLog Log, Checkpoint Checkpoint) Log(int size = Size)
    {
        var log = MemoryLog.WithEntries(size);
        return (log, Checkpoint.Create("parley.test/ledger", log.Size, log.Root()));
    }

    [Fact]
    public async Task An_intact_log_verifies()
    {
        var (log, checkpoint) = Log();
        var report = await LogAudit.RunAsync(log, checkpoint);
        Assert.True(report.Ok, report.Error?.ToString());
        Assert.Equal(Size, report.EntriesChecked);
        Assert.Null(report.FirstBadIndex);
        var empty = MemoryLog.WithEntries(0);
        Assert.True((await LogAudit.RunAsync(empty, Checkpoint.Create("o", 0, MerkleHash.EmptyRoot()))).Ok);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(65_600)]
    [InlineData(69_999)]
    public async Task A_modified_entry_is_named(int index)
    {
        var (log, checkpoint) = Log();
        log.Entries[index] = Encoding.UTF8.GetBytes("rewritten");
        await AssertFirstBad(log, checkpoint, index);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(65_600)]
    public async Task An_inserted_entry_is_named(int index)
    {
        var (log, checkpoint) = Log();
        log.Entries.Insert(index, Encoding.UTF8.GetBytes("inserted"));
        await AssertFirstBad(log, checkpoint, index);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(69_999)]
    public async Task A_deleted_entry_is_named(int index)
    {
        var (log, checkpoint) = Log();
        log.Entries.RemoveAt(index);
        await AssertFirstBad(log, checkpoint, index);
    }

    [Fact]
    public async Task Reordered_entries_are_named_at_the_first_moved()
    {
        var (log, checkpoint) = Log();
        (log.Entries[300], log.Entries[40_000]) = (log.Entries[40_000], log.Entries[300]);
        await AssertFirstBad(log, checkpoint, 300);
    }

    [Fact]
    public async Task A_changed_hash_in_an_upper_tile_is_named_at_the_first_entry_it_covers()
    {
        var (log, checkpoint) = Log();
        log.Tiles[(1, 0)][5 * 32] ^= 1;
        await AssertFirstBad(log, checkpoint, 5 * 256);
        (log, checkpoint) = Log();
        log.Tiles[(2, 0)][0] ^= 1;
        await AssertFirstBad(log, checkpoint, 0);
    }

    [Fact]
    public async Task A_log_rewritten_with_its_tiles_fails_against_the_signed_root()
    {
        var (_, checkpoint) = Log(1000);
        var rewritten = new MemoryLog();
        for (var i = 0; i < 1000; i++) rewritten.Append(Encoding.UTF8.GetBytes(i == 500 ? "other" : $"entry {i}"));
        var report = await LogAudit.RunAsync(rewritten, checkpoint);
        Assert.False(report.Ok);
        Assert.Null(report.FirstBadIndex);
        Assert.Equal(ProtocolErrorCode.InvalidProof, report.Error?.Code);
    }

    [Fact]
    public async Task Entries_that_fail_the_entry_check_are_named()
    {
        var (log, checkpoint) = Log(600);
        var report = await LogAudit.RunAsync(log, checkpoint, entry => Encoding.UTF8.GetString(entry) == "entry 321" ? new ProtocolError(ProtocolErrorCode.Malformed, "not a ledger entry") : null);
        Assert.Equal(321, report.FirstBadIndex);
        Assert.Equal(ProtocolErrorCode.Malformed, report.Error?.Code);
    }

    [Fact]
    public async Task A_missing_tile_is_named_at_its_first_entry()
    {
        var (log, checkpoint) = Log(1000);
        log.Tiles.Remove((0, 2));
        await AssertFirstBad(log, checkpoint, 512);
    }

    private static async Task AssertFirstBad(MemoryLog log, Checkpoint checkpoint, long index)
    {
        var report = await LogAudit.RunAsync(log, checkpoint);
        Assert.False(report.Ok);
        Assert.Equal(index, report.FirstBadIndex);
    }
}
