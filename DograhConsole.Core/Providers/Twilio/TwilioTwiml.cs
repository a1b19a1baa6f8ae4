using System.Xml.Linq;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.AspNetCore.Http;
using Twilio.TwiML;
using Twilio.TwiML.Voice;
using PhoneNumber = Twilio.Types.PhoneNumber;
using Stream = Twilio.TwiML.Voice.Stream;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>The TwiML documents the console answers with, built with the SDK's <see cref="VoiceResponse"/> (text/xml, every value escaped).</summary>
public static class TwilioTwiml
{
    public const string ContentType = "text/xml";

    /// <summary>Stream parameter names read back from <c>start.customParameters</c>.</summary>
    public const string CallIdParameter = "callId";
    public const string TokenParameter = "token";

    /// <summary>Keeps the call on a bidirectional Media Stream to <paramref name="streamUrl"/>; when the socket closes the call ends.</summary>
    public static string ConnectStream(string streamUrl, IReadOnlyDictionary<string, string> parameters)
    {
        var stream = new Stream(url: streamUrl);
        foreach (var (name, value) in parameters) stream.Parameter(name: name, value: value);
        return Document(new VoiceResponse().Append(new Connect().Append(stream)));
    }

    public static string SayAndHangUp(string message) => Document(new VoiceResponse().Say(message).Hangup());

    public static string HangUp() => Document(new VoiceResponse().Hangup());

    /// <summary>Dials a number (E.164) or a SIP URI.</summary>
    public static string Dial(string to)
    {
        var parsed = PhoneAddress.TryParse(to, null, out var address, out _) ? address : null;
        var dial = new Dial();
        if (parsed?.Type == AddressType.SipUri) dial.Sip(new Uri(parsed.Normalized));
        else dial.Number(new PhoneNumber(parsed?.Normalized ?? to.Trim()));
        return Document(new VoiceResponse().Append(dial));
    }

    public static IResult Result(string twiml) => Results.Content(twiml, ContentType, System.Text.Encoding.UTF8);

    private static string Document(TwiML response) => response.ToString(SaveOptions.DisableFormatting);
}
