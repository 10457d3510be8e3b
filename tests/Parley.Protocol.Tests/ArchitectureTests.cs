using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Tests;

/// <summary>
/// Parley.Protocol stays pure: it runs in the browser and does no I/O of its own. It may reference
/// only the base class library, BouncyCastle and System.Formats.Cbor, and its IL may not touch files,
/// directories, the network or the console.
/// </summary>
public class ArchitectureTests
{
    private static readonly string[] AllowedPackages = ["BouncyCastle.Cryptography", "System.Formats.Cbor"];

    private static readonly string[] ForbiddenTypes =
    [
        "System.IO.File",
        "System.IO.FileInfo",
        "System.IO.FileStream",
        "System.IO.Directory",
        "System.IO.DirectoryInfo",
        "System.Net.Http.HttpClient",
        "System.Net.Sockets.Socket",
        "System.Net.Sockets.TcpClient",
        "System.Console",
    ];

    private static string ProtocolAssembly => typeof(CryptoSuite).Assembly.Location;

    [Fact]
    public void Protocol_references_only_the_base_class_library_BouncyCastle_and_Cbor()
    {
        // The base class library is whatever ships in the shared framework this test runs on.
        var framework = RuntimeEnvironment.GetRuntimeDirectory();
        var others = ReferencedAssemblies(ProtocolAssembly)
            .Where(name => !AllowedPackages.Contains(name) && !File.Exists(Path.Combine(framework, name + ".dll")))
            .ToArray();
        Assert.True(others.Length == 0, $"Parley.Protocol references {string.Join(", ", others)}");
        Assert.Contains("BouncyCastle.Cryptography", ReferencedAssemblies(ProtocolAssembly));
    }

    [Fact]
    public void Protocol_IL_touches_no_files_network_or_console()
    {
        var used = ForbiddenTypesUsedBy(ProtocolAssembly);
        Assert.True(used.Count == 0, $"Parley.Protocol uses {string.Join(", ", used)}");
    }

    [Fact]
    public void The_scan_finds_forbidden_types_where_they_are_used()
    {
        // This test assembly reads the vector files, so the same scan must see System.IO.File here.
        Assert.Contains("System.IO.File", ForbiddenTypesUsedBy(typeof(ArchitectureTests).Assembly.Location));
        Assert.Contains("System.Reflection.Metadata", ReferencedAssemblies(typeof(ArchitectureTests).Assembly.Location));
    }

    private static string[] ReferencedAssemblies(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToArray();
    }

    // Every type the assembly uses from another assembly has a type reference: calls, fields and
    // generic instantiations all point at one.
    private static List<string> ForbiddenTypesUsedBy(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        var named = metadata.TypeReferences.Select(handle => FullName(metadata, metadata.GetTypeReference(handle))).ToHashSet(StringComparer.Ordinal);
        return ForbiddenTypes.Where(named.Contains).ToList();
    }

    private static string FullName(MetadataReader metadata, TypeReference type)
    {
        var name = metadata.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
            return FullName(metadata, metadata.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + name;
        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
