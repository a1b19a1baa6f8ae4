using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Security;

public sealed record TeamMemberView(Guid Id, string Email, OrganizationRole Role, bool IsInstallationOwner, DateTime CreatedAt, DateTime? LastLoginAt, bool IsYou);

public sealed record InvitationView(Guid Id, string Email, OrganizationRole Role, string InvitedBy, DateTime CreatedAt, DateTime ExpiresAt);

public sealed record TeamView(IReadOnlyList<TeamMemberView> Members, IReadOnlyList<InvitationView> Invitations);

public sealed record InvitationInput(string? Email, OrganizationRole? Role);

public sealed record RoleInput(OrganizationRole? Role);

/// <summary>The one-time link in full, shown once to the inviter: its token is stored only as a hash.</summary>
public sealed record CreatedInvitation(InvitationView Invitation, string Path);

/// <summary>What the invitation page shows before the invitee picks a password.</summary>
public sealed record InvitationPreview(string Email, string OrganizationName, OrganizationRole Role);

/// <summary>
/// The users of the caller's organization: invitations by one-time link, roles, removal. Admins manage operators,
/// viewers and admins; only an owner makes, changes or removes an owner, and the last owner stays.
/// </summary>
public sealed class TeamService(
    OrganizationDb organizationDb,
    OrganizationContext organization,
    IDbContextFactory<DograhDbContext> dbFactory,
    IPasswordHasher<AdminUser> hasher,
    AuditLog audit,
    TimeProvider time,
    ILogger<TeamService> logger)
{
    /// <summary>Long enough to pass a link on over a weekend, short enough that a forgotten link stops working.</summary>
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);
    public const string InvitePathPrefix = "/invite/";

    public async Task<TeamView> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var me = organization.UserId;
        var users = await db.Users.AsNoTracking().OrderBy(u => u.CreatedAt).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var invitations = await db.Invitations.AsNoTracking().Where(i => i.AcceptedAt == null && i.ExpiresAt > now).OrderBy(i => i.CreatedAt).ToListAsync(ct);
        return new TeamView(
            users.Select(u => new TeamMemberView(u.Id, u.Email, u.Role, u.IsInstallationOwner, u.CreatedAt, u.LastLoginAt, u.Id == me)).ToList(),
            invitations.Select(ToView).ToList());
    }

    public async Task<OperationResult<CreatedInvitation>> InviteAsync(InvitationInput input, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var email = AccountService.ValidateEmail(input.Email, errors);
        if (input.Role is not { } role || !Enum.IsDefined(role)) errors.Add("role", "Choose owner, admin, operator or viewer.");
        if (errors.Any) return errors.ToResult<CreatedInvitation>();
        if (Refusal(input.Role!.Value) is { } refused) return OperationResult<CreatedInvitation>.Forbidden(refused);

        await using var db = organizationDb.Create();
        var normalized = AccountService.Normalize(email!);
        if (await db.Users.IgnoreQueryFilters().AnyAsync(u => u.NormalizedEmail == normalized, ct))
            return OperationResult<CreatedInvitation>.Conflict($"{email} already has an account.", "email_taken", "email");
        // A new link for the same e-mail replaces the earlier ones.
        db.Invitations.RemoveRange(await db.Invitations.Where(i => i.NormalizedEmail == normalized && i.AcceptedAt == null).ToListAsync(ct));
        var (invitation, token) = NewInvitation(email!, input.Role!.Value, organization.Actor);
        db.Invitations.Add(invitation);
        audit.Record(db, "invited", "user", invitation.Id, invitation.Email, $"role: {invitation.Role}");
        await db.SaveChangesAsync(ct);
        return OperationResult<CreatedInvitation>.Success(new CreatedInvitation(ToView(invitation), InvitePathPrefix + token));
    }

    public async Task<OperationResult<InvitationView>> RevokeInvitationAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == id && i.AcceptedAt == null, ct);
        if (invitation is null) return OperationResult<InvitationView>.NotFound("Invitation not found.");
        if (Refusal(invitation.Role) is { } refused) return OperationResult<InvitationView>.Forbidden(refused);
        db.Invitations.Remove(invitation);
        audit.Record(db, "revoked invitation", "user", invitation.Id, invitation.Email);
        await db.SaveChangesAsync(ct);
        return OperationResult<InvitationView>.Success(ToView(invitation));
    }

    /// <summary>Gives a member another role; their open sessions take it on their next request (open pages go back through sign-in).</summary>
    public async Task<OperationResult<TeamMemberView>> ChangeRoleAsync(Guid userId, RoleInput input, CancellationToken ct = default)
    {
        if (input.Role is not { } role || !Enum.IsDefined(role)) return OperationResult<TeamMemberView>.Invalid("role", "Choose owner, admin, operator or viewer.");
        await using var db = organizationDb.Create();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return OperationResult<TeamMemberView>.NotFound("User not found.");
        if ((Refusal(user.Role) ?? Refusal(role)) is { } refused) return OperationResult<TeamMemberView>.Forbidden(refused);
        if (user.Role == role) return OperationResult<TeamMemberView>.Success(ToView(user));
        if (user.Role == OrganizationRole.Owner && !await AnotherOwnerAsync(db, user.Id, ct))
            return OperationResult<TeamMemberView>.Conflict("The organization needs an owner: make someone else owner first.", "last_owner", "role");
        var before = user.Role;
        user.Role = role;
        audit.Record(db, "changed role", "user", user.Id, user.Email, $"{before} → {role}");
        await db.SaveChangesAsync(ct);
        logger.LogInformation("{Actor} changed the role of {Email} from {Before} to {After}", organization.Actor, user.Email, before, role);
        return OperationResult<TeamMemberView>.Success(ToView(user));
    }

    /// <summary>Removes a member; every session of theirs ends at once (the session check finds no user).</summary>
    public async Task<OperationResult<TeamMemberView>> RemoveAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return OperationResult<TeamMemberView>.NotFound("User not found.");
        if (Refusal(user.Role) is { } refused) return OperationResult<TeamMemberView>.Forbidden(refused);
        if (user.Id == organization.UserId) return OperationResult<TeamMemberView>.Conflict("You cannot remove yourself: ask another admin.", "self");
        if (user.IsInstallationOwner) return OperationResult<TeamMemberView>.Conflict("The installation owner cannot be removed.", "installation_owner");
        if (user.Role == OrganizationRole.Owner && !await AnotherOwnerAsync(db, user.Id, ct))
            return OperationResult<TeamMemberView>.Conflict("The organization needs an owner: make someone else owner first.", "last_owner");
        db.Users.Remove(user);
        audit.Record(db, "removed", "user", user.Id, user.Email, $"role: {user.Role}");
        await db.SaveChangesAsync(ct);
        logger.LogInformation("{Actor} removed {Email}; their sessions ended", organization.Actor, user.Email);
        return OperationResult<TeamMemberView>.Success(ToView(user));
    }

    /// <summary>What an open invitation link leads to, or null when the link is unknown, used or expired.</summary>
    public async Task<InvitationPreview?> PreviewAsync(string? token, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await OpenInvitationAsync(db, token, ct);
        if (invitation is null) return null;
        var organizationName = await db.Organizations.Where(o => o.Id == invitation.OrganizationId).Select(o => o.Name).FirstAsync(ct);
        return new InvitationPreview(invitation.Email, organizationName, invitation.Role);
    }

    /// <summary>Turns an open invitation into a user with the chosen password; the link works once.</summary>
    public async Task<OperationResult<AdminUser>> AcceptAsync(string? token, string? password, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        AccountService.ValidatePassword(password, errors);
        if (errors.Any) return errors.ToResult<AdminUser>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await OpenInvitationAsync(db, token, ct);
        if (invitation is null) return OperationResult<AdminUser>.NotFound("This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.");
        if (await db.Users.IgnoreQueryFilters().AnyAsync(u => u.NormalizedEmail == invitation.NormalizedEmail, ct))
            return OperationResult<AdminUser>.Conflict($"{invitation.Email} already has an account: sign in instead.", "email_taken");
        var now = time.GetUtcNow().UtcDateTime;
        var user = new AdminUser
        {
            Id = Guid.NewGuid(),
            OrganizationId = invitation.OrganizationId,
            Email = invitation.Email,
            NormalizedEmail = invitation.NormalizedEmail,
            Role = invitation.Role,
            CreatedAt = now,
            LastLoginAt = now,
            SecurityStamp = AccountService.NewSecurityStamp(),
        };
        user.PasswordHash = hasher.HashPassword(user, password!);
        invitation.AcceptedAt = now;
        db.Users.Add(user);
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = invitation.OrganizationId,
            At = now,
            Actor = user.Email,
            Action = "accepted invitation",
            EntityType = "user",
            EntityId = user.Id.ToString(),
            EntityName = user.Email,
            Details = $"role: {user.Role}; invited by {invitation.InvitedBy}",
        });
        // Two tabs accepting the same link at once: the unique e-mail index lets one through.
        if (!await db.TrySaveUniqueAsync(ct))
            return OperationResult<AdminUser>.Conflict($"{invitation.Email} already has an account: sign in instead.", "email_taken");
        logger.LogInformation("{Email} joined organization {OrganizationId} as {Role}", user.Email, user.OrganizationId, user.Role);
        return OperationResult<AdminUser>.Success(user);
    }

    /// <summary>A new invitation for an organization (also the first owner of a new one) and its token.</summary>
    internal (Invitation Invitation, string Token) NewInvitation(string email, OrganizationRole role, string invitedBy, Guid organizationId = default)
    {
        var token = ApiKeyService.Generate()[ApiKeyService.KeyPrefix.Length..];
        var now = time.GetUtcNow().UtcDateTime;
        var invitation = new Invitation
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Email = email,
            NormalizedEmail = AccountService.Normalize(email),
            Role = role,
            TokenHash = ApiKeyService.Hash(token),
            InvitedBy = invitedBy,
            CreatedAt = now,
            ExpiresAt = now + InvitationLifetime,
        };
        return (invitation, token);
    }

    private async Task<Invitation?> OpenInvitationAsync(DograhDbContext db, string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 128) return null;
        var hash = ApiKeyService.Hash(token.Trim());
        var now = time.GetUtcNow().UtcDateTime;
        return await db.Invitations.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.TokenHash == hash && i.AcceptedAt == null && i.ExpiresAt > now, ct);
    }

    /// <summary>Why the caller may not act on someone with <paramref name="role"/>, or null: only an owner acts on owners.</summary>
    private string? Refusal(OrganizationRole role)
    {
        var mine = DograhPolicies.RoleOf(organization.Principal);
        if (mine is null or < OrganizationRole.Admin) return "Only admins and owners manage the team.";
        return role == OrganizationRole.Owner && mine < OrganizationRole.Owner ? "Only an owner makes, changes or removes an owner." : null;
    }

    private static Task<bool> AnotherOwnerAsync(DograhDbContext db, Guid userId, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id != userId && u.Role == OrganizationRole.Owner, ct);

    private TeamMemberView ToView(AdminUser u) => new(u.Id, u.Email, u.Role, u.IsInstallationOwner, u.CreatedAt, u.LastLoginAt, u.Id == organization.UserId);

    private static InvitationView ToView(Invitation i) => new(i.Id, i.Email, i.Role, i.InvitedBy, i.CreatedAt, i.ExpiresAt);
}
