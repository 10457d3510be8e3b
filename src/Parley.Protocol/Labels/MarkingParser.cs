using System.Collections.Immutable;

namespace Parley.Protocol.Classification;

/// <summary>A problem found in a marking: where (0-based character position), what, and a likely fix.</summary>
internal readonly record struct MarkingFault(int Position, string Problem, string? Hint = null, ProtocolErrorCode Code = ProtocolErrorCode.Malformed)
{
    public string Message => Hint is null ? $"{Problem} at {Position}" : $"{Problem} at {Position}; {Hint}";

    public ProtocolError ToError() => new(Code, Message);
}

/// <summary>
/// Reads banner and portion markings (grammar in docs/PROTOCOL.md, "Labels"). Strict: it accepts
/// exactly the strings <see cref="Label.ToBanner"/> and <see cref="Label.ToPortionMark"/> print, so a
/// label has one written form and signatures over it cannot be sidestepped by respelling. Everything
/// else gets the first problem found, with its position and, where one is plausible, a fix.
/// </summary>
internal static class MarkingParser
{
    private const string RelToPrefix = "REL TO ";
    private const string EyesOnlySuffix = " EYES ONLY";
    // Lists in hints are cut short: a scheme may know hundreds of codes.
    private const int MaxListedInHint = 12;

    public static Result<Label> Parse(MarkingScheme scheme, string? text, bool portion)
    {
        var fault = Read(scheme, text, portion, out var label);
        return fault is { } f ? Result<Label>.Fail(f.ToError()) : label!;
    }

    public static MarkingFault? Read(MarkingScheme scheme, string? text, bool portion, out Label? label)
    {
        label = null;
        text ??= "";
        if (text.Length > Label.MaxLength)
            return new MarkingFault(Label.MaxLength, $"{(portion ? "portion mark" : "marking")} longer than {Label.MaxLength} characters", null, ProtocolErrorCode.LimitExceeded);

        var body = text;
        var offset = 0;
        if (portion)
        {
            if (text.Length == 0) return new MarkingFault(0, "empty portion mark", $"expected a mark such as ({scheme.Levels[0].Abbreviation})");
            if (text[0] != '(') return new MarkingFault(0, "expected '('", "portion marks are enclosed in parentheses");
            if (text.Length < 2 || text[^1] != ')') return new MarkingFault(text.Length, "expected ')'", "portion marks are enclosed in parentheses");
            body = text[1..^1];
            offset = 1;
            if (body.Length == 0) return new MarkingFault(1, "empty portion mark", $"expected a level abbreviation such as {scheme.Levels[0].Abbreviation}");
        }
        else if (text.Length == 0)
        {
            return new MarkingFault(0, "empty marking", $"expected a level such as {scheme.Levels[0].Name}");
        }

        var reader = new Reader(scheme, body, offset, portion);
        var fault = reader.Read(out label);
        if (fault is not null || label is null) return fault;

        // Every check above is meant to leave only the printed form; this makes that a guarantee.
        var printed = portion ? label.ToPortionMark() : label.ToBanner();
        if (!string.Equals(printed, text, StringComparison.Ordinal))
        {
            var at = 0;
            while (at < printed.Length && at < text.Length && printed[at] == text[at]) at++;
            label = null;
            return new MarkingFault(at, "non-canonical marking", $"write {printed}");
        }
        return null;
    }

    private sealed class Reader(MarkingScheme scheme, string body, int offset, bool portion)
    {
        // The first repetition or misordering seen; reported only if nothing worse is found, with the
        // canonical form as the fix.
        private MarkingFault? _orderFault;

        public MarkingFault? Read(out Label? label)
        {
            label = null;
            if (CheckCharacters() is { } badCharacter) return badCharacter;

            var blocks = SplitCategories();
            if (blocks[0].Text.Length == 0)
                return At(0, "missing level", portion ? $"a portion mark starts with a level such as {scheme.Levels[0].Abbreviation}" : $"a marking starts with a level such as {scheme.Levels[0].Name}");
            if (ReadLevel(blocks[0], out var level) is { } levelFault) return levelFault;

            var compartments = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
            var releasability = Releasability.Unrestricted;
            var sawCompartments = false;
            var sawReleasability = false;
            foreach (var block in blocks.Skip(1))
            {
                if (block.Text.Length == 0) return At(block.Start, "empty category", "expected compartments or a releasability after '//'");
                if (block.Text[0] == '/') return At(block.Start, "unexpected '/'", "categories are separated by '//'");
                if (block.Text[0] == ' ' || block.Text[^1] == ' ')
                    return At(block.Start + (block.Text[0] == ' ' ? 0 : block.Text.Length - 1), "unexpected space");

                if (IsReleasability(block.Text))
                {
                    if (sawReleasability) return At(block.Start, "second releasability", "a marking has one releasability");
                    var fault = block.Text.EndsWith(" ONLY", StringComparison.OrdinalIgnoreCase) && !block.Text.StartsWith("REL", StringComparison.OrdinalIgnoreCase)
                        ? ReadEyesOnly(block, out releasability)
                        : ReadRelTo(block, out releasability);
                    if (fault is not null) return fault;
                    sawReleasability = true;
                }
                else
                {
                    if (sawReleasability) return At(block.Start, "compartments after the releasability", "compartments come first, then the releasability");
                    if (sawCompartments) return At(block.Start - 2, "'//' between compartments", "compartments are separated by a single '/'");
                    if (ReadCompartments(block, out compartments) is { } fault) return fault;
                    sawCompartments = true;
                }
            }

            label = new Label(scheme, level!, compartments, releasability);
            if (_orderFault is { } order)
            {
                var canonical = portion ? label.ToPortionMark() : label.ToBanner();
                label = null;
                return order with { Hint = $"write {canonical}" };
            }
            return null;
        }

        private MarkingFault? CheckCharacters()
        {
            for (var i = 0; i < body.Length; i++)
            {
                var c = body[i];
                if (c is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or ' ' or '/' or ','))
                    return At(i, $"unexpected character {Quote.Character(c)}");
                if (c == ' ' && (i == 0 || i == body.Length - 1 || body[i - 1] == ' '))
                    return At(i, "unexpected space");
            }
            return null;
        }

        private List<(int Start, string Text)> SplitCategories()
        {
            var blocks = new List<(int Start, string Text)>();
            var start = 0;
            while (true)
            {
                var separator = body.IndexOf("//", start, StringComparison.Ordinal);
                if (separator < 0)
                {
                    blocks.Add((start, body[start..]));
                    return blocks;
                }
                blocks.Add((start, body[start..separator]));
                start = separator + 2;
            }
        }

        private MarkingFault? ReadLevel((int Start, string Text) block, out ClassificationLevel? level)
        {
            var slash = block.Text.IndexOf('/');
            var token = slash >= 0 ? block.Text[..slash] : block.Text;
            level = portion ? scheme.FindLevelByAbbreviation(token) : scheme.FindLevel(token);
            if (level is null)
            {
                if (token.Length == 0) return At(block.Start, "missing level");
                return At(block.Start, $"unknown level {Quote.Token(token)}", LevelHint(token));
            }
            if (slash >= 0) return At(block.Start + slash, "single '/'", "categories are separated by '//'");
            return null;
        }

        private string LevelHint(string token)
        {
            var upper = token.ToUpperInvariant();
            if (!portion)
            {
                if (scheme.FindLevelByAbbreviation(upper) is { } abbreviated && abbreviated.Name != upper)
                    return $"did you mean {abbreviated.Name}? Banners spell levels out";
                if (NearMiss.Closest(token, scheme.Levels.Select(l => l.Name)) is { } near) return $"did you mean {near}?";
                return $"expected one of {string.Join(", ", scheme.Levels.Select(l => l.Name))}";
            }
            if (scheme.FindLevel(upper) is { } spelledOut && spelledOut.Abbreviation != upper)
                return $"did you mean {spelledOut.Abbreviation}? Portion marks abbreviate levels";
            if (NearMiss.Closest(token, scheme.Levels.Select(l => l.Abbreviation)) is { } nearAbbreviation) return $"did you mean {nearAbbreviation}?";
            if (NearMiss.Closest(token, scheme.Levels.Select(l => l.Name)) is { } nearName)
                return $"did you mean {scheme.FindLevel(nearName)!.Abbreviation} ({nearName})?";
            return $"expected one of {string.Join(", ", scheme.Levels.Select(l => l.Abbreviation))}";
        }

        private static bool IsReleasability(string text)
        {
            // REL alone, REL followed by a space or comma, or RELTO as a word: attempts at REL TO. A
            // compartment may start with REL (RELAY, RELTOX); it cannot contain a space.
            if (text.StartsWith("REL", StringComparison.OrdinalIgnoreCase) && (text.Length == 3 || text[3] is ' ' or ','))
                return true;
            if (text.StartsWith("RELTO", StringComparison.OrdinalIgnoreCase) && (text.Length == 5 || text[5] == ' '))
                return true;
            return text.EndsWith(" ONLY", StringComparison.OrdinalIgnoreCase);
        }

        private MarkingFault? ReadRelTo((int Start, string Text) block, out Releasability releasability)
        {
            releasability = Releasability.Unrestricted;
            var text = block.Text;
            if (text == RelToPrefix.TrimEnd()) return At(block.Start + text.Length, "REL TO names no delegation", "e.g. REL TO ATL, BOR");
            if (!text.StartsWith(RelToPrefix, StringComparison.Ordinal))
                return At(block.Start, $"malformed releasability {Quote.Token(text)}", "expected REL TO and delegation codes, e.g. REL TO ATL, BOR");

            var codes = new List<string>();
            var cursor = block.Start + RelToPrefix.Length;
            var pieces = text[RelToPrefix.Length..].Split(',');
            for (var k = 0; k < pieces.Length; k++)
            {
                var piece = pieces[k];
                var piecePosition = cursor;
                cursor += piece.Length + 1;
                var code = piece;
                var codePosition = piecePosition;
                if (k > 0)
                {
                    if (piece.Length == 0 || piece[0] != ' ') return At(piecePosition, "expected a space after ','", "delegation codes are separated by ', '");
                    code = piece[1..];
                    codePosition++;
                }
                if (code.Length == 0) return At(codePosition, "missing delegation code");
                var space = code.IndexOf(' ');
                if (space >= 0) return At(codePosition + space, "unexpected space", "delegation codes are separated by ', '");
                var slash = code.IndexOf('/');
                if (slash >= 0) return At(codePosition + slash, "unexpected '/'", "the releasability comes last");
                if (CheckCode(code, codePosition) is { } fault) return fault;
                if (codes.Count == Releasability.MaxDelegations)
                    return At(codePosition, $"more than {Releasability.MaxDelegations} delegations", null, ProtocolErrorCode.LimitExceeded);
                NoteOrder(codes, code, codePosition, "delegation");
                codes.Add(code);
            }
            releasability = Releasability.RelTo(codes).Value;
            return null;
        }

        private MarkingFault? ReadEyesOnly((int Start, string Text) block, out Releasability releasability)
        {
            releasability = Releasability.Unrestricted;
            var text = block.Text;
            if (!text.EndsWith(EyesOnlySuffix, StringComparison.Ordinal) || text.Length == EyesOnlySuffix.Length)
                return At(block.Start, $"malformed releasability {Quote.Token(text)}", "own-delegation-only is written as one code and EYES ONLY, e.g. ATL EYES ONLY");
            var code = text[..^EyesOnlySuffix.Length];
            if (code.AsSpan().IndexOfAny(", /") >= 0)
                return At(block.Start, "EYES ONLY names one delegation", "for several, write REL TO and the codes, e.g. REL TO ATL, BOR");
            if (CheckCode(code, block.Start) is { } fault) return fault;
            releasability = Releasability.EyesOnly(code).Value;
            return null;
        }

        private MarkingFault? CheckCode(string code, int position)
        {
            if (!Identity.DelegationCode.IsValid(code))
            {
                var upper = code.ToUpperInvariant();
                return At(position, $"malformed delegation code {Quote.Token(code)}",
                    scheme.AcceptsDelegation(upper) ? $"did you mean {upper}?" : "a delegation code is 2 to 8 capital letters");
            }
            if (!scheme.AcceptsDelegation(code))
            {
                var known = scheme.Delegations!;
                var hint = NearMiss.Closest(code, known) is { } near
                    ? $"did you mean {near}?"
                    : known.Count <= MaxListedInHint ? $"the scheme lists {string.Join(", ", known)}" : null;
                return At(position, $"unknown delegation {Quote.Token(code)}", hint);
            }
            return null;
        }

        private MarkingFault? ReadCompartments((int Start, string Text) block, out ImmutableSortedSet<string> compartments)
        {
            compartments = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
            var names = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
            var written = new List<string>();
            var cursor = block.Start;
            foreach (var token in block.Text.Split('/'))
            {
                var position = cursor;
                cursor += token.Length + 1;
                if (token.Length == 0) return At(position, "missing compartment", "compartments are separated by a single '/'");
                var bad = token.AsSpan().IndexOfAny(" ,");
                if (bad >= 0) return At(position + bad, $"unexpected {Quote.Character(token[bad])}", "compartments are separated by '/'");
                var compartment = portion ? scheme.FindCompartmentByAbbreviation(token) : scheme.FindCompartment(token);
                if (compartment is null) return At(position, $"unknown compartment {Quote.Token(token)}", CompartmentHint(token));
                NoteOrder(written, token, position, "compartment");
                written.Add(token);
                names.Add(compartment.Name);
            }
            compartments = names.ToImmutable();
            return null;
        }

        private string? CompartmentHint(string token)
        {
            var upper = token.ToUpperInvariant();
            var known = scheme.Compartments;
            if (known.Count == 0) return "the scheme has no compartments";
            if (!portion)
            {
                if (scheme.FindCompartmentByAbbreviation(upper) is { } abbreviated && abbreviated.Name != upper)
                    return $"did you mean {abbreviated.Name}? Banners spell compartments out";
                if (NearMiss.Closest(token, known.Select(c => c.Name)) is { } near) return $"did you mean {near}?";
                return known.Count <= MaxListedInHint ? $"the scheme knows {string.Join(", ", known.Select(c => c.Name))}" : null;
            }
            if (scheme.FindCompartment(upper) is { } spelledOut && spelledOut.Abbreviation != upper)
                return $"did you mean {spelledOut.Abbreviation}? Portion marks abbreviate compartments";
            if (NearMiss.Closest(token, known.Select(c => c.Abbreviation)) is { } nearAbbreviation) return $"did you mean {nearAbbreviation}?";
            if (NearMiss.Closest(token, known.Select(c => c.Name)) is { } nearName)
                return $"did you mean {scheme.FindCompartment(nearName)!.Abbreviation} ({nearName})?";
            return known.Count <= MaxListedInHint ? $"the scheme knows {string.Join(", ", known.Select(c => c.Abbreviation))}" : null;
        }

        private void NoteOrder(List<string> before, string token, int position, string what)
        {
            if (_orderFault is not null || before.Count == 0) return;
            if (before.Contains(token)) _orderFault = At(position, $"{what} {token} repeated");
            else if (string.CompareOrdinal(token, before[^1]) < 0) _orderFault = At(position, $"{what} {token} out of order");
        }

        private MarkingFault At(int position, string problem, string? hint = null, ProtocolErrorCode code = ProtocolErrorCode.Malformed) =>
            new(offset + position, problem, hint, code);
    }
}
