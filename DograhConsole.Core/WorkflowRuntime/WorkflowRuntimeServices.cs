using DograhConsole.Core.CallControl;
using DograhConsole.Core.WorkflowRuntime.Recording;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.WorkflowRuntime;

public static class WorkflowRuntimeServices
{
    /// <summary>
    /// The runner (call control's media host starts it), recordings, the http steps' client and the start-up clean-up
    /// of orphaned calls. The agent step uses the bridge that AddAgentStream registers.
    /// </summary>
    public static IServiceCollection AddWorkflowRuntime(this IServiceCollection services)
    {
        services.AddSingleton<WorkflowRuntimeDependencies>();
        services.AddSingleton<ICallWorkflowRunner, WorkflowRunner>();
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

}
