using DograhConsole.Core.CallControl;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Providers.Twilio;

public static class TwilioServices
{
    /// <summary>Twilio's settings, REST client, call control, inbound protocol, per-call webhooks, media streams and account set-up.</summary>
    public static IServiceCollection AddTwilio(this IServiceCollection services)
    {
        services.AddTelephonyProvider(TwilioProviderSpec.Create());
        services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.SectionName)
            .Validate(o => o.MediaStreamStartTimeout > TimeSpan.Zero, $"{TwilioOptions.SectionName}:MediaStreamStartTimeout must be positive.")
            .ValidateOnStart();
        services.AddTransient<TwilioApiBaseHandler>();
        services.AddHttpClient(TwilioApiClient.HttpClientName, client => client.Timeout = TwilioApiClient.AttemptTimeout)
            .AddHttpMessageHandler<TwilioApiBaseHandler>();
        services.AddSingleton<TwilioApiClient>();
        services.AddProviderCalls<TwilioProviderCalls>();
        services.AddSingleton<TwilioInboundProtocol>();
        services.AddInboundProtocol<TwilioInboundProtocol>();
        services.AddSingleton<TwilioWebhookContext>();
        services.AddSingleton<IProviderCredentialCheck, TwilioCredentialCheck>();
        services.AddSingleton<IProviderNumberSetup, TwilioNumberSetup>();
        return services;
    }

    public static IEndpointRouteBuilder MapTwilioEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapTwilioWebhooks();
        app.Map(TwilioRoutes.MediaSocketPath, TwilioMediaSocket.HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
