using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.CallControl.Listening;
using DograhConsole.Core.CallControl.Outbound;
using DograhConsole.Core.CallControl.Transfer;
using DograhConsole.Core.Calls;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Core.CallControl;

public static class CallControlServices
{
    /// <summary>
    /// Call control, above the providers: the router each provider plugs its <see cref="IProviderCalls"/> into,
    /// inbound routing, outbound calls and Phone Call choices, transfer, hang-up (only when nothing registered an
    /// <see cref="ICallHangup"/> before), and attaching a call's media to its workflow.
    /// </summary>
    public static IServiceCollection AddCallControl(this IServiceCollection services)
    {
        services.AddSingleton<ProviderCallRouter>();
        services.AddSingleton<InboundCallRouter>();
        services.AddSingleton<OutboundCallService>();
        services.AddScoped<PhoneCallChoices>();
        services.AddScoped<CallTransferService>();
        services.TryAddScoped<ICallHangup, ProviderCallHangup>();
        services.AddSingleton<CallMediaTokens>();
        services.AddSingleton<MediaStartWatch>();
        services.AddSingleton<CallMediaHost>();
        services.AddSingleton<LiveMediaSessions>();
        services.AddHostedService<MediaHostRenewal>();
        services.AddHostedService<CallAudioLevelRelay>();
        services.AddCallListening();
        return services;
    }

    /// <summary>A provider folder's call control (dial, hang up, transfer).</summary>
    public static IServiceCollection AddProviderCalls<T>(this IServiceCollection services) where T : class, IProviderCalls =>
        services.AddSingleton<IProviderCalls, T>();

    /// <summary>The one registration a carrier's inbound webhook needs.</summary>
    public static IServiceCollection AddInboundProtocol<T>(this IServiceCollection services) where T : class, IInboundCallProtocol =>
        services.AddSingleton<IInboundCallProtocol, T>();

    /// <summary>The shared inbound webhook, outbound calls and transfer.</summary>
    public static IEndpointRouteBuilder MapCallControlEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapInboundWebhook();
        app.MapOutboundCallApi();
        app.MapCallTransferApi();
        app.MapCallListenSocket();
        return app;
    }
}
