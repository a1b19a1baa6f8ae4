using System.Text;
using System.Text.Json;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.WorkflowRuntime.Agent;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>The in-place reader of Twilio media messages, against what Twilio sends and what it must not trip on.</summary>
[Trait("Category", "Unit")]
public sealed class TwilioMediaMessageTests
{
    private static readonly byte[] Audio = Enumerable.Range(0, 160).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void A_media_message_as_Twilio_writes_it_is_decoded_into_the_buffer()
    {
        var message = new TwilioStreamWriter(TwilioStreamWriter.NewSid("MZ")).Media(Audio, 40).ToArray();
        var buffer = new byte[8000];

        Assert.Equal(TwilioMediaRead.Audio, TwilioMediaMessage.Read(message, buffer, out var length));
        Assert.Equal(Audio, buffer[..length]);
    }

    [Fact]
    public void Field_order_and_unknown_fields_do_not_matter()
    {
        var message = $$"""
            {"streamSid":"MZ1","extra":{"nested":[1,{"a":"b"}],"n":null},"media":{"payload":"{{Convert.ToBase64String(Audio)}}","timestamp":"5","chunk":"2","track":"inbound"},"sequenceNumber":"3","event":"media"}
            """;
        var buffer = new byte[8000];

        Assert.Equal(TwilioMediaRead.Audio, TwilioMediaMessage.Read(Encoding.UTF8.GetBytes(message), buffer, out var length));
        Assert.Equal(Audio, buffer[..length]);
    }

    [Fact]
    public void Escaped_names_and_values_are_read_unescaped()
    {
        // Some JSON writers escape '/' as "\/" (base64 has slashes), or any character as \uXXXX.
        var bytes = Enumerable.Repeat((byte)0xFF, 30).ToArray();
        var base64 = Convert.ToBase64String(bytes);
        Assert.Contains('/', base64);
        var message = Encoding.UTF8.GetBytes($$$"""{"\u0065vent":"m\u0065dia","media":{"track":"inb\u006Fund","p\u0061yload":"{{{base64.Replace("/", "\\/")}}}"}}""");
        var buffer = new byte[8000];

        Assert.Equal(TwilioMediaRead.Audio, TwilioMediaMessage.Read(message, buffer, out var length));
        Assert.Equal(bytes, buffer[..length]);
    }

    [Fact]
    public void An_escaped_track_that_is_not_inbound_is_ignored() =>
        Assert.Equal(TwilioMediaRead.Ignored, TwilioMediaMessage.Read(
            Encoding.UTF8.GetBytes("""{"event":"media","media":{"track":"\u006Futbound","payload":"AAAA"}}"""), new byte[8000], out _));

    [Theory]
    [InlineData("""{"event":"start","start":{"callSid":"CA1"}}""")]
    [InlineData("""{"event":"mark","mark":{"name":"media"}}""")]
    [InlineData("""{"media":{"payload":"AAAA"}}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"event":7,"media":{"payload":"AAAA"}}""")]
    public void Anything_but_a_media_event_is_left_to_the_document_path(string message) =>
        Assert.Equal(TwilioMediaRead.NeedsDocument, TwilioMediaMessage.Read(Encoding.UTF8.GetBytes(message), new byte[8000], out _));

    [Theory]
    [InlineData("""{"event":"media","media":{"track":"outbound","payload":"AAAA"}}""")]
    [InlineData("""{"event":"media","media":{"track":"inbound"}}""")]
    [InlineData("""{"event":"media","media":"nothing"}""")]
    [InlineData("""{"event":"media"}""")]
    public void A_media_event_without_caller_audio_is_ignored(string message) =>
        Assert.Equal(TwilioMediaRead.Ignored, TwilioMediaMessage.Read(Encoding.UTF8.GetBytes(message), new byte[8000], out _));

    [Fact]
    public void A_payload_that_is_not_base64_or_is_longer_than_the_buffer_is_bad()
    {
        var notBase64 = Encoding.UTF8.GetBytes("""{"event":"media","media":{"payload":"not base64!"}}""");
        var tooLong = Encoding.UTF8.GetBytes($$$"""{"event":"media","media":{"payload":"{{{Convert.ToBase64String(new byte[8001])}}}"}}""");

        Assert.Equal(TwilioMediaRead.BadPayload, TwilioMediaMessage.Read(notBase64, new byte[8000], out _));
        Assert.Equal(TwilioMediaRead.BadPayload, TwilioMediaMessage.Read(tooLong, new byte[8000], out _));
        Assert.Equal(TwilioMediaRead.Audio, TwilioMediaMessage.Read(tooLong, new byte[8001], out var length));
        Assert.Equal(8001, length);
    }

    [Theory]
    [InlineData("""{"event":"media","media":{"payload":"AAAA"}""")]
    [InlineData("""not json""")]
    [InlineData("""{"event":"media","media":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}}""")]
    public void Malformed_or_too_deep_JSON_throws_like_the_document_parser(string message) =>
        Assert.ThrowsAny<JsonException>(() => TwilioMediaMessage.Read(Encoding.UTF8.GetBytes(message), new byte[8000], out _));
}
