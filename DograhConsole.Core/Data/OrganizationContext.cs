using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Data;

/// <summary>
/// The signed-in caller of this scope. HTTP requests read it from the request's user; Blazor circuits,
/// which must not use HttpContext, set it from their authentication state (see the circuit handler in Web).
/// </summary>
public sealed class OrganizationContext(IHttpContextAccessor httpContextAccessor)
{
    private ClaimsPrincipal? _principal;

    public void SetPrincipal(ClaimsPrincipal principal) => _principal = principal;

    /// <summary>The caller's principal, or null for system work (a webhook, a timer).</summary>
    public ClaimsPrincipal? Principal => _principal ?? httpContextAccessor.HttpContext?.User;

    public Guid? OrganizationId =>
        Guid.TryParse(Principal?.FindFirstValue(DograhClaims.OrganizationId), out var id) ? id : null;

    public Guid? UserId =>
        Guid.TryParse(Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public string Actor => Principal?.FindFirstValue(DograhClaims.Actor) ?? "system";

    public Guid RequireOrganizationId() =>
        OrganizationId ?? throw new UnauthorizedAccessException("No signed-in organization for this operation.");
}
