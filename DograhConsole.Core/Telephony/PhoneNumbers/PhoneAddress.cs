using System.Text.RegularExpressions;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

public sealed record ParsedAddress(string Normalized, AddressType Type);

/// <summary>
/// Turns what an admin types into a routing key: E.164 (with a country hint for national formats),
/// lower-cased SIP URIs, and extensions as typed.
/// </summary>
public static partial class PhoneAddress
{
    public const int MaxLength = 128;

    public static string Describe(AddressType type) => type switch
    {
        AddressType.E164 => "E.164 number",
        AddressType.SipUri => "SIP URI",
        AddressType.Extension => "Extension",
        _ => type.ToString(),
    };

    /// <summary>
    /// Parses an address and checks that <paramref name="spec"/>'s provider can reach its type. False with
    /// <paramref name="error"/> set when it does not parse; false with <paramref name="parsed"/> set (and no error)
    /// when it parses to a type the provider cannot reach. Callers word the refusal for their context.
    /// </summary>
    public static bool TryParseFor(ProviderSpec spec, string? raw, string? countryHint, out ParsedAddress? parsed, out string? error)
    {
        if (!TryParse(raw, countryHint, out parsed, out error)) return false;
        return spec.AddressTypes.Contains(parsed!.Type);
    }

    /// <summary>The address types a provider reaches, for messages: "E.164 number or SIP URI".</summary>
    public static string DescribeAll(IEnumerable<AddressType> types, string separator, string suffix = "") =>
        string.Join(separator, types.Select(t => Describe(t) + suffix));

    public static bool TryParse(string? raw, string? countryHint, out ParsedAddress? parsed, out string? error)
    {
        parsed = null;
        error = null;
        var input = raw?.Trim() ?? "";
        if (input.Length == 0) return Fail("An address is required.", out error);
        if (input.Length > MaxLength) return Fail($"The address must be at most {MaxLength} characters.", out error);

        if (input.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || input.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) || input.Contains('@'))
        {
            var uri = input;
            if (!uri.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && !uri.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)) uri = "sip:" + uri;
            uri = uri.ToLowerInvariant();
            if (!SipUri().IsMatch(uri)) return Fail("Enter a SIP URI like sip:agent@pbx.example.com.", out error);
            parsed = new ParsedAddress(uri, AddressType.SipUri);
            return true;
        }

        var compact = Separators().Replace(input, "");
        if (compact.StartsWith('+') || (compact.StartsWith("00", StringComparison.Ordinal) && compact.Length > 8 && compact.All(char.IsAsciiDigit)))
        {
            // "+44 (0)20 ...": the (0) is the trunk prefix dialled only from inside the country, never part of E.164.
            var international = Separators().Replace(input.Replace("(0)", "", StringComparison.Ordinal), "");
            var digits = international.StartsWith('+') ? international[1..] : international[2..];
            return E164(digits, out parsed, out error);
        }

        var callingCode = CountryCallingCodes.Resolve(countryHint);
        if (callingCode is not null && compact.Length >= 6 && compact.All(char.IsAsciiDigit))
        {
            return E164(callingCode + CountryCallingCodes.StripTrunkPrefix(callingCode, compact), out parsed, out error);
        }
        if (!string.IsNullOrWhiteSpace(countryHint) && callingCode is null)
        {
            return Fail($"Unknown country '{countryHint}': use an ISO code such as US or GB, or a calling code such as 44.", out error);
        }

        if (Extension().IsMatch(input))
        {
            parsed = new ParsedAddress(input, AddressType.Extension);
            return true;
        }
        return Fail("Enter an E.164 number (+14155550100), a national number with its country, a SIP URI, or an extension (e.g. 8000).", out error);
    }

    private static bool E164(string digits, out ParsedAddress? parsed, out string? error)
    {
        parsed = null;
        if (!E164Digits().IsMatch(digits))
            return Fail("Enter a valid E.164 number: + and the country code, then 7 to 15 digits in all (e.g. +14155550100).", out error);
        error = null;
        parsed = new ParsedAddress("+" + digits, AddressType.E164);
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    [GeneratedRegex(@"[\s\-\.\(\)/]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^[1-9][0-9]{6,14}$")]
    private static partial Regex E164Digits();

    // sip:user@host[:port][;params]; user may carry a leading + for numbers.
    [GeneratedRegex(@"^sips?:[a-z0-9+_.!~*'()&=$,;?/%-]+@[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(;[a-z0-9=._-]+)*$")]
    private static partial Regex SipUri();

    [GeneratedRegex(@"^[A-Za-z0-9*#_-]{1,32}$")]
    private static partial Regex Extension();
}
