using Parley.Client.Api;

namespace Parley.Web.Session;

/// <summary>The user closed the step-up prompt without confirming.</summary>
public sealed class StepUpCancelledException() : Exception("The step-up was cancelled.");

/// <summary>
/// Runs an action that the server may refuse until the user proves a second factor again: a 403
/// <c>step-up-required</c>, or a policy refusal whose problem details say <c>stepUp: true</c>. On such
/// a refusal it shows the step-up dialog (<see cref="Components.StepUpDialog"/>, in the layout), which
/// raises the session with a TOTP code or a security key, then runs the action once more.
/// </summary>
public sealed class StepUpPrompt
{
    private Func<ApiProblem, Task<bool>>? _dialog;

    /// <summary>True while the dialog is shown; the layout makes the rest of the page inert meanwhile.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>Raised when <see cref="IsOpen"/> changes.</summary>
    public event Action? OpenChanged;

    internal void SetOpen(bool open)
    {
        if (IsOpen == open) return;
        IsOpen = open;
        OpenChanged?.Invoke();
    }

    /// <summary>Registered by the dialog the layout renders; it answers true once the session is raised.</summary>
    internal void Attach(Func<ApiProblem, Task<bool>> dialog) => _dialog = dialog;

    internal void Detach(Func<ApiProblem, Task<bool>> dialog)
    {
        if (_dialog == dialog) _dialog = null;
    }

    /// <summary>Runs <paramref name="action"/>, stepping up and retrying once if the server asks.</summary>
    /// <exception cref="StepUpCancelledException">The user closed the prompt.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action();
        }
        catch (ParleyApiException e) when (e.Problem.SuggestsStepUp && _dialog is not null)
        {
            if (!await _dialog(e.Problem)) throw new StepUpCancelledException();
        }
        return await action();
    }

    /// <summary>Runs <paramref name="action"/>, stepping up and retrying once if the server asks.</summary>
    public Task RunAsync(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync(async () =>
        {
            await action();
            return true;
        });
    }
}
