using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Workflows;

public static class WorkflowServices
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services) =>
        services.AddScoped<WorkflowService>().AddSingleton<WorkflowSecrets>();
}
