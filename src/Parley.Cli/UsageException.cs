namespace Parley.Cli;

/// <summary>A value that parsed but cannot work, found while the command runs; reported like a parse error (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
