using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.WorkflowRuntime.Agent;

public static class AgentStreamServices
{
    public static IServiceCollection AddAgentStream(this IServiceCollection services)
    {
        services.AddOptions<AgentStreamOptions>().BindConfiguration(AgentStreamOptions.SectionName);
        services.AddSingleton<IAgentStream, AgentStreamBridge>();
        return services;
    }
}
