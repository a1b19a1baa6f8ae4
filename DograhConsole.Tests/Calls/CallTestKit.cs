using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Security;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Calls;

/// <summary>An organization made for one test, with its API key.</summary>
public sealed record TestOrganization(Guid Id, string ApiKey);

public static class CallTestKit
{
    public const string CallsUrl = "/api/v1/calls";

    public static CallService Calls(this DograhAppFactory factory) => factory.Services.GetRequiredService<CallService>();

    public static CallEventBus Bus(this DograhAppFactory factory) => factory.Services.GetRequiredService<CallEventBus>();

    public static async Task<TestOrganization> NewOrganizationAsync(this DograhAppFactory factory, int? maxConcurrentCalls = null)
    {
        var name = "org" + Guid.NewGuid().ToString("N")[..12];
        var key = await factory.CreateOrganizationAsync(name);
        await using var db = await factory.Db().CreateDbContextAsync();
        var organization = await db.Organizations.SingleAsync(o => o.Name == name);
        if (maxConcurrentCalls is { } limit)
        {
            organization.MaxConcurrentCalls = limit;
            await db.SaveChangesAsync();
        }
        return new TestOrganization(organization.Id, key);
    }

    /// <summary>The organization of the Dograh:Admin key.</summary>
    public static async Task<Guid> FirstOrganizationIdAsync(this DograhAppFactory factory)
    {
        await using var db = await factory.Db().CreateDbContextAsync();
        return await db.Users.IgnoreQueryFilters().Where(u => u.Email == DograhAppFactory.AdminEmail).Select(u => u.OrganizationId).SingleAsync();
    }

    public static IDbContextFactory<DograhDbContext> Db(this DograhAppFactory factory) =>
        factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();

    public static NewCall Outbound(Guid organizationId, string to = "+14155550100") =>
        new(organizationId, "twilio", CallDirection.Outbound, "+14155550199", to);

    public static NewCall Inbound(Guid organizationId, string providerCallId) =>
        new(organizationId, "twilio", CallDirection.Inbound, "+14155550123", "+14155550100") { ProviderCallId = providerCallId };

    public static async Task<CallView> CreateCallAsync(this DograhAppFactory factory, NewCall call)
    {
        var result = await factory.Calls().CreateAsync(call);
        Assert.True(result.Succeeded, result.Describe());
        return result.Value!;
    }

    public static async Task<List<CallEvent>> StoredEventsAsync(this DograhAppFactory factory, Guid callId)
    {
        await using var db = await factory.Db().CreateDbContextAsync();
        return await db.CallEvents.IgnoreQueryFilters().Where(e => e.CallId == callId).OrderBy(e => e.Id).ToListAsync();
    }

    public static async Task<Call> StoredCallAsync(this DograhAppFactory factory, Guid callId)
    {
        await using var db = await factory.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == callId);
    }

    /// <summary>Everything waiting in a subscription right now.</summary>
    public static List<CallUpdate> Drain(this CallSubscription subscription)
    {
        var updates = new List<CallUpdate>();
        while (subscription.Reader.TryRead(out var update)) updates.Add(update);
        return updates;
    }
}
