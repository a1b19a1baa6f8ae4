namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>The provider refused the credentials: <see cref="Field"/> is a credential field name.</summary>
public sealed record CredentialRejection(string Field, string Message);
