using BenchmarkDotNet.Running;
using Parley.Bench.Quick;

namespace Parley.Bench;

/// <summary>
/// Quick modes (stream, openssl, memory, browser, ledger, documents, rooms, cli-documents) print one figure in seconds for reports; anything else
/// goes to BenchmarkDotNet, e.g. <c>-- --filter *Stream*</c> or <c>-- --list flat</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "stream" => await StreamThroughput.RunAsync(Options.Parse(args[1..])),
                "openssl" => await OpensslComparison.RunAsync(Options.Parse(args[1..], OpensslComparison.DefaultMib)),
                "memory" => await MemoryProfile.RunAsync(Options.Parse(args[1..])),
                "documents" => await DocumentRoundTrip.RunAsync(Options.Parse(args[1..])),
                "browser" => await BrowserComparison.RunAsync(Options.Parse(args[1..], BrowserComparison.DefaultMib)),
                "ledger" => await LedgerBench.RunAsync(args[1..]),
                "rooms" => await RoomsBench.RunAsync(args[1..]),
                "cli-documents" => await CliDocuments.RunAsync(args[1..]),
                "help" or "--help" or "-h" => Usage(),
                _ => RunBenchmarkDotNet(args),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Usage();
            return 2;
        }
    }

    private static int RunBenchmarkDotNet(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: dotnet run -c Release --project bench/Parley.Bench -- <mode>
              stream  [--mib N] [--backend platform|bouncycastle] [--runs R] [--batch C]
              openssl [--mib N (default 8192)] [--backend platform|bouncycastle] [--runs R] [--seconds S]
              memory  [--gib N] [--backend platform|bouncycastle] [--dir PATH]
              documents [--gib N (default 2)] [--backend platform|bouncycastle] [--dir PATH] [--seconds S]
              browser --url http://127.0.0.1:PORT/ [--mib N (default 64)] [--runs R]
              ledger  [--entries N (default 1000000)] [--producers P] [--per-commit K] [--dir PATH]
              rooms   [--members N (default 50)] [--messages M (default 200)]
              cli-documents [--gib N (default 2)] [--parley PATH/parley.dll] [--dir PATH]   (build src/Parley.Cli in Release first)
              <BenchmarkDotNet arguments>, e.g. --filter '*' --job short
            """);
        return 2;
    }
}
