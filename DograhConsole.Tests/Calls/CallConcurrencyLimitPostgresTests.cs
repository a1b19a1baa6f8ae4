using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Tests.Calls;

/// <summary>
/// Several hosts on one PostgreSQL: each has its own <see cref="CallConcurrencyLimiter"/> (its in-process gate guards
/// only its own starts), and racing starts on separate connections still take exactly the organization's limit, because
/// the count and the insert run under the organization's row lock.
/// </summary>
[Trait("Category", "Host")]
public sealed class CallConcurrencyLimitPostgresTests
{
    [ServersFact]
    public async Task Racing_starts_from_eight_hosts_on_a_limit_of_3_let_exactly_3_through()
    {
        var connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var organizationId = Guid.NewGuid();
        await using (var db = DograhDatabase.CreatePostgres(connectionString))
        {
            await db.Database.MigrateAsync();
            db.Organizations.Add(new Organization { Id = organizationId, Name = "Racers", MaxConcurrentCalls = 3, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var hosts = Enumerable.Range(0, 8).Select(_ => new CallConcurrencyLimiter(new PostgresContexts(connectionString))).ToList();

        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await hosts[i % hosts.Count].TryStartAsync(organizationId, (_, _) => Task.FromResult(false), db => db.Set<Call>().Add(new Call
            {
                Id = Guid.NewGuid(),
                OrganizationId = organizationId,
                Provider = "test",
                From = "+14155550100",
                To = $"+1415555{i:0000}",
                Status = CallStatus.Initiated,
                CreatedAt = DateTime.UtcNow,
            }), campaign: null);
        })).ToList();
        start.Set();
        var decisions = await Task.WhenAll(racers);

        Assert.Equal(3, decisions.Count(d => d!.Acquired));
        Assert.Equal(3, await hosts[0].ActiveCountAsync(organizationId));
    }
}
