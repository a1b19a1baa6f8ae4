using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("DograhConsole.Tests.Infrastructure.ServersTestFramework", "DograhConsole.Tests")]

namespace DograhConsole.Tests.Infrastructure;

/// <summary>Why tests needing the run's PostgreSQL and/or Redis cannot run here; null when they can, or must (DOGRAH_TESTS_REQUIRE_SERVERS=1).</summary>
public static class TestServers
{
    public static string? MissingReason(bool postgres, bool redis) =>
        Environment.GetEnvironmentVariable("DOGRAH_TESTS_REQUIRE_SERVERS") == "1"
            ? null
            : (postgres ? PostgresServer.MissingReason : null) ?? (redis ? RedisServer.MissingReason : null);
}

/// <summary>
/// A fact that needs the test run's PostgreSQL and/or Redis: it skips with the reason when a server is not installed,
/// unless DOGRAH_TESTS_REQUIRE_SERVERS=1 (./test.sh sets it after installing them), where the test runs and fails.
/// </summary>
public sealed class ServersFactAttribute : FactAttribute
{
    public ServersFactAttribute(bool postgres = true, bool redis = false) => Skip = TestServers.MissingReason(postgres, redis);
}

/// <summary>
/// On a test class whose every test needs the servers (an <c>...OnPostgres</c> class running its base class's plain
/// <c>[Fact]</c>s on PostgreSQL): each test skips as a <see cref="ServersFactAttribute"/> would.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NeedsServersAttribute(bool postgres = true, bool redis = false) : Attribute
{
    public string? MissingReason { get; } = TestServers.MissingReason(postgres, redis);
}

/// <summary>xUnit's framework, but the tests of a <see cref="NeedsServersAttribute"/> class are discovered as skipped when the servers are missing.</summary>
public sealed class ServersTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assembly, ISourceInformationProvider sources, IMessageSink diagnostics)
        : XunitTestFrameworkDiscoverer(assembly, sources, diagnostics)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var reason = (testMethod.TestClass.Class as IReflectionTypeInfo)?.Type.GetCustomAttribute<NeedsServersAttribute>()?.MissingReason;
            if (reason is null || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            var skipped = new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
            return ReportDiscoveredTestCase(skipped, includeSourceInformation, messageBus);
        }
    }
}

/// <summary>One test (a theory as a whole) reported skipped with the servers' missing reason.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedTestCase() { }

    public SkippedTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string reason)
        : base(diagnostics, display, displayOptions, testMethod) => _reason = reason;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("ServersMissingReason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("ServersMissingReason");
        base.Deserialize(data);
    }
}
