using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Core.Telephony;

public enum CredentialFieldType
{
    Text,
    Password,
    TextArea,
    Select,
    Number,
    Boolean,
}

/// <summary>One field of a provider's configuration form; the UI, the API and validation are all driven from these.</summary>
public sealed record CredentialField(
    string Name,
    string Label,
    CredentialFieldType Type = CredentialFieldType.Text,
    bool Required = false,
    bool Sensitive = false,
    string? HelpText = null,
    string? Placeholder = null,
    string? DefaultValue = null,
    bool Advanced = false,
    IReadOnlyList<string>? Options = null,
    int MaxLength = 200)
{
    /// <summary>Field-specific checks beyond required/length/options: returns an error message or null.</summary>
    public Func<string, string?>? Check { get; init; }

    /// <summary>
    /// Rewrites a trimmed value into the one form the console stores and shows (e.g. an ARI URL without its
    /// <c>/ari</c> prefix gains it). Runs before <see cref="Check"/>; must return its input when it cannot parse it.
    /// </summary>
    public Func<string, string>? Normalize { get; init; }

    /// <summary>Produces a default for a new configuration when <see cref="DefaultValue"/> is not fixed (e.g. a unique app name).</summary>
    public Func<string>? GenerateDefault { get; init; }

    /// <summary>
    /// For a URL field: the sensitive fields the console sends to that URL's host. When an update moves the URL to
    /// another host (scheme, host or port), these must be typed again: their masks no longer keep the stored values.
    /// </summary>
    public IReadOnlyList<string> SecretsSentHere { get; init; } = [];
}

public enum ProviderKind
{
    /// <summary>A cloud carrier reached over the public internet (numbers in E.164).</summary>
    Carrier,
    /// <summary>A PBX the admin runs (extensions, SIP URIs and numbers).</summary>
    Pbx,
}

/// <summary>The audio a provider speaks on its media socket.</summary>
public sealed record MediaFormat(string Encoding, int SampleRate)
{
    public static readonly MediaFormat MuLaw8k = new("ulaw", 8000);
    public static readonly MediaFormat Linear16k = new("l16", 16000);

    public override string ToString() => $"{Encoding} {SampleRate / 1000} kHz";
}

/// <summary>
/// A provider as the registry knows it. Adding a provider is one folder with one of these plus one
/// registration: the configuration form, validation, readiness checklist and inbound routing read it.
/// </summary>
public sealed class ProviderSpec
{
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required string Description { get; init; }
    public required ProviderKind Kind { get; init; }
    public required MediaFormat MediaFormat { get; init; }
    public required IReadOnlyList<CredentialField> Fields { get; init; }

    /// <summary>The field whose value identifies the account in inbound webhooks (e.g. accountSid).</summary>
    public required string AccountKeyField { get; init; }

    /// <summary>True when no two configurations in the installation may share the account key (e.g. a Stasis app name).</summary>
    public bool AccountKeyUniqueInInstallation { get; init; }

    public required IReadOnlySet<AddressType> AddressTypes { get; init; }

    /// <summary>The voicemail detection an outbound call through this provider can ask for; Off alone when it has none.</summary>
    public IReadOnlyList<VoicemailDetection> VoicemailDetectionModes { get; init; } = [VoicemailDetection.Off];

    /// <summary>Checks across fields, after every field passed its own checks.</summary>
    public Action<IReadOnlyDictionary<string, string>, ValidationErrors>? ValidateAll { get; init; }

    /// <summary>Warnings that do not block saving but show on the card and detail page.</summary>
    public Func<IReadOnlyDictionary<string, string>, IEnumerable<string>>? Warnings { get; init; }

    /// <summary>Values the admin pastes into the provider's console or Asterisk's files, each with a copy button.</summary>
    public required Func<SetupContext, IReadOnlyList<SetupValue>> SetupValues { get; init; }

    public CredentialField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>A value to copy elsewhere while setting up a provider.</summary>
public sealed record SetupValue(string Label, string Value, string? Help = null, bool Multiline = false);

/// <summary>What a provider needs to describe its set-up: the public URLs and the configuration's non-secret values.</summary>
public sealed record SetupContext(Hosting.PublicUrls Urls, IReadOnlyDictionary<string, string> Settings);
