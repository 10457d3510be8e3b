using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Parley.Bench.Benchmarks;

/// <summary>Bulk benchmarks: adds MB/s (10^6 bytes, as openssl counts) from the mean, and allocations.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new ThroughputColumn(StreamBenchmarks.Bytes));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary>Public-key benchmarks: adds operations per second.</summary>
public sealed class OperationsConfig : ManualConfig
{
    public OperationsConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

public sealed class ThroughputColumn(long bytesPerOperation) : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"Megabytes (10^6) per second: {bytesPerOperation} bytes per operation over the mean time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 ? (bytesPerOperation / 1e6 / (mean.Value / 1e9)).ToString("F1", CultureInfo.InvariantCulture) : "NA";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
