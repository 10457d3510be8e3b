using Microsoft.EntityFrameworkCore;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Storage;

namespace Parley.Server.Identity.SignIn;

/// <summary>Declares rate limits on endpoints; a refused call answers 429 with Retry-After.</summary>
public static class AttemptLimits
{
    /// <summary>The client's address as seen on the connection (forwarded headers are not trusted).</summary>
    public static string AddressOf(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null) return "unknown";
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>Limits calls per client address.</summary>
    public static RouteHandlerBuilder LimitPerAddress(this RouteHandlerBuilder endpoint, AttemptLimit limit) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var limiter = http.RequestServices.GetRequiredService<AttemptLimiter>();
            if (limiter.TryAcquire(limit, AddressOf(http)) is { } wait) return Problems.TooManyRequests(http, wait);
            return await next(context);
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>Limits calls per signed-in account.</summary>
    public static RouteHandlerBuilder LimitPerCaller(this RouteHandlerBuilder endpoint, AttemptLimit limit) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = http.Features.Get<Caller>();
            var limiter = http.RequestServices.GetRequiredService<AttemptLimiter>();
            if (caller is not null && limiter.TryAcquire(limit, caller.User.Id.ToString()) is { } wait) return Problems.TooManyRequests(http, wait);
            return await next(context);
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>Limits sign-in per address and per account (the email in the request), and stores and
    /// ledgers each refused attempt like any other.</summary>
    public static RouteHandlerBuilder LimitSignIn<TRequest>(this RouteHandlerBuilder endpoint, Func<TRequest, string?> email, string method) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var request = context.Arguments.OfType<TRequest>().FirstOrDefault();
            var address = AddressOf(http);
            var account = request is null ? null : email(request);
            var limiter = http.RequestServices.GetRequiredService<AttemptLimiter>();
            var wait = limiter.TryAcquire(AttemptLimit.SignInPerAddress, address);
            if (wait is null && Emails.IsPlausible(account))
                wait = limiter.TryAcquire(AttemptLimit.SignInPerAccount, Emails.Normalize(account!));
            if (wait is null) return await next(context);

            if (Emails.IsPlausible(account))
            {
                var db = http.RequestServices.GetRequiredService<ParleyDbContext>();
                var normalized = Emails.Normalize(account!);
                var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, http.RequestAborted);
                http.RequestServices.GetRequiredService<SignInRecorder>().Record(account!, user, address, SignInOutcome.RateLimited, null, method);
                await db.SaveChangesAsync(http.RequestAborted);
            }
            return Problems.TooManyRequests(http, wait.Value);
        }).ProducesProblem(StatusCodes.Status429TooManyRequests);
}
