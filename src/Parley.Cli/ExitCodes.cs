namespace Parley.Cli;

/// <summary>The process exit codes of <c>parley</c> (DESIGN §12); scripts depend on them, so they never change meaning.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed: a failing check, an unreachable server, an I/O error.</summary>
    public const int Failure = 1;

    /// <summary>The command was not understood or its values cannot work: parse errors, bad values, refused configuration.</summary>
    public const int Usage = 2;

    /// <summary>The server's policy refused the action.</summary>
    public const int Denied = 3;

    /// <summary>The check ran and could not decide: a leak trace that names no copy with enough confidence.</summary>
    public const int Inconclusive = 4;

    /// <summary>Stored content did not verify: a document modified on the server, not signed by its author, or not the one asked for.</summary>
    public const int Integrity = 5;

    /// <summary>The document was destroyed; its destruction certificate is printed.</summary>
    public const int Destroyed = 6;
}
