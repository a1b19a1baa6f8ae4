namespace DograhConsole.Tests.Providers.Plivo;

public sealed record PlivoSetup(Guid WorkflowId, Guid ConfigurationId, string Number);
