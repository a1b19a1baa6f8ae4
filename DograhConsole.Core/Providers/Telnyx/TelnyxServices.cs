using DograhConsole.Core.CallControl;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Telnyx;

public static class TelnyxServices
{
    /// <summary>Telnyx call control, inbound protocol, webhooks and their signature check, credential check and number set-up.</summary>
    public static IServiceCollection AddTelnyx(this IServiceCollection services)
    {
        services.AddTelephonyProvider(TelnyxProviderSpec.Create());
        services.AddHttpClient(TelnyxApiClient.HttpClientName, client => client.Timeout = TelnyxApiClient.Timeout);
        services.AddSingleton<TelnyxApiClient>();
        services.AddSingleton<TelnyxWebhookVerifier>();
        services.AddSingleton<TelnyxWebhookHandler>();
        services.AddProviderCalls<TelnyxProviderCalls>();
        services.AddInboundProtocol<TelnyxInboundProtocol>();
        services.AddSingleton<IProviderNumberSetup, TelnyxNumberSetup>();
        services.AddSingleton<IProviderCredentialCheck, TelnyxCredentialCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapTelnyxEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapTelnyxWebhooks();
        app.MapTelnyxMediaSocket();
        return app;
    }
}
