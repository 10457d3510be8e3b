using Parley.Server.Policy.Accounts;
using Parley.Server.Policy.Binding;
using Parley.Server.Policy.Downgrades;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Explain;
using Parley.Server.Policy.Facts;
using Parley.Server.Policy.Grants;
using Parley.Server.Policy.Resolution;
using Parley.Server.Policy.Training;

namespace Parley.Server.Policy;

/// <summary>Wires the access policy into the host: the engine, the resource kinds, the enforcement point and the policy's endpoints.</summary>
public static class PolicyFeature
{
    public static IServiceCollection AddParleyPolicy(this IServiceCollection services, PolicySettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<PolicyEngine>();
        services.AddSingleton(new ResourceKinds()
            .Add<SystemResolver>(ResourceKindNames.System)
            .Add<DelegationResolver>(ResourceKindNames.Delegation)
            .Add<UserResolver>(ResourceKindNames.User)
            .Add<DeviceResolver>(ResourceKindNames.Device)
            .Add<LedgerResolver>(ResourceKindNames.Ledger)
            .Add<LabelResolver>(ResourceKindNames.Label));
        services.AddScoped<PrincipalFacts>();
        return services;
    }

    /// <summary>The enforcement point: after authentication (and antiforgery), before any endpoint runs.</summary>
    public static IApplicationBuilder UseParleyPolicy(this IApplicationBuilder app) => app.UseMiddleware<PolicyEnforcement>();

    public static IEndpointRouteBuilder MapPolicyApis(this IEndpointRouteBuilder app)
    {
        app.MapDeviceBindingApi();
        app.MapPolicyApi();
        app.MapTrainingApi();
        app.MapGrantsApi();
        app.MapSuspensionApi();
        app.MapDowngradesApi();
        return app;
    }
}
