using System.Reflection;
using Xunit.Sdk;

namespace DograhConsole.Tests.Infrastructure;

[Trait("Category", "Unit")]
public sealed class ServersTestFrameworkTests
{
    [Fact]
    public void Every_test_class_on_PostgreSQL_says_it_needs_the_servers()
    {
        var unmarked = typeof(ServersTestFrameworkTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && (t.Name.EndsWith("OnPostgres", StringComparison.Ordinal)
                || t.GetInterfaces().Contains(typeof(IClassFixture<PostgresAppFactory>))))
            .Where(t => t.GetCustomAttribute<NeedsServersAttribute>() is null)
            .Select(t => t.FullName)
            .ToList();
        Assert.True(unmarked.Count == 0, "Mark these [NeedsServers], so they skip where PostgreSQL is missing:\n" + string.Join("\n", unmarked));
    }

    [Fact]
    public void A_skipped_test_keeps_its_reason_through_the_runner_s_serialization()
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(ServersTestFrameworkTests).Assembly));
        var testClass = new TestClass(new TestCollection(assembly, null, "servers"), Reflector.Wrap(typeof(ServersTestFrameworkTests)));
        var method = new TestMethod(testClass, Reflector.Wrap(typeof(ServersTestFrameworkTests).GetMethod(nameof(Every_test_class_on_PostgreSQL_says_it_needs_the_servers))!));
        var skipped = new SkippedTestCase(new NullMessageSink(), TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, method, "PostgreSQL is missing");

        var copy = SerializationHelper.Deserialize<IXunitTestCase>(SerializationHelper.Serialize(skipped));

        Assert.Equal("PostgreSQL is missing", copy.SkipReason);
        Assert.Equal(skipped.UniqueID, copy.UniqueID);
    }
}
