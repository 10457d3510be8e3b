using Parley.Client.Flows;
using Parley.Protocol.Api;
using QRCoder;
using Spectre.Console;

namespace Parley.Cli.Identity;

/// <summary>The part of <c>parley enroll</c> and <c>parley admin init</c> that talks to the person enrolling.</summary>
internal static class EnrollmentConsole
{
    /// <summary>Opens the enrollment, shows the TOTP secret, asks for the first code, completes and shows the recovery codes once.</summary>
    public static async Task<int> RunAsync(CliSession session, EnrollmentLink link, string? bootstrapEmail, string? displayName, string? otp, bool passwordFromStdin, string deviceName, CancellationToken cancellationToken)
    {
        var password = await Terminal.PasswordAsync(passwordFromStdin, cancellationToken).ConfigureAwait(false);
        var enrollment = new Enrollment(session.Client, session.Store, CliSession.Suite, ClientKind.Cli);
        var pending = await enrollment.BeginAsync(link, bootstrapEmail, cancellationToken).ConfigureAwait(false);
        var details = pending.Details;

        var delegation = details.Delegation is { } d ? $"{d.Code} ({d.Name})" : "no delegation";
        AnsiConsole.MarkupLine($"Enrolling [bold]{Markup.Escape(details.Email)}[/] as {Markup.Escape(string.Join(", ", details.Roles))}, {Markup.Escape(delegation)}, on {Markup.Escape(link.Server.ToString())}");
        if (pending.DelegationRoot is not null)
            AnsiConsole.MarkupLine($"Delegation root {Markup.Escape(link.RootFingerprint!)} matches your link.");
        else if (pending.FoundsDelegation)
            AnsiConsole.MarkupLine($"You are the first security officer of {Markup.Escape(details.Delegation!.Code)}: your new identity key becomes its root of trust.");
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine("Add this account to your authenticator app (TOTP, SHA-1, 6 digits, 30 s):");
        AnsiConsole.WriteLine($"TOTP secret: {details.Totp.Secret}");
        AnsiConsole.WriteLine($"otpauth URI: {details.Totp.OtpAuthUri}");
        AnsiConsole.WriteLine(Qr(details.Totp.OtpAuthUri));

        var code = await Terminal.CodeAsync(otp, "Enter the 6-digit code your authenticator shows now:", cancellationToken).ConfigureAwait(false);
        var name = string.IsNullOrWhiteSpace(displayName) ? details.Email.Split('@')[0] : displayName.Trim();
        using var enrolled = await enrollment.CompleteAsync(pending, password, name, code, deviceName, cancellationToken).ConfigureAwait(false);

        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine("Recovery codes (shown once; each stands in for your authenticator one time; keep them offline):");
        foreach (var recovery in enrolled.RecoveryCodes) AnsiConsole.WriteLine($"  {recovery}");
        AnsiConsole.WriteLine();
        var account = enrolled.Account;
        AnsiConsole.MarkupLine($"[green]Enrolled[/] {Markup.Escape(account.Session.User.Email)} ({account.Session.User.Id}); signed in at {account.Session.Aal}; {(account.Device is { } device ? $"device {device.Id} registered" : "no device (no delegation)")}; profile {Markup.Escape(session.Store.Directory)}");
        await session.SyncLedgerAsync(Console.Out, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    // Half-block characters draw two module rows per line; light modules are drawn filled because
    // terminals are mostly light text on dark, and scanners need dark modules on light.
    private static string Qr(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var art = new AsciiQRCode(data);
        return art.GetGraphicSmall(drawQuietZones: true, invert: false);
    }
}
