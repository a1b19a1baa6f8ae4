using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Security;

public sealed record OrganizationSettingsView(Guid Id, string Name, int MaxConcurrentCalls, string DefaultTimeZone, CallerIdPolicy CallerIdPolicy, DateTime CreatedAt);

public sealed record OrganizationSettingsInput(string? Name, int? MaxConcurrentCalls, string? DefaultTimeZone, CallerIdPolicy? CallerIdPolicy);

public sealed record OrganizationSummary(OrganizationSettingsView Settings, int Members);

public sealed record NewOrganizationInput(string? Name, string? OwnerEmail, int? MaxConcurrentCalls);

/// <summary>A new organization and the one-time link its first owner joins with.</summary>
public sealed record CreatedOrganization(OrganizationSummary Organization, CreatedInvitation OwnerInvitation);

/// <summary>
/// Organization settings: each organization's admins edit their own (name, default time zone, caller ID policy); the
/// concurrent-call limit, which shares the host among organizations, is the installation owner's, who also creates
/// organizations. A limit applies at the next call start: the limiter reads it from the database each time.
/// </summary>
public sealed class OrganizationService(
    OrganizationDb organizationDb,
    OrganizationContext organization,
    IDbContextFactory<DograhDbContext> dbFactory,
    TeamService team,
    AuditLog audit,
    TimeProvider time)
{
    /// <summary>More simultaneous calls than one console process carries (each is a media socket and a workflow).</summary>
    public const int MaxConcurrentCallsLimit = 1000;

    public async Task<OrganizationSettingsView> GetCurrentAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        return ToView(await db.Organizations.AsNoTracking().FirstAsync(o => o.Id == organizationDb.OrganizationId, ct));
    }

    public async Task<OperationResult<OrganizationSettingsView>> UpdateCurrentAsync(OrganizationSettingsInput input, CancellationToken ct = default) =>
        await UpdateAsync(organizationDb.OrganizationId, input, ct);

    public async Task<OperationResult<OrganizationSettingsView>> UpdateAsync(Guid organizationId, OrganizationSettingsInput input, CancellationToken ct = default)
    {
        var installationOwner = DograhPolicies.IsInstallationOwner(organization.Principal);
        if (organizationId != organization.OrganizationId && !installationOwner) return OperationResult<OrganizationSettingsView>.NotFound("Organization not found.");
        if (DograhPolicies.RoleOf(organization.Principal) is null or < OrganizationRole.Admin && !installationOwner)
            return OperationResult<OrganizationSettingsView>.Forbidden("Only admins and owners change the organization's settings.");

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.OrganizationId = organizationId;
        var entity = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, ct);
        if (entity is null) return OperationResult<OrganizationSettingsView>.NotFound("Organization not found.");

        var errors = new ValidationErrors();
        var name = input.Name is null ? entity.Name : TextRules.ValidateName(input.Name, "name", errors);
        var limit = input.MaxConcurrentCalls ?? entity.MaxConcurrentCalls;
        ValidateLimit(limit, errors);
        var zone = input.DefaultTimeZone is null ? entity.DefaultTimeZone : input.DefaultTimeZone.Trim();
        if (TimeZones.Find(zone) is null) errors.Add("defaultTimeZone", $"Unknown time zone '{zone}'; use an IANA name like Europe/London.");
        var policy = input.CallerIdPolicy ?? entity.CallerIdPolicy;
        if (!Enum.IsDefined(policy)) errors.Add("callerIdPolicy", "Choose configurationDefault or requireExplicit.");
        if (errors.Any) return errors.ToResult<OrganizationSettingsView>();
        if (limit != entity.MaxConcurrentCalls && !installationOwner)
            return OperationResult<OrganizationSettingsView>.Forbidden("Only the installation owner changes the concurrent-call limit.");

        var changed = new List<string>();
        if (name != entity.Name) changed.Add("name");
        if (limit != entity.MaxConcurrentCalls) changed.Add($"concurrent-call limit {entity.MaxConcurrentCalls} → {limit}");
        if (zone != entity.DefaultTimeZone) changed.Add($"default time zone {entity.DefaultTimeZone} → {zone}");
        if (policy != entity.CallerIdPolicy) changed.Add($"caller ID policy {entity.CallerIdPolicy} → {policy}");
        if (changed.Count == 0) return OperationResult<OrganizationSettingsView>.Success(ToView(entity));
        entity.Name = name!;
        entity.MaxConcurrentCalls = limit;
        entity.DefaultTimeZone = zone;
        entity.CallerIdPolicy = policy;
        // The entry belongs to the organization that changed, whoever changed it.
        db.AuditEntries.Add(Entry(organizationId, "changed settings", entity, string.Join("; ", changed)));
        await db.SaveChangesAsync(ct);
        return OperationResult<OrganizationSettingsView>.Success(ToView(entity));
    }

    /// <summary>Every organization of the installation (installation owner only).</summary>
    public async Task<OperationResult<IReadOnlyList<OrganizationSummary>>> ListAllAsync(CancellationToken ct = default)
    {
        if (!DograhPolicies.IsInstallationOwner(organization.Principal))
            return OperationResult<IReadOnlyList<OrganizationSummary>>.Forbidden("Only the installation owner sees every organization.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var organizations = await db.Organizations.AsNoTracking().OrderBy(o => o.CreatedAt).ToListAsync(ct);
        var members = await db.Users.IgnoreQueryFilters().GroupBy(u => u.OrganizationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return OperationResult<IReadOnlyList<OrganizationSummary>>.Success(
            organizations.Select(o => new OrganizationSummary(ToView(o), members.GetValueOrDefault(o.Id))).ToList());
    }

    /// <summary>Creates an organization and an owner invitation for its first user (installation owner only).</summary>
    public async Task<OperationResult<CreatedOrganization>> CreateAsync(NewOrganizationInput input, CancellationToken ct = default)
    {
        if (!DograhPolicies.IsInstallationOwner(organization.Principal))
            return OperationResult<CreatedOrganization>.Forbidden("Only the installation owner creates organizations.");
        var errors = new ValidationErrors();
        var name = TextRules.ValidateName(input.Name, "name", errors);
        var email = AccountService.ValidateEmail(input.OwnerEmail, errors, "ownerEmail");
        var limit = input.MaxConcurrentCalls ?? CallsDefaultLimit;
        ValidateLimit(limit, errors);
        if (errors.Any) return errors.ToResult<CreatedOrganization>();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var normalized = AccountService.Normalize(email!);
        if (await db.Users.IgnoreQueryFilters().AnyAsync(u => u.NormalizedEmail == normalized, ct))
            return OperationResult<CreatedOrganization>.Conflict($"{email} already has an account; each account belongs to one organization.", "email_taken", "ownerEmail");
        if (await db.Organizations.AnyAsync(o => o.Name == name, ct))
            return OperationResult<CreatedOrganization>.Conflict($"An organization named '{name}' exists.", "duplicate", "name");

        var entity = new Organization { Id = Guid.NewGuid(), Name = name!, MaxConcurrentCalls = limit, CreatedAt = time.GetUtcNow().UtcDateTime };
        var (invitation, token) = team.NewInvitation(email!, OrganizationRole.Owner, organization.Actor, entity.Id);
        db.Organizations.Add(entity);
        db.Invitations.Add(invitation);
        db.AuditEntries.Add(Entry(entity.Id, "created", entity, $"first owner invited: {email}; concurrent-call limit {limit}"));
        // The installation owner's own organization keeps a record of it too.
        audit.Record(db, "created organization", "organization", entity.Id, entity.Name, $"first owner invited: {email}");
        await db.SaveChangesAsync(ct);
        var view = new InvitationView(invitation.Id, invitation.Email, invitation.Role, invitation.InvitedBy, invitation.CreatedAt, invitation.ExpiresAt);
        return OperationResult<CreatedOrganization>.Success(new CreatedOrganization(
            new OrganizationSummary(ToView(entity), 0), new CreatedInvitation(view, TeamService.InvitePathPrefix + token)));
    }

    /// <summary>What a new organization's limit starts at: the same as the first one's.</summary>
    private static int CallsDefaultLimit => new Organization().MaxConcurrentCalls;

    private static void ValidateLimit(int limit, ValidationErrors errors)
    {
        if (limit is < 1 or > MaxConcurrentCallsLimit)
            errors.Add("maxConcurrentCalls", $"The concurrent-call limit is a whole number from 1 to {MaxConcurrentCallsLimit}.");
    }

    private AuditEntry Entry(Guid organizationId, string action, Organization entity, string details) => new()
    {
        OrganizationId = organizationId,
        At = time.GetUtcNow().UtcDateTime,
        Actor = organization.Actor,
        Action = action,
        EntityType = "organization",
        EntityId = entity.Id.ToString(),
        EntityName = entity.Name,
        Details = details,
    };

    private static OrganizationSettingsView ToView(Organization o) => new(o.Id, o.Name, o.MaxConcurrentCalls, o.DefaultTimeZone, o.CallerIdPolicy, o.CreatedAt);
}
