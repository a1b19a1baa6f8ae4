using System.Text.Json;
using System.Text.Json.Serialization;
using DograhConsole.Core.Audit;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Calls.History;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Data;
using DograhConsole.Core.Data.Leases;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Media.Transport;
using DograhConsole.Core.Providers;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.WorkflowRuntime;
using DograhConsole.Core.WorkflowRuntime.Agent;
using DograhConsole.Core.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Core;

/// <summary>The composition root of everything that is not UI: each feature folder registers its services and maps its routes.</summary>
public static class DograhCore
{
    public const string DatabaseFileName = DograhDatabase.DatabaseFileName;

    public static IServiceCollection AddDograhCore(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(DograhOptions.SectionName);
        services.AddOptions<DograhOptions>().Bind(section);
        var dograhOptions = section.Get<DograhOptions>() ?? new DograhOptions();
        var dataDirectory = dograhOptions.ResolveDataDirectory();
        services.AddTrustedProxies(dograhOptions.TrustedProxies, configuration["AllowedHosts"]);
        // The data-protection keys in here decrypt every stored credential: only this user may read them.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dataDirectory);
        else Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        services.TryAddSingleton(TimeProvider.System);
        services.AddDograhDatabase(dograhOptions);
        var redis = new RedisConnection(dograhOptions.Redis);
        RedisConnection.Register(services, redis);
        SharedDataProtectionKeys.Configure(services, redis, dataDirectory);
        services.AddProblemDetails();
        services.AddOpenApi("v1", options => options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true);
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        services.AddSingleton<IMemoryPoolFactory<byte>, RetainingMemoryPoolFactory>();
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<HostIdentity>();
        services.AddLeases();
        services.AddScoped<OrganizationDb>();
        services.AddScoped<AuditLog>();
        services.AddDograhSecurity();
        services.AddMediaSessions();
        services.AddMediaTransport();
        services.AddWorkflows();
        services.AddTelephony();
        services.AddCalls();
        services.AddCallControl();
        services.AddWorkflowRuntime();
        services.AddAgentStream();
        services.AddProviders();
        services.AddCampaigns(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapDograhEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthEndpoints();
        app.MapOpenApi("/api/{documentName}/openapi.json");
        app.MapAccountEndpoints();
        app.MapApiKeyApi();
        app.MapTeamApi();
        app.MapTelephonyApi();
        app.MapWorkflowEndpoints();
        app.MapCallsApi();
        app.MapCallHistoryApi();
        app.MapCallControlEndpoints();
        app.MapProviderEndpoints();
        app.MapCampaignApi();
        app.MapAuditApi();
        return app;
    }

    /// <summary>Applies migrations and Dograh:Admin before the first request.</summary>
    public static async Task InitializeDograhAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await services.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
        await services.GetRequiredService<WorkflowSecrets>().ProtectPlainTextAsync(ct);
        await services.GetRequiredService<AdminBootstrapper>().RunAsync(ct);
    }
}
