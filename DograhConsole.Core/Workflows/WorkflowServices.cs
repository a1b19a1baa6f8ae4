using DograhConsole.Core.Workflows.Prompts;
using DograhConsole.Core.Workflows.Speech;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Core.Workflows;

public static class WorkflowServices
{
    /// <summary>Workflows and their secrets, prompts, and text-to-speech (espeak-ng unless an ITextToSpeech was registered before).</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.AddScoped<WorkflowService>();
        services.AddSingleton<WorkflowSecrets>();
        services.AddSingleton<PromptStore>();
        services.AddScoped<PromptService>();
        services.TryAddSingleton<ITextToSpeech, EspeakNgTextToSpeech>();
        services.AddSingleton<SpeechRenderer>();
        return services;
    }

    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapWorkflowApi();
        app.MapPromptApi();
        return app;
    }
}
