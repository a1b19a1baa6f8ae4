using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Security;

/// <summary>The invitation as the API returns it once: with the link in full (Dograh:PublicBaseUrl's origin, else this request's).</summary>
public sealed record InvitationLink(InvitationView Invitation, string Link);

/// <summary>The team (admins), the organization's settings (read by members, changed by admins) and every organization (the installation owner).</summary>
public static class TeamApi
{
    public static IEndpointRouteBuilder MapTeamApi(this IEndpointRouteBuilder app)
    {
        var team = app.MapGroup("/api/v1/team").WithTags("Team").RequireAuthorization(DograhPolicies.Admin);
        team.MapGet("/", async (TeamService service, CancellationToken ct) => Results.Ok(await service.ListAsync(ct)));
        team.MapPost("/invitations", async (InvitationInput input, TeamService service, PublicUrls urls, HttpContext http, CancellationToken ct) =>
            (await service.InviteAsync(input, ct)).ToHttpResult(created =>
                Results.Created($"/api/v1/team/invitations/{created.Invitation.Id}", new InvitationLink(created.Invitation, Link(urls, http, created.Path)))));
        team.MapDelete("/invitations/{id:guid}", async (Guid id, TeamService service, CancellationToken ct) =>
            (await service.RevokeInvitationAsync(id, ct)).ToHttpResult(_ => Results.NoContent()));
        team.MapPut("/members/{id:guid}", async (Guid id, RoleInput input, TeamService service, CancellationToken ct) =>
            (await service.ChangeRoleAsync(id, input, ct)).ToHttpResult(Results.Ok));
        team.MapDelete("/members/{id:guid}", async (Guid id, TeamService service, CancellationToken ct) =>
            (await service.RemoveAsync(id, ct)).ToHttpResult(_ => Results.NoContent()));

        var settings = app.MapGroup("/api/v1/organization").WithTags("Organization").RequireAuthorization(DograhPolicies.ViewerReadsAdminWrites);
        settings.MapGet("/", async (OrganizationService service, CancellationToken ct) => Results.Ok(await service.GetCurrentAsync(ct)));
        settings.MapPut("/", async (OrganizationSettingsInput input, OrganizationService service, CancellationToken ct) =>
            (await service.UpdateCurrentAsync(input, ct)).ToHttpResult(Results.Ok));

        var organizations = app.MapGroup("/api/v1/organizations").WithTags("Organizations").RequireAuthorization(DograhPolicies.InstallationOwner);
        organizations.MapGet("/", async (OrganizationService service, CancellationToken ct) => (await service.ListAllAsync(ct)).ToHttpResult(Results.Ok));
        organizations.MapPost("/", async (NewOrganizationInput input, OrganizationService service, PublicUrls urls, HttpContext http, CancellationToken ct) =>
            (await service.CreateAsync(input, ct)).ToHttpResult(created => Results.Created($"/api/v1/organizations/{created.Organization.Settings.Id}", new
            {
                organization = created.Organization,
                ownerInvitation = new InvitationLink(created.OwnerInvitation.Invitation, Link(urls, http, created.OwnerInvitation.Path)),
            })));
        organizations.MapPut("/{id:guid}", async (Guid id, OrganizationSettingsInput input, OrganizationService service, CancellationToken ct) =>
            (await service.UpdateAsync(id, input, ct)).ToHttpResult(Results.Ok));
        return app;
    }

    private static string Link(PublicUrls urls, HttpContext http, string path) => urls.ForPeople(path, $"{http.Request.Scheme}://{http.Request.Host}");
}
