using System.Xml.Linq;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>The TwiML documents the console answers with (text/xml; XLinq escapes every value).</summary>
public static class TwilioTwiml
{
    public const string ContentType = "text/xml";

    /// <summary>Stream parameter names read back from <c>start.customParameters</c>.</summary>
    public const string CallIdParameter = "callId";
    public const string TokenParameter = "token";

    /// <summary>Keeps the call on a bidirectional Media Stream to <paramref name="streamUrl"/>; when the socket closes the call ends.</summary>
    public static string ConnectStream(string streamUrl, IReadOnlyDictionary<string, string> parameters)
    {
        var stream = new XElement("Stream", new XAttribute("url", streamUrl));
        foreach (var (name, value) in parameters) stream.Add(new XElement("Parameter", new XAttribute("name", name), new XAttribute("value", value)));
        return Document(new XElement("Connect", stream));
    }

    public static string SayAndHangUp(string message) => Document(new XElement("Say", message), new XElement("Hangup"));

    public static string HangUp() => Document(new XElement("Hangup"));

    /// <summary>Dials a number (E.164) or a SIP URI.</summary>
    public static string Dial(string to)
    {
        var parsed = PhoneAddress.TryParse(to, null, out var address, out _) ? address : null;
        XElement noun = parsed?.Type == AddressType.SipUri
            ? new XElement("Sip", parsed.Normalized)
            : new XElement("Number", parsed?.Normalized ?? to.Trim());
        return Document(new XElement("Dial", noun));
    }

    public static IResult Result(string twiml) => Results.Content(twiml, ContentType, System.Text.Encoding.UTF8);

    private static string Document(params object[] verbs) =>
        new XDeclaration("1.0", "UTF-8", null) + Environment.NewLine + new XElement("Response", verbs).ToString(SaveOptions.DisableFormatting);
}
