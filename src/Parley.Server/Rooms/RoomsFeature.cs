using Parley.Protocol.Api;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Resolution;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Delivery;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Management;
using Parley.Server.Rooms.Retention;

namespace Parley.Server.Rooms;

/// <summary>Wires negotiation rooms into the host: services, the hub, the retention sweeper, the <c>room</c> resource kind and the endpoints.</summary>
public static class RoomsFeature
{
    public static IServiceCollection AddParleyRooms(this IServiceCollection services)
    {
        services.AddSingleton<RoomLocks>();
        services.AddSingleton<RoomConnections>();
        services.AddSingleton<RoomDelivery>();
        services.AddScoped<Rotation>();
        services.AddScoped<RoomViews>();
        services.AddScoped<MemberEligibility>();
        services.AddScoped<HubAccess>();
        services.AddHostedService<RetentionSweeper>();
        services.AddHostedService<ConnectionMonitor>();
        services.AddSignalR(hub => hub.EnableDetailedErrors = false)
            .AddJsonProtocol(json => json.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default));
        return services;
    }

    /// <summary>Every endpoint of rooms, and the hub; the hub's connections need a session like any endpoint (the policy's <c>room.list</c> on oneself).</summary>
    public static IEndpointRouteBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetRequiredService<ResourceKinds>().Add<RoomResolver>(RoomResolver.Kind);
        app.MapRoomsManagement();
        app.MapRoomMembership();
        app.MapRoomSettings();
        app.MapRoomEpochs();
        app.MapRoomMessages();
        app.MapRoomLog();
        app.MapHub<RoomsHub>(RoomsHubProtocol.Path).RequiresPolicy(Actions.ListRooms, Resources.Self);
        return app;
    }
}
