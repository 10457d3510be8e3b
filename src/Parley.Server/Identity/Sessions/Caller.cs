using Parley.Server.Identity.Model;

namespace Parley.Server.Identity.Sessions;

/// <summary>The signed-in user and session of a request, set by the session authentication handler.
/// Both are tracked by the request's database context, so handlers can change them.</summary>
public sealed class Caller(SessionRecord session, UserAccount user)
{
    public SessionRecord Session { get; } = session;

    public UserAccount User { get; } = user;

    /// <summary>Lets minimal API handlers take a <see cref="Caller"/> parameter; endpoints that take one require authentication.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(context.Features.Get<Caller>());
}
