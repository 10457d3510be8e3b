using Microsoft.AspNetCore.Authentication;
using Parley.Protocol.Crypto;
using Parley.Server.Identity.Account;
using Parley.Server.Identity.Clearances;
using Parley.Server.Identity.Console;
using Parley.Server.Identity.Delegations;
using Parley.Server.Identity.Devices;
using Parley.Server.Identity.Directory;
using Parley.Server.Identity.Enrollment;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Officers;
using Parley.Server.Identity.Security;
using Parley.Server.Identity.Sessions;
using Parley.Server.Identity.SignIn;
using Parley.Server.Identity.StepUp;
using Parley.Server.Storage;

namespace Parley.Server.Identity;

/// <summary>Wires identity into the host: services, the session scheme and policies, and the endpoints.</summary>
public static class IdentityFeature
{
    public static IServiceCollection AddParleyIdentity(this IServiceCollection services, DataDirectory data)
    {
        services.AddSingleton(CryptoSuite.Default);
        services.AddSingleton(ServerIdentityKey.LoadOrCreate(data));
        services.AddSingleton<AtRestCipher>();
        services.AddSingleton<RecoveryCodes>();
        services.AddSingleton<TotpAuthenticator>();
        services.AddSingleton<AttemptLimiter>();
        services.AddSingleton<BootstrapToken>();
        services.AddScoped<SessionIssuer>();
        services.AddScoped<SignInRecorder>();
        services.AddScoped<CredentialCheck>();
        services.AddScoped<SecondFactors>();
        services.AddScoped<WebAuthnCeremonies>();
        services.AddScoped<EnrollmentTokens>();
        services.AddScoped<EnrollmentCompletion>();
        services.AddScoped<OfficerAuthority>();
        services.AddScoped<RevocationCheck>();
        services.AddScoped<ClearanceCheck>();

        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        return services;
    }

    /// <summary>Session authentication and antiforgery for cookie sessions; the access policy comes next (<c>UseParleyPolicy</c>).</summary>
    public static IApplicationBuilder UseParleyIdentity(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.Use(CsrfCheck.InvokeAsync);
        return app;
    }

    public static IEndpointRouteBuilder MapIdentityApis(this IEndpointRouteBuilder app)
    {
        app.MapSignInApi();
        app.MapStepUpApi();
        app.MapAuthenticatorsApi();
        app.MapEnrollApi();
        app.MapEnrollmentLinksApi();
        app.MapDelegationsApi();
        app.MapDirectoryApi();
        app.MapDevicesApi();
        app.MapClearancesApi();
        app.MapSecurityOfficerConsoleApi();
        return app;
    }
}
