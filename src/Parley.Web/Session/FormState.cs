namespace Parley.Web.Session;

/// <summary>
/// The state of one form or action on a page: busy while it runs, then either an error to show or a
/// confirmation. Every failure becomes a message for the person (<see cref="UserMessages"/>);
/// unexpected ones are also written to the browser console, without a stack trace on screen.
/// </summary>
public sealed class FormState
{
    /// <summary>True while the action runs; forms disable their submit button.</summary>
    public bool Busy { get; private set; }

    /// <summary>What went wrong the last time, if anything.</summary>
    public string? Error { get; private set; }

    /// <summary>When the access policy refused the last run: its reason, deciding rules and whether a step-up would help.</summary>
    public Parley.Client.Api.PolicyRefusal? Refusal { get; private set; }

    /// <summary>What the last successful run achieved, if it says.</summary>
    public string? Done { get; set; }

    /// <summary>Runs <paramref name="action"/> unless it is already running.</summary>
    public async Task RunAsync(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (Busy) return;
        Busy = true;
        Error = null;
        Refusal = null;
        Done = null;
        try
        {
            await action();
        }
        catch (Exception e)
        {
            if (!UserMessages.IsExpected(e)) await Console.Error.WriteLineAsync($"Parley: unexpected {e.GetType().FullName}: {e.Message}");
            Error = UserMessages.Describe(e);
            Refusal = (e as Parley.Client.Api.ParleyApiException)?.Problem.Policy;
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>Shows <paramref name="message"/> as this form's error (a check that failed before asking the server).</summary>
    public void Fail(string message)
    {
        Done = null;
        Refusal = null;
        Error = message;
    }

    /// <summary>Clears the messages.</summary>
    public void Reset()
    {
        Error = null;
        Refusal = null;
        Done = null;
    }
}
