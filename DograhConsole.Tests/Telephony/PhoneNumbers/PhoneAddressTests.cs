using DograhConsole.Core.Telephony.PhoneNumbers;

namespace DograhConsole.Tests.Telephony.PhoneNumbers;

[Trait("Category", "Unit")]
public sealed class PhoneAddressTests
{
    private static ParsedAddress Parse(string raw, string? country = null)
    {
        Assert.True(PhoneAddress.TryParse(raw, country, out var parsed, out var error), $"'{raw}' ({country}) was refused: {error}");
        Assert.Null(error);
        return parsed!;
    }

    private static string Refuse(string? raw, string? country = null)
    {
        Assert.False(PhoneAddress.TryParse(raw, country, out var parsed, out var error), $"'{raw}' ({country}) was accepted as {parsed}");
        Assert.Null(parsed);
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    [Theory]
    [InlineData("+14155550100", "+14155550100")]
    [InlineData("+1 415 555 0100", "+14155550100")]
    [InlineData("+1 (415) 555-0100", "+14155550100")]
    [InlineData("+1.415.555.0100", "+14155550100")]
    [InlineData("  +44 20/7946 0958  ", "+442079460958")]
    [InlineData("+1\t415\u00A0555 0100", "+14155550100")]
    public void E164_with_separators_is_compacted(string raw, string expected)
    {
        var parsed = Parse(raw);
        Assert.Equal(expected, parsed.Normalized);
        Assert.Equal(AddressType.E164, parsed.Type);
    }

    [Theory]
    [InlineData("+44 (0)20 7946 0958", "+442079460958")]
    [InlineData("+44 (0) 7911 123456", "+447911123456")]
    [InlineData("0049 (0)30 123456", "+4930123456")]
    public void The_bracketed_trunk_zero_of_international_formats_is_dropped(string raw, string expected)
    {
        // Written on business cards as "+44 (0)20 ...": the 0 is dialled only from inside the country.
        Assert.Equal(expected, Parse(raw).Normalized);
    }

    [Theory]
    [InlineData("0044 20 7946 0958", "+442079460958")]
    [InlineData("0014155550100", "+14155550100")]
    public void International_00_prefix_becomes_plus(string raw, string expected)
    {
        var parsed = Parse(raw);
        Assert.Equal(expected, parsed.Normalized);
        Assert.Equal(AddressType.E164, parsed.Type);
    }

    [Theory]
    [InlineData("(415) 555-0100", "US", "+14155550100")]
    [InlineData("1 415 555 0100", "US", "+14155550100")] // US trunk prefix 1 is dropped
    [InlineData("415 555 0100", "us", "+14155550100")]
    [InlineData("415 555 0100", "1", "+14155550100")]
    [InlineData("415 555 0100", "+1", "+14155550100")]
    [InlineData("020 7946 0958", "GB", "+442079460958")] // GB drops the leading 0
    [InlineData("07911 123456", "44", "+447911123456")]
    [InlineData("06 1234 5678", "IT", "+390612345678")] // Italy keeps its leading 0
    [InlineData("030 123456", "DE", "+4930123456")]
    [InlineData("8 912 345-67-89", "RU", "+79123456789")]
    [InlineData("06 1 234 5678", "HU", "+3612345678")]
    public void National_formats_use_the_country_hint(string raw, string country, string expected)
    {
        var parsed = Parse(raw, country);
        Assert.Equal(expected, parsed.Normalized);
        Assert.Equal(AddressType.E164, parsed.Type);
    }

    [Fact]
    public void A_plus_number_ignores_the_country_hint()
    {
        Assert.Equal("+442079460958", Parse("+44 20 7946 0958", "US").Normalized);
    }

    [Theory]
    [InlineData("ZZ")]
    [InlineData("Narnia")]
    [InlineData("044")]
    [InlineData("999")]
    [InlineData("+28")]
    public void An_unknown_country_is_refused_and_named(string country)
    {
        var error = Refuse("020 7946 0958", country);
        Assert.StartsWith("Unknown country", error);
        Assert.Contains(country, error);
    }

    [Theory]
    [InlineData("sip:agent@pbx.example.com", "sip:agent@pbx.example.com")]
    [InlineData("SIP:Agent@PBX.Example.COM", "sip:agent@pbx.example.com")]
    [InlineData("Agent@PBX.example.com", "sip:agent@pbx.example.com")]
    [InlineData("sips:Bob@secure.example.com:5061", "sips:bob@secure.example.com:5061")]
    [InlineData("sip:+14155550100@trunk.example.com;transport=tls", "sip:+14155550100@trunk.example.com;transport=tls")]
    [InlineData("  alice@10.0.0.5:5060 ", "sip:alice@10.0.0.5:5060")]
    public void SIP_URIs_are_lower_cased_and_get_a_scheme(string raw, string expected)
    {
        var parsed = Parse(raw);
        Assert.Equal(expected, parsed.Normalized);
        Assert.Equal(AddressType.SipUri, parsed.Type);
    }

    [Theory]
    [InlineData("sip:@pbx.example.com")]
    [InlineData("agent@")]
    [InlineData("sip:agent")]
    [InlineData("sip:agent@-pbx.example.com")]
    [InlineData("sip:agent smith@pbx.example.com")]
    public void Malformed_SIP_URIs_are_refused(string raw)
    {
        Assert.Contains("SIP URI", Refuse(raw));
    }

    [Theory]
    [InlineData("8000")]
    [InlineData("*98")]
    [InlineData("#100")]
    [InlineData("101")]
    [InlineData("support_desk")]
    public void Extensions_are_kept_as_typed(string raw)
    {
        var parsed = Parse(raw);
        Assert.Equal(raw, parsed.Normalized);
        Assert.Equal(AddressType.Extension, parsed.Type);
    }

    [Theory]
    [InlineData("8000", "US")]
    [InlineData("*98", "GB")]
    public void Short_extensions_stay_extensions_with_a_country_hint(string raw, string country)
    {
        var parsed = Parse(raw, country);
        Assert.Equal(AddressType.Extension, parsed.Type);
        Assert.Equal(raw, parsed.Normalized);
    }

    [Theory]
    [InlineData("+123")] // too short: fewer than 7 digits
    [InlineData("+123456")]
    [InlineData("+1234567890123456")] // too long: 16 digits
    [InlineData("+0123456789")] // no country code starts with 0
    [InlineData("+1 415 CALL NOW")] // letters
    [InlineData("+1415555010a")]
    [InlineData("+")]
    [InlineData("00 44 20 7946 095x")]
    public void Invalid_E164_is_refused(string raw)
    {
        Assert.Contains("E.164", Refuse(raw));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_address_is_refused(string? raw)
    {
        Assert.Equal("An address is required.", Refuse(raw));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("8000!")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789")] // 36 characters: longer than an extension may be
    public void Text_that_is_neither_a_number_a_URI_nor_an_extension_is_refused(string raw)
    {
        Refuse(raw);
    }

    [Fact]
    public void Addresses_longer_than_the_maximum_are_refused()
    {
        var raw = "sip:" + new string('a', PhoneAddress.MaxLength) + "@pbx.example.com";
        Assert.Contains(PhoneAddress.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture), Refuse(raw));
    }

    [Fact]
    public void A_national_number_with_letters_is_not_taken_for_an_E164_number()
    {
        // With a country, only all-digit input becomes E.164; "12ab" must not turn into +112ab or similar.
        var parsed = Parse("12ab", "US");
        Assert.Equal(AddressType.Extension, parsed.Type);
        Assert.Equal("12ab", parsed.Normalized);
    }

    [Theory]
    [InlineData("GB")]
    [InlineData("gb")]
    [InlineData(" +44 ")]
    [InlineData("44")]
    public void A_country_hint_is_an_ISO_code_or_a_calling_code(string hint)
    {
        Assert.Equal("+442079460958", Parse("020 7946 0958", hint).Normalized);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1234")]
    [InlineData("044")]
    public void Hints_that_are_neither_are_refused(string hint)
    {
        Assert.StartsWith("Unknown country", Refuse("020 7946 0958", hint));
    }

    [Theory]
    [InlineData("+1 415 123 4567", "United States")] // no US exchange starts with 1
    [InlineData("+1 415 012 3456", "United States")]
    [InlineData("+44 7700 900123", "United Kingdom")] // Ofcom's range for drama: never a real line
    [InlineData("+1 415 555 010", "United States")] // too short
    [InlineData("+1 415 555 01000", "United States")] // too long
    [InlineData("(415) 123-4567", "United States", "US")]
    public void A_number_that_is_E164_in_form_but_impossible_in_its_country_is_refused_with_the_reason(string raw, string country, string? hint = null)
    {
        var error = Refuse(raw, hint);
        Assert.Contains(country, error);
        Assert.DoesNotContain("E.164", error);
    }

    [Fact]
    public void An_unused_calling_code_is_refused()
    {
        Assert.Contains("+999", Refuse("+999 123 4567"));
    }

    [Theory]
    [InlineData("+14155550100", "+1 415-555-0100 (US)")]
    [InlineData("+442079460958", "+44 20 7946 0958 (GB)")]
    [InlineData("+390612345678", "+39 06 1234 5678 (IT)")]
    [InlineData("8000", "8000")]
    [InlineData("sip:agent@pbx.example.com", "sip:agent@pbx.example.com")]
    public void Display_formats_numbers_the_way_people_read_them(string normalized, string expected)
    {
        Assert.Equal(expected, PhoneAddress.Display(normalized));
    }

    [Theory]
    [InlineData("+447700900123", "+447700900123")] // reported by a carrier: stored even where the plan says impossible
    [InlineData("+1 415 555 0100", "+14155550100")]
    [InlineData("0044 20 7946 0958", "+442079460958")]
    [InlineData("6001", "6001")]
    [InlineData("SIP:Bob@PBX.example.com", "sip:bob@pbx.example.com")]
    [InlineData("+1415...&role=admin#", "")]
    [InlineData("anonymous caller", "")]
    [InlineData(null, "")]
    public void What_a_provider_reports_is_normalized_but_never_refused_for_its_country(string? reported, string expected)
    {
        Assert.Equal(expected, PhoneAddress.NormalizeReported(reported));
    }
}
