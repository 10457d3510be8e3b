using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Versioning;
using Parley.Client.Api;
using Parley.Client.Profiles;

namespace Parley.Client.Tests;

/// <summary>
/// Parley.Client runs in the browser too: it references only Parley.Protocol of ours, and no code
/// of it touches files or the console except the types marked unsupported in the browser (the
/// CLI's file profile store). The scan reads every method body's IL, state machines included.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Client = typeof(ParleyClient).Assembly;

    private static readonly string[] ForbiddenTypes =
    [
        "System.IO.File", "System.IO.FileInfo", "System.IO.FileStream", "System.IO.Directory", "System.IO.DirectoryInfo", "System.Console",
    ];

    [Fact]
    public void Client_references_no_project_of_ours_but_Protocol()
    {
        var ours = Client.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Parley.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Parley.Protocol"], ours);
    }

    [Fact]
    public void Only_browser_unsupported_types_touch_files_or_the_console()
    {
        var offenders = TypesUsingForbiddenApis(Client)
            .Where(t => !OuterMost(t).GetCustomAttributes<UnsupportedOSPlatformAttribute>().Any(a => a.PlatformName == "browser"))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(offenders.Count == 0, $"browser-safe code touches files or the console: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_scan_sees_the_file_store_use_files()
    {
        Assert.Contains(typeof(FileProfileStore), TypesUsingForbiddenApis(Client).Select(OuterMost));
        Assert.DoesNotContain(typeof(MemoryProfileStore), TypesUsingForbiddenApis(Client).Select(OuterMost));
    }

    private static Type OuterMost(Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static HashSet<Type> TypesUsingForbiddenApis(Assembly assembly)
    {
        var found = new HashSet<Type>();
        foreach (var type in assembly.GetTypes())
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null) continue;
                if (MembersCalled(method.Module, il, method).Any(m => m.DeclaringType is { } d && ForbiddenTypes.Contains(d.FullName))) found.Add(type);
            }
        }
        return found;
    }

    // Walks the IL instruction by instruction and resolves the tokens of calls, field accesses and allocations.
    private static IEnumerable<MemberInfo> MembersCalled(Module module, byte[] il, MethodBase context)
    {
        var typeArguments = context.DeclaringType?.IsGenericType == true ? context.DeclaringType.GetGenericArguments() : null;
        var methodArguments = context.IsGenericMethod ? context.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opcode = OpCodesByValue[value];
            var size = opcode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (opcode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try
                {
                    member = module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // A token of a generic context the scan cannot reconstruct; such members are not file APIs.
                }
                if (member is not null) yield return member;
            }
            at += size;
        }
    }
}
