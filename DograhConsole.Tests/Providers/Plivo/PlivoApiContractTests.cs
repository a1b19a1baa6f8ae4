using System.Text.Json.Nodes;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Plivo;

[Trait("Category", "Unit")]
public sealed class PlivoApiContractTests
{
    /// <summary>The bodies the fake answers with are Plivo's own: the official SDK fixtures, unchanged.</summary>
    [SpecsFact("plivo")]
    public void The_fakes_response_bodies_are_the_official_sdk_fixtures()
    {
        foreach (var (file, embedded) in PlivoFixtures.ByFile)
        {
            var fixture = JsonNode.Parse(File.ReadAllText(SharedSpecs.PathOf("plivo", "sdk-fixtures", file)));
            Assert.True(JsonNode.DeepEquals(fixture, JsonNode.Parse(embedded)), $"{file} differs from the embedded copy");
        }
    }
}
