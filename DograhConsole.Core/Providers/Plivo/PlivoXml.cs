using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>The Plivo XML documents the console answers with (text/xml; XLinq escapes every value).</summary>
public static class PlivoXml
{
    public const string ContentType = "text/xml";
    /// <summary>The stream's audio: the console's sessions run at 8 kHz for Plivo, u-law both ways.</summary>
    public const string StreamContentType = "audio/x-mulaw;rate=8000";
    public const string RejectedReason = "rejected";
    public const string BusyReason = "busy";

    /// <summary>
    /// A bidirectional stream of the call's audio to <paramref name="socketUrl"/> (the element's text), kept alive so no
    /// later XML runs: the call lasts as long as the stream.
    /// </summary>
    public static string Stream(string socketUrl) => Document(new XElement("Stream",
        new XAttribute("bidirectional", "true"),
        new XAttribute("keepCallAlive", "true"),
        new XAttribute("contentType", StreamContentType),
        socketUrl));

    /// <summary>Ends the call with <paramref name="reason"/> (<c>rejected</c> or <c>busy</c>).</summary>
    public static string Hangup(string reason) => Document(new XElement("Hangup", new XAttribute("reason", reason)));

    /// <summary>Dials <paramref name="number"/> (digits, Plivo's form) showing <paramref name="callerId"/>.</summary>
    public static string Dial(string number, string? callerId)
    {
        var dial = new XElement("Dial", new XElement("Number", number));
        if (!string.IsNullOrEmpty(callerId)) dial.SetAttributeValue("callerId", callerId);
        return Document(dial);
    }

    public static IResult Result(string xml) => Results.Content(xml, ContentType, System.Text.Encoding.UTF8);

    /// <summary>Plivo writes numbers as digits with the country code and no plus; SIP URIs and words are kept as sent.</summary>
    public static string Digits(string number)
    {
        var trimmed = number.Trim();
        var digits = trimmed.TrimStart('+');
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) ? digits : trimmed;
    }

    /// <summary>A Plivo number (digits) as E.164; anything else as sent.</summary>
    public static string AsAddress(string? value)
    {
        var trimmed = value?.Trim() ?? "";
        return trimmed.Length > 0 && !trimmed.StartsWith('+') && trimmed.All(char.IsAsciiDigit) ? "+" + trimmed : trimmed;
    }

    private static string Document(params object[] elements) =>
        new XDeclaration("1.0", "UTF-8", null) + Environment.NewLine + new XElement("Response", elements).ToString(SaveOptions.DisableFormatting);
}
