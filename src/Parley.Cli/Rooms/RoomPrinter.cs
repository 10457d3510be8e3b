using System.Globalization;
using Parley.Cli.Identity;
using Parley.Client.Rooms;
using Parley.Client.Verification;
using Spectre.Console;

namespace Parley.Cli.Rooms;

/// <summary>How messages and notices are printed: one line each, the portion marking before the text,
/// and the reason in place of the text for a message that cannot be read.</summary>
internal static class RoomPrinter
{
    public static void Message(RoomMessageView m)
    {
        var time = m.SentAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var sender = m.FromThisDevice ? "you" : m.SenderEmail ?? $"device {m.SenderDeviceId}";
        var mark = m.SenderVerification switch
        {
            VerificationState.Verified => " [verified]",
            VerificationState.KeyChanged => " [KEY CHANGED]",
            _ => "",
        };
        var head = $"#{m.Sequence} {time} {sender}{(m.SenderDelegation is { } d && !m.FromThisDevice ? $" ({d})" : "")}{mark} {m.PortionMark}";
        if (m.Text is { } text)
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(head)}[/] {Markup.Escape(text)}");
        else
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(head)}[/] [red]cannot decrypt: {Markup.Escape(m.Error!.Summary)}[/] [grey]({Markup.Escape(m.Error.Detail)})[/]");
    }

    public static void Notice(RoomNotice n)
    {
        if (n.Kind == RoomNoticeKind.KeyChanged || n.Kind == RoomNoticeKind.UnverifiedDevice || n.Kind == RoomNoticeKind.DeviceRefused)
            AnsiConsole.MarkupLine($"[bold red]!! {Markup.Escape(n.Message)}[/]");
        else
            AnsiConsole.MarkupLine($"[grey]-- {Markup.Escape(n.Message)}[/]");
    }

    public static string Time(DateTimeOffset at) => Output.Time(at);
}
