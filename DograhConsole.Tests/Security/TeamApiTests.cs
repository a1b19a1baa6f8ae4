using System.Net;
using DograhConsole.Core.Audit;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Security;

/// <summary>The team, organization and organizations API with real sessions: invitations, roles, removal, settings, audit.</summary>
[Trait("Category", "Host")]
public sealed class TeamApiTests : IClassFixture<DograhAppFactory>
{
    private readonly DograhAppFactory _factory;
    private readonly HttpClient _api;

    public TeamApiTests(DograhAppFactory factory)
    {
        // These tests sign in a dozen times within a minute, from the one address of the test server.
        factory.Settings.TryAdd("Dograh:SignInAttemptsPerMinute", "1000");
        _factory = factory;
        _api = factory.CreateApiClient();
    }

    [Fact]
    public async Task An_invitation_link_makes_a_user_with_its_role_once()
    {
        var email = $"op-{Guid.NewGuid():N}@dograh.test";
        var created = (await _api.ApiPostAsync("/api/v1/team/invitations", new { email, role = "operator" })).Expect(HttpStatusCode.Created);
        var link = new Uri(created.Json["link"]!.GetValue<string>());
        Assert.StartsWith(DograhAppFactory.PublicBaseUrl + TeamService.InvitePathPrefix, link.ToString());
        Assert.Contains(email, (await _api.ApiGetAsync("/api/v1/team")).Expect(HttpStatusCode.OK).Text);

        using var invitee = new CookieSession(_factory);
        var token = await invitee.FormTokenAsync(link.AbsolutePath);
        var tokenValue = link.AbsolutePath[TeamService.InvitePathPrefix.Length..];
        using (var accepted = await invitee.PostFormAsync("/account/invite", token, ("token", tokenValue), ("password", "an-operator-password"), ("confirmPassword", "an-operator-password")))
            Assert.Equal("/", accepted.Headers.Location?.OriginalString);

        // Signed in as an operator: reads calls, places none through configurations it cannot see.
        Assert.Equal(HttpStatusCode.OK, (await invitee.Client.GetAsync("/api/v1/calls")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await invitee.Client.GetAsync(ApiCalls.Configs)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await invitee.Client.GetAsync("/api/v1/api-keys")).StatusCode);

        // The link works once.
        using var second = new CookieSession(_factory);
        var again = await second.FormTokenAsync();
        Assert.Contains("Invitation not valid", await second.Client.GetStringAsync(link.AbsolutePath));
        using (var replay = await second.PostFormAsync("/account/invite", again, ("token", tokenValue), ("password", "another-password"), ("confirmPassword", "another-password")))
            Assert.StartsWith(TeamService.InvitePathPrefix, replay.Headers.Location?.OriginalString);

        var audit = await AuditAsync();
        Assert.Contains(audit, a => a.Action == "invited" && a.EntityName == email && a.Details == "role: Operator");
        Assert.Contains(audit, a => a.Action == "accepted invitation" && a.Actor == email);
    }

    [Fact]
    public async Task A_role_change_applies_to_open_sessions_at_their_next_request()
    {
        var user = await _factory.CreateUserAsync(OrganizationRole.Viewer);
        using var session = await SignInAsync(user.Email);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.Client.GetAsync("/api/v1/audit")).StatusCode);

        (await _api.ApiSendAsync(HttpMethod.Put, $"/api/v1/team/members/{user.Id}", new { role = "admin" })).Expect(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/v1/audit")).StatusCode);

        (await _api.ApiSendAsync(HttpMethod.Put, $"/api/v1/team/members/{user.Id}", new { role = "viewer" })).Expect(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.Client.GetAsync("/api/v1/audit")).StatusCode);
        Assert.Contains(await AuditAsync(), a => a.Action == "changed role" && a.EntityName == user.Email && a.Details == "Admin → Viewer");
    }

    [Fact]
    public async Task A_removed_user_loses_every_session_at_once()
    {
        var user = await _factory.CreateUserAsync(OrganizationRole.Operator);
        using var session = await SignInAsync(user.Email);
        Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/v1/calls")).StatusCode);

        (await _api.ApiSendAsync(HttpMethod.Delete, $"/api/v1/team/members/{user.Id}")).Expect(HttpStatusCode.NoContent);

        Assert.Equal(HttpStatusCode.Unauthorized, (await session.Client.GetAsync("/api/v1/calls")).StatusCode);
        Assert.Contains(await AuditAsync(), a => a.Action == "removed" && a.EntityName == user.Email);
    }

    [Fact]
    public async Task Admins_do_not_act_on_owners_and_the_last_owner_stays()
    {
        var admin = await _factory.CreateUserAsync(OrganizationRole.Admin);
        var owner = await _factory.CreateUserAsync(OrganizationRole.Owner);
        using var session = await SignInAsync(admin.Email);

        (await session.Client.ApiSendAsync(HttpMethod.Post, "/api/v1/team/invitations", new { email = $"o-{Guid.NewGuid():N}@dograh.test", role = "owner" })).Expect(HttpStatusCode.Forbidden);
        (await session.Client.ApiSendAsync(HttpMethod.Delete, $"/api/v1/team/members/{owner.Id}")).Expect(HttpStatusCode.Forbidden);
        (await session.Client.ApiSendAsync(HttpMethod.Put, $"/api/v1/team/members/{admin.Id}", new { role = "owner" })).Expect(HttpStatusCode.Forbidden);
        (await session.Client.ApiSendAsync(HttpMethod.Post, "/api/v1/team/invitations", new { email = "not an e-mail", role = "viewer" })).Expect(HttpStatusCode.BadRequest);
        var taken = (await session.Client.ApiSendAsync(HttpMethod.Post, "/api/v1/team/invitations", new { email = owner.Email, role = "viewer" })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("email_taken", taken.Json["code"]!.GetValue<string>());

        // The owners (the first admin and this one) demote each other down to one, which stays.
        using var first = await SignInAsync(DograhAppFactory.AdminEmail);
        var owners = (await first.Client.ApiSendAsync(HttpMethod.Get, "/api/v1/team")).Json["members"]!.AsArray()
            .Where(m => m!["role"]!.GetValue<string>() == "owner" && m["email"]!.GetValue<string>() != DograhAppFactory.AdminEmail).Select(m => m!["id"]!.GetValue<Guid>()).ToList();
        foreach (var id in owners) (await first.Client.ApiSendAsync(HttpMethod.Put, $"/api/v1/team/members/{id}", new { role = "admin" })).Expect(HttpStatusCode.OK);
        var me = await _factory.Db().CreateDbContextAsync();
        await using (me)
        {
            var adminId = await me.Users.IgnoreQueryFilters().Where(u => u.Email == DograhAppFactory.AdminEmail).Select(u => u.Id).SingleAsync();
            var last = (await first.Client.ApiSendAsync(HttpMethod.Put, $"/api/v1/team/members/{adminId}", new { role = "admin" })).Expect(HttpStatusCode.Conflict);
            Assert.Equal("last_owner", last.Json["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task The_concurrent_call_limit_is_the_installation_owners_and_applies_at_once()
    {
        var organizationId = await _factory.FirstOrganizationIdAsync();
        var limiter = _factory.Services.GetRequiredService<CallConcurrencyLimiter>();
        var before = (await _api.ApiGetAsync("/api/v1/organization")).Expect(HttpStatusCode.OK).Json["maxConcurrentCalls"]!.GetValue<int>();

        // An API key acts as an admin: the name and defaults, not the limit.
        (await _api.ApiSendAsync(HttpMethod.Put, "/api/v1/organization", new { maxConcurrentCalls = before + 5 })).Expect(HttpStatusCode.Forbidden);
        var bad = (await _api.ApiSendAsync(HttpMethod.Put, "/api/v1/organization", new { defaultTimeZone = "Nowhere/Atlantis", maxConcurrentCalls = 0 })).Expect(HttpStatusCode.BadRequest);
        Assert.Equal(["defaultTimeZone", "maxConcurrentCalls"], bad.ErrorFields.Order());

        using var owner = await SignInAsync(DograhAppFactory.AdminEmail);
        var changed = (await owner.Client.ApiSendAsync(HttpMethod.Put, "/api/v1/organization", new { maxConcurrentCalls = 2 })).Expect(HttpStatusCode.OK);
        Assert.Equal(2, changed.Json["maxConcurrentCalls"]!.GetValue<int>());
        Assert.Equal(2, await limiter.LimitAsync(organizationId));
        Assert.Contains(await AuditAsync(), a => a.Action == "changed settings" && a.Details == $"concurrent-call limit {before} → 2");
        (await owner.Client.ApiSendAsync(HttpMethod.Put, "/api/v1/organization", new { maxConcurrentCalls = before })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_installation_owner_creates_an_organization_whose_first_owner_sees_only_it()
    {
        using var installationOwner = await SignInAsync(DograhAppFactory.AdminEmail);
        var name = "Tenant " + Guid.NewGuid().ToString("N")[..8];
        var ownerEmail = $"owner-{Guid.NewGuid():N}@tenant.test";
        var created = (await installationOwner.Client.ApiSendAsync(HttpMethod.Post, "/api/v1/organizations", new { name, ownerEmail, maxConcurrentCalls = 3 }))
            .Expect(HttpStatusCode.Created);
        var link = new Uri(created.Json["ownerInvitation"]!["link"]!.GetValue<string>());
        (await installationOwner.Client.ApiSendAsync(HttpMethod.Post, "/api/v1/organizations", new { name, ownerEmail = "x@y.test" })).Expect(HttpStatusCode.Conflict);
        // The API key's organization is not the installation: it cannot list or create organizations.
        (await _api.ApiGetAsync("/api/v1/organizations")).Expect(HttpStatusCode.Forbidden);

        using var newOwner = new CookieSession(_factory);
        var form = await newOwner.FormTokenAsync(link.AbsolutePath);
        using (var accepted = await newOwner.PostFormAsync("/account/invite", form, ("token", link.AbsolutePath[TeamService.InvitePathPrefix.Length..]),
                   ("password", "tenant-owner-password"), ("confirmPassword", "tenant-owner-password")))
            Assert.Equal("/", accepted.Headers.Location?.OriginalString);
        newOwner.Client.DefaultRequestHeaders.Add("Origin", "http://localhost");

        var settings = (await newOwner.Client.ApiSendAsync(HttpMethod.Get, "/api/v1/organization")).Expect(HttpStatusCode.OK);
        Assert.Equal(name, settings.Json["name"]!.GetValue<string>());
        Assert.Equal(3, settings.Json["maxConcurrentCalls"]!.GetValue<int>());
        Assert.Equal("[]", (await newOwner.Client.ApiSendAsync(HttpMethod.Get, ApiCalls.Workflows)).Expect(HttpStatusCode.OK).Text);
        (await newOwner.Client.ApiSendAsync(HttpMethod.Get, "/api/v1/organizations")).Expect(HttpStatusCode.Forbidden);
        var team = (await newOwner.Client.ApiSendAsync(HttpMethod.Get, "/api/v1/team")).Expect(HttpStatusCode.OK);
        Assert.Equal(ownerEmail, team.Json["members"]!.AsArray().Single()!["email"]!.GetValue<string>());
        Assert.Equal("owner", team.Json["members"]!.AsArray().Single()!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_password_is_changed_on_its_page_and_other_sessions_end()
    {
        var user = await _factory.CreateUserAsync(OrganizationRole.Viewer);
        using var other = await SignInAsync(user.Email);
        using var session = await SignInAsync(user.Email);
        var token = await session.FormTokenAsync(AccountEndpoints.PasswordPage);

        using (var wrong = await session.PostFormAsync("/account/password", token, ("currentPassword", "not-it-at-all"), ("newPassword", "a-new-password"), ("confirmPassword", "a-new-password")))
            Assert.Contains("error=", wrong.Headers.Location?.OriginalString);
        using (var changed = await session.PostFormAsync("/account/password", token, ("currentPassword", DograhAppFactory.AdminPassword), ("newPassword", "a-new-password"), ("confirmPassword", "a-new-password")))
            Assert.Equal(AccountEndpoints.PasswordPage + "?changed=1", changed.Headers.Location?.OriginalString);

        Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/v1/calls")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Client.GetAsync("/api/v1/calls")).StatusCode);
        Assert.Contains(await AuditAsync(), a => a.Action == "changed password" && a.Actor == user.Email);
    }

    private async Task<CookieSession> SignInAsync(string email)
    {
        var session = new CookieSession(_factory);
        using var response = await session.SignInAsync(email);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        session.Client.DefaultRequestHeaders.Add("Origin", "http://localhost");
        return session;
    }

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = await _factory.Db().CreateDbContextAsync();
        return await db.AuditEntries.IgnoreQueryFilters().AsNoTracking().ToListAsync();
    }
}
