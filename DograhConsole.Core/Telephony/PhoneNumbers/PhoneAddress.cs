using System.Globalization;
using System.Text.RegularExpressions;
using PhoneNumbers;
using LibPhoneNumber = PhoneNumbers.PhoneNumber;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

public sealed record ParsedAddress(string Normalized, AddressType Type);

/// <summary>
/// Turns what an admin types into a routing key: E.164 numbers checked against their country's numbering plan
/// (libphonenumber's metadata; national formats need a country), lower-cased SIP URIs, and extensions as typed.
/// What a provider reports about a call (its caller and called numbers) is only normalized, never refused:
/// see <see cref="NormalizeReported"/>.
/// </summary>
public static partial class PhoneAddress
{
    /// <summary>An E.164 number has at most 15 digits; the rest is room for a SIP URI, the longest address.</summary>
    public const int MaxLength = 128;

    private static readonly PhoneNumberUtil Numbers = PhoneNumberUtil.GetInstance();

    /// <summary>The ISO 3166-1 codes a national number may be given with ("US", "GB"), sorted.</summary>
    public static IReadOnlyList<string> Countries { get; } = [.. Numbers.GetSupportedRegions().Order(StringComparer.Ordinal)];

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

    /// <summary>
    /// An E.164 number as people read it, with its country: "+1 415-555-0100 (US)". Anything else comes back as it is.
    /// </summary>
    public static string Display(string normalized)
    {
        if (!normalized.StartsWith('+') || !TryParseNumber(normalized, null, out var number, out _)) return normalized;
        var region = Numbers.GetRegionCodeForNumber(number);
        var international = Numbers.Format(number, PhoneNumberFormat.INTERNATIONAL);
        return string.IsNullOrEmpty(region) || region == UnknownRegion ? international : $"{international} ({region})";
    }

    /// <summary>
    /// A caller or called number as a provider reported it, in the form numbers are stored in (so an inbound call
    /// finds its number), or "" when it is no address at all. Numbers are not checked against their country here:
    /// a call that reached the console is real whatever the metadata says.
    /// </summary>
    public static string NormalizeReported(string? raw)
    {
        var input = raw?.Trim() ?? "";
        if (input.Length == 0 || input.Length > MaxLength) return "";
        if (IsSipUri(input)) return ParseSipUri(input, out var sip, out _) ? sip!.Normalized : "";
        var compact = Separators().Replace(input, "");
        if (DialsOut(compact)) compact = "+" + compact[2..];
        if (compact.StartsWith('+') && E164Digits().IsMatch(compact[1..])) return compact;
        return Extension().IsMatch(input) ? input : "";
    }

    public static bool TryParse(string? raw, string? countryHint, out ParsedAddress? parsed, out string? error)
    {
        parsed = null;
        error = null;
        var input = raw?.Trim() ?? "";
        if (input.Length == 0) return Fail("An address is required.", out error);
        if (input.Length > MaxLength) return Fail($"The address must be at most {MaxLength} characters.", out error);
        if (IsSipUri(input)) return ParseSipUri(input, out parsed, out error);

        var compact = Separators().Replace(input, "");
        if (compact.StartsWith('+') || DialsOut(compact))
        {
            // "+44 (0)20 ...": the (0) is the trunk prefix dialled only from inside the country, never part of E.164.
            var international = Separators().Replace(input.Replace("(0)", "", StringComparison.Ordinal), "");
            return ValidNumber(international.StartsWith('+') ? international : "+" + international[2..], null, out parsed, out error);
        }

        var region = Region(countryHint);
        if (region is not null && compact.Length >= 6 && compact.All(char.IsAsciiDigit)) return ValidNumber(compact, region, out parsed, out error);
        if (!string.IsNullOrWhiteSpace(countryHint) && region is null)
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

    private const string UnknownRegion = "ZZ";

    /// <summary>"0044...": the international prefix most countries dial, meaning +; longer than 8 digits, so extension 0042 stays one.</summary>
    private static bool DialsOut(string compact) =>
        compact.StartsWith("00", StringComparison.Ordinal) && compact.Length > 8 && compact.All(char.IsAsciiDigit);

    /// <summary>An ISO country ("GB") or a calling code ("44", "+44"), as libphonenumber's region; null when neither.</summary>
    private static string? Region(string? hint)
    {
        if (string.IsNullOrWhiteSpace(hint)) return null;
        var clean = hint.Trim().TrimStart('+').ToUpperInvariant();
        if (clean.Length is > 0 and <= 3 && clean[0] != '0' && clean.All(char.IsAsciiDigit))
        {
            var region = Numbers.GetRegionCodeForCountryCode(int.Parse(clean, CultureInfo.InvariantCulture));
            return region == UnknownRegion ? null : region;
        }
        return Numbers.GetSupportedRegions().Contains(clean) ? clean : null;
    }

    /// <summary>A number valid in its country's numbering plan, as E.164; otherwise the reason it is not.</summary>
    private static bool ValidNumber(string text, string? region, out ParsedAddress? parsed, out string? error)
    {
        parsed = null;
        if (!TryParseNumber(text, region, out var number, out error)) return false;
        var e164 = Numbers.Format(number, PhoneNumberFormat.E164);
        var country = CountryOf(number);
        var problem = Numbers.IsPossibleNumberWithReason(number) switch
        {
            PhoneNumberUtil.ValidationResult.IS_POSSIBLE => null,
            PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => $"{e164} has no country: no country uses calling code +{number.CountryCode}.",
            PhoneNumberUtil.ValidationResult.TOO_SHORT => $"{e164} is too short for a number in {country}.",
            PhoneNumberUtil.ValidationResult.TOO_LONG => $"{e164} is too long for a number in {country}.",
            PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY => $"{e164} is a local number in {country}: add its area code.",
            _ => $"{e164} does not have the length of a number in {country}.",
        };
        if (problem is null && !Numbers.IsValidNumber(number))
            problem = $"{e164} is not a possible number in {country}: no number there begins this way. Check the digits.";
        if (problem is not null) return Fail(problem, out error);
        parsed = new ParsedAddress(e164, AddressType.E164);
        return true;
    }

    private static bool TryParseNumber(string text, string? region, out LibPhoneNumber number, out string? error)
    {
        error = null;
        number = null!;
        if (text.StartsWith('+') && !E164Digits().IsMatch(text[1..]))
            return Fail("Enter a valid E.164 number: + and the country code, then 7 to 15 digits in all (e.g. +14155550100).", out error);
        try
        {
            number = Numbers.Parse(text, region ?? UnknownRegion);
            return true;
        }
        catch (NumberParseException e)
        {
            return Fail(e.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => $"{text} starts with no country's calling code.",
                ErrorType.TOO_SHORT_NSN or ErrorType.TOO_SHORT_AFTER_IDD => "The number is too short.",
                ErrorType.TOO_LONG => "The number is too long.",
                _ => "Enter a phone number of digits, e.g. +14155550100.",
            }, out error);
        }
    }

    /// <summary>"the United Kingdom (+44)": the country a calling code or number belongs to, for messages.</summary>
    private static string CountryOf(LibPhoneNumber number)
    {
        var region = Numbers.GetRegionCodeForNumber(number);
        if (string.IsNullOrEmpty(region) || region == UnknownRegion) region = Numbers.GetRegionCodeForCountryCode(number.CountryCode);
        if (region == UnknownRegion) return $"+{number.CountryCode}";
        try
        {
            return $"{new RegionInfo(region).EnglishName} (+{number.CountryCode})";
        }
        catch (ArgumentException)
        {
            return $"{region} (+{number.CountryCode})";
        }
    }

    private static bool IsSipUri(string input) =>
        input.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || input.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) || input.Contains('@');

    private static bool ParseSipUri(string input, out ParsedAddress? parsed, out string? error)
    {
        parsed = null;
        error = null;
        var uri = input;
        if (!uri.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && !uri.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)) uri = "sip:" + uri;
        uri = uri.ToLowerInvariant();
        if (!SipUri().IsMatch(uri)) return Fail("Enter a SIP URI like sip:agent@pbx.example.com.", out error);
        parsed = new ParsedAddress(uri, AddressType.SipUri);
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
