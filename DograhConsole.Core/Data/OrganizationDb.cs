using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Data;

/// <summary>Creates short-lived DbContexts scoped to the caller's organization (Blazor circuits outlive a request, so no shared context).</summary>
public sealed class OrganizationDb(IDbContextFactory<DograhDbContext> factory, OrganizationContext organization)
{
    public Guid OrganizationId => organization.RequireOrganizationId();

    public string Actor => organization.Actor;

    public DograhDbContext Create()
    {
        var db = factory.CreateDbContext();
        db.OrganizationId = organization.RequireOrganizationId();
        return db;
    }
}
