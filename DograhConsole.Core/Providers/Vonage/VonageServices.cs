using DograhConsole.Core.CallControl;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Vonage;

public static class VonageServices
{
    /// <summary>Vonage call control, inbound protocol, webhooks and their replay check, credential check and number set-up.</summary>
    public static IServiceCollection AddVonage(this IServiceCollection services)
    {
        services.AddTelephonyProvider(VonageProviderSpec.Create());
        services.AddHttpClient(VonageApiClient.HttpClientName, client => client.Timeout = VonageApiClient.Timeout);
        services.AddSingleton<VonageApiClient>();
        services.AddSingleton<VonageWebhookVerifier>();
        services.AddSingleton<VonageWebhookHandler>();
        services.AddProviderCalls<VonageProviderCalls>();
        services.AddInboundProtocol<VonageInboundProtocol>();
        services.AddSingleton<IProviderNumberSetup, VonageNumberSetup>();
        services.AddSingleton<IProviderCredentialCheck, VonageCredentialCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapVonageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapVonageWebhooks();
        app.MapVonageMediaSocket();
        return app;
    }
}
