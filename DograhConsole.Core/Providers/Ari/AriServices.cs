using DograhConsole.Core.CallControl;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Ari;

public static class AriServices
{
    /// <summary>The ARI client, call handling, the hosted events listener, connection states and the media endpoint.</summary>
    public static IServiceCollection AddAri(this IServiceCollection services)
    {
        services.AddTelephonyProvider(AriProviderSpec.Create());
        services.AddOptions<AriOptions>().BindConfiguration(AriOptions.SectionName);
        services.AddHttpClient(AriClientFactory.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<AriClientFactory>();
        services.AddSingleton<AriConnectionStates>();
        services.AddSingleton<IProviderConnections>(sp => sp.GetRequiredService<AriConnectionStates>());
        services.AddSingleton<AriCallLegs>();
        services.AddSingleton<AriCallLocks>();
        services.AddSingleton<AriBridgeWaiters>();
        services.AddSingleton<AriTransferWaiters>();
        services.AddSingleton<AriCallTeardown>();
        services.AddSingleton<AriCallBridging>();
        services.AddSingleton<AriInboundCalls>();
        services.AddSingleton<AriCallControl>();
        services.AddSingleton<AriCallTransfers>();
        services.AddSingleton<AriCallRecovery>();
        services.AddSingleton<AriEventDispatcher>();
        services.AddSingleton<AriMediaSocket>();
        services.AddProviderCalls<AriProviderCalls>();
        services.AddHostedService<AriListener>();
        services.AddHostedService<AriWaiterRelay>();
        services.AddHostedService<AriConnectionStateRelay>();
        return services;
    }

    /// <summary>The chan_websocket media socket Asterisk connects to; authenticated by its channel id (and optionally a per-call token), not by sign-in.</summary>
    public static IEndpointRouteBuilder MapAriEndpoints(this IEndpointRouteBuilder app)
    {
        // The WebSocket middleware only in front of this endpoint (the way SignalR maps its hubs).
        var pipeline = app.CreateApplicationBuilder().UseWebSockets();
        pipeline.Run(context => context.RequestServices.GetRequiredService<AriMediaSocket>().HandleAsync(context));
        app.Map(AriRoutes.MediaSocketPath, pipeline.Build()).AllowAnonymous();
        return app;
    }
}
