
namespace DograhConsole.Core.CallControl;

/// <summary>The machine-readable codes of call-control failures.</summary>
public static class ProviderCallCodes
{
    public const string ProviderError = "provider_error";
    public const string Unsupported = "provider_unsupported";
    public const string NotConfigured = "not_configured";
    public const string NotReady = "configuration_not_ready";
    public const string InvalidNumber = "invalid_number";
}
