using System.Net;
using System.Text.Json.Nodes;

namespace DograhConsole.Core.Providers;

/// <summary>What <see cref="ProviderRestSender"/> got: the status (null when nothing answered), the JSON body, and the failure's message.</summary>
public sealed record ProviderRestResponse(HttpStatusCode? Status, JsonNode? Body, string? Message)
{
    public ProviderRestFailure? Failure => Message is null ? null : new ProviderRestFailure(Message);
}
