using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Security;

/// <summary>
/// The least role that may read (GET, HEAD, OPTIONS) and the least that may write (any other method). Outside an HTTP
/// request (a page's route, a component's AuthorizeView) the read role applies: those only decide what shows.
/// </summary>
public sealed record RoleRequirement(OrganizationRole Read, OrganizationRole Write) : IAuthorizationRequirement;

public sealed class RoleRequirementHandler : AuthorizationHandler<RoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        var needed = context.Resource is HttpContext http && !IsRead(http.Request.Method) ? requirement.Write : requirement.Read;
        if (DograhPolicies.RoleOf(context.User) is { } role && role >= needed) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}
