using DograhConsole.Core.CallControl;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Plivo;

public static class PlivoServices
{
    /// <summary>Plivo call control, inbound protocol, webhooks and their signature check, credential check and number set-up.</summary>
    public static IServiceCollection AddPlivo(this IServiceCollection services)
    {
        services.AddTelephonyProvider(PlivoProviderSpec.Create());
        services.AddHttpClient(PlivoApiClient.HttpClientName, client => client.Timeout = PlivoApiClient.Timeout);
        services.AddSingleton<PlivoApiClient>();
        services.AddSingleton<PlivoWebhookVerifier>();
        services.AddSingleton<PlivoCallUuids>();
        services.AddSingleton<PlivoWebhookHandler>();
        services.AddProviderCalls<PlivoProviderCalls>();
        services.AddSingleton<PlivoInboundProtocol>();
        services.AddInboundProtocol<PlivoInboundProtocol>();
        services.AddSingleton<IProviderNumberSetup, PlivoNumberSetup>();
        services.AddSingleton<IProviderCredentialCheck, PlivoCredentialCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapPlivoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPlivoWebhooks();
        app.MapPlivoMediaSocket();
        return app;
    }
}
