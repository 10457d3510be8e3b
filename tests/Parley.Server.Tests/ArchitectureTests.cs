using System.Reflection;
using System.Xml.Linq;
using Parley.Protocol.Crypto;
using Parley.Server.Hosting;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests;

/// <summary>DESIGN §3: dependencies point one way. Checked on the compiled assemblies and on the project files.</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] IoFrameworks = ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http", "Microsoft.Data.Sqlite"];

    [Fact]
    public void Server_does_not_reference_the_client()
    {
        Assert.DoesNotContain("Parley.Client", ReferencedNames(typeof(ParleyHost).Assembly));
        Assert.DoesNotContain(ProjectReferences("src/Parley.Server/Parley.Server.csproj"), p => p.Contains("Parley.Client", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Protocol_references_no_web_database_or_http_stack()
    {
        var offending = ReferencedNames(typeof(CryptoSuite).Assembly).Where(IsIoFramework).ToList();
        Assert.True(offending.Count == 0, $"Parley.Protocol references {string.Join(", ", offending)}");
        var project = Project("src/Parley.Protocol/Parley.Protocol.csproj");
        Assert.Equal("Microsoft.NET.Sdk", project.Root!.Attribute("Sdk")?.Value);
        Assert.Empty(project.Descendants("FrameworkReference"));
        Assert.DoesNotContain(project.Descendants("PackageReference").Select(p => (string?)p.Attribute("Include") ?? ""), IsIoFramework);
    }

    [Fact]
    public void Protocol_references_nothing_of_ours()
    {
        Assert.DoesNotContain(ReferencedNames(typeof(CryptoSuite).Assembly), name => name.StartsWith("Parley.", StringComparison.Ordinal));
        Assert.Empty(ProjectReferences("src/Parley.Protocol/Parley.Protocol.csproj"));
    }

    [Fact]
    public void The_guard_sees_a_forbidden_reference_where_there_is_one()
    {
        // The server does use ASP.NET Core and EF Core: if the check missed them, it would miss them in Protocol too.
        var server = ReferencedNames(typeof(ParleyHost).Assembly).ToList();
        Assert.Contains(server, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(server, name => name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    private static bool IsIoFramework(string name) => IoFrameworks.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> ReferencedNames(Assembly assembly) => assembly.GetReferencedAssemblies().Select(a => a.Name ?? "");

    private static XDocument Project(string relativePath) => XDocument.Load(Path.Combine(Repository.Root, relativePath));

    private static List<string> ProjectReferences(string relativePath) =>
        Project(relativePath).Descendants("ProjectReference").Select(p => (string?)p.Attribute("Include") ?? "").ToList();
}
