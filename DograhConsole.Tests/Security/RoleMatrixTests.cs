using System.Text;
using DograhConsole.Core.Data;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DograhConsole.Tests.Security;

/// <summary>
/// Every endpoint the app maps (read from its EndpointDataSource, so a new one must be added to the table) under every
/// role: the least role each needs, and what the others get. Anonymous endpoints are checked by their metadata only
/// (webhooks answer by their signatures, sign-in by its form), the others by real requests.
/// </summary>
[Trait("Category", "Host")]
public sealed class RoleMatrixTests(DograhAppFactory factory, ITestOutputHelper output) : IClassFixture<DograhAppFactory>
{
    /// <summary>Who may call an endpoint: the least role, or one of the special cases.</summary>
    public enum Access { Anonymous, Viewer, Operator, Admin, Owner, InstallationOwner, NotRun }

    /// <summary>The caller of one column of the matrix.</summary>
    public enum Caller { Anonymous, Viewer, Operator, Admin, Owner, InstallationOwner, ApiKey }

    private static readonly Dictionary<string, Access> Table = new()
    {
        // Account: sign-in, set-up and invitations are open; the rest is for any member.
        ["POST /account/login"] = Access.Anonymous,
        ["POST /account/setup"] = Access.Anonymous,
        ["POST /account/invite"] = Access.Anonymous,
        ["POST /account/password"] = Access.Viewer,
        // Running it would end the session the rest of the matrix uses; its policy is checked by metadata.
        ["POST /account/logout"] = Access.NotRun,
        ["POST /api/v1/account/password"] = Access.Viewer,
        ["GET /healthz"] = Access.Anonymous,
        ["GET /api/{documentName}/openapi.json"] = Access.Viewer,

        ["GET /api/v1/api-keys/"] = Access.Admin,
        ["POST /api/v1/api-keys/"] = Access.Admin,
        ["DELETE /api/v1/api-keys/{id:guid}"] = Access.Admin,

        ["GET /api/v1/team/"] = Access.Admin,
        ["POST /api/v1/team/invitations"] = Access.Admin,
        ["DELETE /api/v1/team/invitations/{id:guid}"] = Access.Admin,
        ["PUT /api/v1/team/members/{id:guid}"] = Access.Admin,
        ["DELETE /api/v1/team/members/{id:guid}"] = Access.Admin,
        ["GET /api/v1/organization/"] = Access.Viewer,
        ["PUT /api/v1/organization/"] = Access.Admin,
        ["GET /api/v1/organizations/"] = Access.InstallationOwner,
        ["POST /api/v1/organizations/"] = Access.InstallationOwner,
        ["PUT /api/v1/organizations/{id:guid}"] = Access.InstallationOwner,

        ["GET /api/v1/telephony/providers"] = Access.Admin,
        ["GET /api/v1/telephony-configs/"] = Access.Admin,
        ["POST /api/v1/telephony-configs/"] = Access.Admin,
        ["GET /api/v1/telephony-configs/{id:guid}"] = Access.Admin,
        ["PUT /api/v1/telephony-configs/{id:guid}"] = Access.Admin,
        ["DELETE /api/v1/telephony-configs/{id:guid}"] = Access.Admin,
        ["POST /api/v1/telephony-configs/{id:guid}/default-outbound"] = Access.Admin,
        ["POST /api/v1/telephony-configs/{id:guid}/reactivate"] = Access.Admin,
        ["GET /api/v1/telephony-configs/{id:guid}/phone-numbers/"] = Access.Admin,
        ["POST /api/v1/telephony-configs/{id:guid}/phone-numbers/"] = Access.Admin,
        ["PUT /api/v1/telephony-configs/{id:guid}/phone-numbers/{numberId:guid}"] = Access.Admin,
        ["DELETE /api/v1/telephony-configs/{id:guid}/phone-numbers/{numberId:guid}"] = Access.Admin,

        ["GET /api/v1/workflows/"] = Access.Viewer,
        ["POST /api/v1/workflows/"] = Access.Admin,
        ["GET /api/v1/workflows/{id:guid}"] = Access.Viewer,
        ["PUT /api/v1/workflows/{id:guid}"] = Access.Admin,
        ["DELETE /api/v1/workflows/{id:guid}"] = Access.Admin,
        ["GET /api/v1/prompts/"] = Access.Viewer,
        ["GET /api/v1/prompts/{id:guid}"] = Access.Viewer,
        ["POST /api/v1/prompts/"] = Access.Admin,
        ["DELETE /api/v1/prompts/{id:guid}"] = Access.Admin,

        ["GET /api/v1/calls/"] = Access.Viewer,
        ["GET /api/v1/calls/{id:guid}"] = Access.Viewer,
        ["GET /api/v1/calls/export.csv"] = Access.Viewer,
        ["GET /api/v1/calls/{id:guid}/recording"] = Access.Viewer,
        ["POST /api/v1/calls/{id:guid}/hangup"] = Access.Operator,
        ["POST /api/v1/calls/{id:guid}/transfer"] = Access.Operator,
        ["GET /api/v1/calls/{callId:guid}/listen"] = Access.Operator,
        ["GET /api/v1/telephony/ws/web"] = Access.Operator,
        ["POST /api/v1/telephony/initiate-call"] = Access.Operator,

        ["GET /api/v1/campaigns/"] = Access.Viewer,
        ["POST /api/v1/campaigns/"] = Access.Operator,
        ["POST /api/v1/campaigns/preview"] = Access.Operator,
        ["GET /api/v1/campaigns/{id:guid}"] = Access.Viewer,
        ["GET /api/v1/campaigns/{id:guid}/contacts"] = Access.Viewer,
        ["GET /api/v1/campaigns/{id:guid}/report"] = Access.Viewer,
        ["POST /api/v1/campaigns/{id:guid}/start"] = Access.Operator,
        ["POST /api/v1/campaigns/{id:guid}/pause"] = Access.Operator,
        ["POST /api/v1/campaigns/{id:guid}/resume"] = Access.Operator,
        ["POST /api/v1/campaigns/{id:guid}/cancel"] = Access.Operator,

        ["GET /api/v1/audit/"] = Access.Admin,
    };

    [Fact]
    public void Every_endpoint_is_in_the_table()
    {
        var unknown = Endpoints().Select(e => e.Key).Where(key => !Table.ContainsKey(key) && Classify(key) is null).ToList();
        foreach (var key in unknown) output.WriteLine(key);
        Assert.True(unknown.Count == 0, "Endpoints without a row in the role table:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void Anonymous_endpoints_are_exactly_the_listed_ones()
    {
        foreach (var (key, endpoint) in Endpoints())
        {
            var expected = Table.GetValueOrDefault(key, Classify(key) ?? Access.Viewer);
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            Assert.True(anonymous == (expected == Access.Anonymous), $"{key}: anonymous is {anonymous}, the table says {expected}");
        }
    }

    [Fact]
    public void Logout_needs_a_member()
    {
        var logout = Endpoints().Single(e => e.Key == "POST /account/logout").Endpoint;
        Assert.Null(logout.Metadata.GetMetadata<IAllowAnonymous>());
    }

    [Fact]
    public async Task Every_endpoint_answers_each_role_as_the_table_says()
    {
        var callers = await SignInEveryoneAsync();
        var failures = new List<string>();
        var runs = 0;
        foreach (var (key, endpoint) in Endpoints())
        {
            var access = Table.GetValueOrDefault(key, Classify(key) ?? Access.Viewer);
            if (access is Access.Anonymous or Access.NotRun) continue;
            var method = key[..key.IndexOf(' ')];
            var url = Fill(endpoint.RoutePattern.RawText!);
            var api = url.StartsWith("/api/", StringComparison.Ordinal);
            foreach (var (caller, client) in callers)
            {
                // API keys are for the API; pages and the jobs dashboard take the sign-in cookie.
                if (caller == Caller.ApiKey && !api) continue;
                var cookieOnly = CookieOnly.Contains(key);
                var allowed = Allows(caller, access) && !(caller == Caller.ApiKey && (key == "POST /api/v1/account/password" || cookieOnly));
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                runs++;
                var status = (int)response.StatusCode;
                var location = response.Headers.Location?.OriginalString ?? "";
                var denied = api
                    ? status is 401 or 403
                    : status == 302 && (location.Contains("/login", StringComparison.Ordinal) || location.Contains("/access-denied", StringComparison.Ordinal));
                var expectedDenial = !api ? true : caller == Caller.Anonymous || (caller == Caller.ApiKey && cookieOnly) ? status == 401 : status == 403;
                if (allowed && (denied || status >= 500) || !allowed && !(denied && expectedDenial))
                    failures.Add($"{key} as {caller}: {status} {location} (expected {(allowed ? "allowed" : "denied")})");
            }
        }
        foreach (var failure in failures) output.WriteLine(failure);
        Assert.True(runs > 300, $"Only {runs} requests ran.");
        Assert.Empty(failures);
    }

    /// <summary>The sockets the console's own pages open: the sign-in cookie only, so an API key is not signed in there (401).</summary>
    private static readonly HashSet<string> CookieOnly = ["GET /api/v1/calls/{callId:guid}/listen", "GET /api/v1/telephony/ws/web"];

    private static bool Allows(Caller caller, Access access) => caller switch
    {
        Caller.Anonymous => false,
        Caller.InstallationOwner => true,
        Caller.ApiKey => access <= Access.Admin,
        _ => access != Access.InstallationOwner && (int)access <= (int)caller,
    };

    /// <summary>Endpoints not in the table by rule: the pages (by their own attributes) and the framework's.</summary>
    private static Access? Classify(string key)
    {
        var path = key[(key.IndexOf(' ') + 1)..];
        if (path.StartsWith("/_blazor", StringComparison.Ordinal) || path.StartsWith("/_framework", StringComparison.Ordinal)) return Access.NotRun;
        if (path.StartsWith("/hangfire", StringComparison.Ordinal)) return key.StartsWith("GET ", StringComparison.Ordinal) ? Access.InstallationOwner : Access.NotRun;
        // A page answers GET, and POST for its forms; both need the page's role.
        return path.StartsWith("/api/", StringComparison.Ordinal) || !Pages.TryGetValue(path, out var page) ? null : page;
    }

    private static readonly Dictionary<string, Access> Pages = new()
    {
        ["/"] = Access.Viewer,
        ["/login"] = Access.Anonymous,
        ["/setup"] = Access.Anonymous,
        ["/invite/{Token}"] = Access.Anonymous,
        ["/error"] = Access.Anonymous,
        ["/access-denied"] = Access.Viewer,
        ["/settings/password"] = Access.Viewer,
        ["/calls/live"] = Access.Viewer,
        ["/calls"] = Access.Viewer,
        ["/calls/{Id:guid}"] = Access.Viewer,
        ["/workflows"] = Access.Viewer,
        ["/workflows/{Id:guid}"] = Access.Viewer,
        ["/prompts"] = Access.Viewer,
        ["/campaigns"] = Access.Viewer,
        ["/campaigns/{Id:guid}"] = Access.Viewer,
        ["/campaigns/new"] = Access.Operator,
        ["/telephony"] = Access.Admin,
        ["/telephony/{Id:guid}"] = Access.Admin,
        ["/audit"] = Access.Admin,
        ["/settings/api-keys"] = Access.Admin,
        ["/settings/team"] = Access.Admin,
        ["/settings/organization"] = Access.Admin,
        ["/settings/organizations"] = Access.InstallationOwner,
    };

    private IEnumerable<(string Key, RouteEndpoint Endpoint)> Endpoints() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => ($"{m} /{e.RoutePattern.RawText!.TrimStart('/')}", e)))
            .Where(e => !e.Item1.StartsWith("OPTIONS ", StringComparison.Ordinal) && !e.Item1.StartsWith("HEAD ", StringComparison.Ordinal))
            .DistinctBy(e => e.Item1)
            .Where(e => !IsProviderRoute(e.Item1) || e.Item2.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => (e.Item1, e.Item2));

    /// <summary>Webhooks and media sockets of the providers: anonymous by design, authenticated by signatures and one-call tokens.</summary>
    private static bool IsProviderRoute(string key) =>
        key.Contains("/api/v1/telephony/", StringComparison.Ordinal) && !key.Contains("/providers", StringComparison.Ordinal) && !key.Contains("/initiate-call", StringComparison.Ordinal);

    private static string Fill(string pattern)
    {
        var url = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", match => match.Value switch
        {
            "{documentName}" => "v1",
            "{Token}" => "x",
            _ when match.Value.StartsWith("{**", StringComparison.Ordinal) => "",
            _ => Guid.NewGuid().ToString(),
        });
        return "/" + url.TrimStart('/');
    }

    private async Task<List<(Caller, HttpClient)>> SignInEveryoneAsync()
    {
        var callers = new List<(Caller, HttpClient)> { (Caller.Anonymous, factory.CreateApiClient(apiKey: null)), (Caller.ApiKey, factory.CreateApiClient()) };
        foreach (var (caller, role) in new[] { (Caller.Viewer, OrganizationRole.Viewer), (Caller.Operator, OrganizationRole.Operator), (Caller.Admin, OrganizationRole.Admin), (Caller.Owner, OrganizationRole.Owner) })
            callers.Add((caller, await SignInAsync((await factory.CreateUserAsync(role)).Email)));
        callers.Add((Caller.InstallationOwner, await SignInAsync(DograhAppFactory.AdminEmail)));
        return callers;
    }

    private async Task<HttpClient> SignInAsync(string email)
    {
        var session = new CookieSession(factory);
        using var response = await session.SignInAsync(email);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        // Writes with the cookie must come from the console's own pages (CookieOriginCheck).
        session.Client.DefaultRequestHeaders.Add("Origin", "http://localhost");
        return session.Client;
    }
}
