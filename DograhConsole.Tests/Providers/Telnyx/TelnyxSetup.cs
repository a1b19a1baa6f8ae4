namespace DograhConsole.Tests.Providers.Telnyx;

public sealed record TelnyxSetup(Guid WorkflowId, Guid ConfigurationId, string Number);
