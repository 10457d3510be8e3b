using System.Globalization;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Protocol;
using Parley.Web.Browser;

namespace Parley.Web.Session;

/// <summary>
/// One sentence for a person about what went wrong: the server's problem details, a refusal of the
/// client's trust checks, a security key that did not answer. Never a stack trace.
/// </summary>
public static class UserMessages
{
    /// <summary>The message for <paramref name="error"/>.</summary>
    public static string Describe(Exception error) => error switch
    {
        ParleyApiException { Kind: ApiProblemKind.RateLimited } e => RateLimited(e.Problem),
        // A policy refusal says why in its own words; the title ("Denied") adds nothing.
        ParleyApiException { Problem.Policy: { } refusal } => "Denied: " + refusal.Reason,
        ParleyApiException e => e.Problem.Message,
        TrustException e => "Security warning: " + e.Message,
        Parley.Client.Rooms.RoomOperationException e => $"Refused by this client: {e.Error.Summary}. {e.Error.Message}",
        Parley.Client.Documents.DocumentException e => $"{DocumentProblem(e.Error.Code)}: {e.Error.Message}",
        SecurityKeyException e => e.Message,
        ProfileException e => e.Message,
        StepUpCancelledException => "Not done: this needs you to confirm it is you.",
        ProtocolException e => e.Message,
        HttpRequestException => "The server could not be reached. Check the connection and try again.",
        _ => $"Something went wrong in this browser ({error.GetType().Name}): {error.Message}",
    };

    /// <summary>True for errors this client expects and explains; others are bugs worth logging.</summary>
    public static bool IsExpected(Exception error) =>
        error is ParleyApiException or TrustException or Parley.Client.Rooms.RoomOperationException or Parley.Client.Documents.DocumentException or SecurityKeyException or ProfileException or StepUpCancelledException or ProtocolException or HttpRequestException;

    // The typed error's name, as the person and their security officer will quote it.
    private static string DocumentProblem(Parley.Client.Documents.DocumentErrorCode code) => code switch
    {
        Parley.Client.Documents.DocumentErrorCode.Tampered => "Tampered",
        Parley.Client.Documents.DocumentErrorCode.Destroyed => "Destroyed",
        Parley.Client.Documents.DocumentErrorCode.NoKey => "No key",
        Parley.Client.Documents.DocumentErrorCode.BadAuthorSignature => "Bad author signature",
        Parley.Client.Documents.DocumentErrorCode.BadLabel => "Label",
        Parley.Client.Documents.DocumentErrorCode.NotText => "Not a text",
        Parley.Client.Documents.DocumentErrorCode.NotPermitted => "Not permitted",
        Parley.Client.Documents.DocumentErrorCode.WrongDocument => "Wrong document",
        _ => "Malformed",
    };

    private static string RateLimited(ApiProblem problem)
    {
        if (problem.RetryAfter is not { } wait) return problem.Message;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        var at = DateTimeOffset.Now.AddSeconds(seconds).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        return $"Too many attempts. Try again in {seconds} s (after {at}).";
    }
}
