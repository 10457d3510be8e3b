using System.Text;

namespace Parley.Protocol.Classification;

/// <summary>Renders untrusted text inside error messages: quoted, control characters escaped and long
/// tokens cut, so that a hostile marking cannot forge or flood the message that reports it.</summary>
internal static class Quote
{
    private const int MaxShown = 40;

    public static string Token(string? text)
    {
        if (text is null) return "nothing";
        var builder = new StringBuilder(Math.Min(text.Length, MaxShown) + 3);
        builder.Append('\'');
        foreach (var c in text.Length > MaxShown ? text[..MaxShown] : text)
        {
            if (c is >= ' ' and <= '~') builder.Append(c);
            else builder.Append($"\\u{(int)c:X4}");
        }
        if (text.Length > MaxShown) builder.Append('…');
        builder.Append('\'');
        return builder.ToString();
    }

    public static string Character(char c) => c switch
    {
        ' ' => "space",
        > ' ' and <= '~' => $"'{c}'",
        _ => $"U+{(int)c:X4}",
    };
}
