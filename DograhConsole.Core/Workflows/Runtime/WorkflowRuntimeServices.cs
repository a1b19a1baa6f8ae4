using DograhConsole.Core.Calls.Media;
using DograhConsole.Core.Workflows.Prompts;
using DograhConsole.Core.Workflows.Recording;
using DograhConsole.Core.Workflows.Speech;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Core.Workflows.Runtime;

public static class WorkflowRuntimeServices
{
    /// <summary>
    /// The runner and the media host that starts it, text-to-speech (espeak-ng unless an ITextToSpeech was registered
    /// before), prompts, recordings, the http steps' client and the start-up clean-up of orphaned calls.
    /// The agent step uses the bridge that AddAgentStream registers.
    /// </summary>
    public static IServiceCollection AddWorkflowRuntime(this IServiceCollection services)
    {
        services.AddSingleton<WorkflowRuntimeDependencies>();
        services.AddSingleton<ICallWorkflowRunner, WorkflowRunner>();
        services.AddSingleton<CallMediaHost>();
        services.TryAddSingleton<ITextToSpeech, EspeakNgTextToSpeech>();
        services.AddSingleton<SpeechRenderer>();
        services.AddSingleton<PromptStore>();
        services.AddScoped<PromptService>();
        services.AddSingleton<CallRecorders>();
        services.AddHttpClient(WorkflowExecution.HttpClientName, client =>
        {
            client.Timeout = Timeout.InfiniteTimeSpan; // each step has its own timeout
            client.MaxResponseContentBufferSize = WorkflowExecution.MaxHttpResponseBytes;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<OrphanedCallCleanup>();
        services.AddHostedService(provider => provider.GetRequiredService<OrphanedCallCleanup>());
        return services;
    }

    public static IEndpointRouteBuilder MapWorkflowRuntimeEndpoints(this IEndpointRouteBuilder app) => app.MapPromptApi();
}
