using System.Text.Json;
using DograhConsole.Core.WorkflowRuntime.Agent;

namespace DograhConsole.Tests.WorkflowRuntime.Agent;

[Trait("Category", "Unit")]
public class TwilioStreamWriterTests
{
    [Fact]
    public void Media_messages_number_sequence_and_chunk_as_strings_and_allocate_nothing_once_warm()
    {
        var writer = new TwilioStreamWriter("MZ" + new string('a', 32));
        byte[] mulaw = [.. Enumerable.Range(0, 160).Select(i => (byte)i)];
        writer.Connected();
        writer.Start("AC" + new string('0', 32), "CA1", new Dictionary<string, string>());

        using (var first = JsonDocument.Parse(writer.Media(mulaw, 7)))
        {
            var root = first.RootElement;
            Assert.Equal("2", root.GetProperty("sequenceNumber").GetString());
            Assert.Equal("1", root.GetProperty("media").GetProperty("chunk").GetString());
            Assert.Equal("7", root.GetProperty("media").GetProperty("timestamp").GetString());
            Assert.Equal(mulaw, root.GetProperty("media").GetProperty("payload").GetBytesFromBase64());
        }

        for (int i = 0; i < 100; i++) writer.Media(mulaw, i * 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) writer.Media(mulaw, i * 20);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        using var last = JsonDocument.Parse(writer.Mark("x"));
        Assert.Equal("1103", last.RootElement.GetProperty("sequenceNumber").GetString());
    }

    [Theory]
    [InlineData("""{"event":"media","media":{"track":"outbound","payload":"AAEC"},"streamSid":"MZ1"}""", BotEvent.Media, null)]
    [InlineData("""{"streamSid":"MZ1","mark":{"name":"m1"},"event":"mark"}""", BotEvent.Mark, "m1")]
    [InlineData("""{"event":"clear","streamSid":"MZ1"}""", BotEvent.Clear, null)]
    [InlineData("""{"event":"hangup","hangup":{"reason":"done"}}""", BotEvent.Hangup, "done")]
    [InlineData("""{"event":"hangup"}""", BotEvent.Hangup, null)]
    [InlineData("""{"event":"transfer","transfer":{"to":" 8000 "}}""", BotEvent.Transfer, "8000")]
    [InlineData("""{"event":"text","text":{"message":"hi","extra":[1]}}""", BotEvent.Text, "hi")]
    [InlineData("""{"event":"future","future":{"a":{"b":1}}}""", BotEvent.Unknown, null)]
    public void Bot_messages_parse_whatever_the_property_order(string json, BotEvent kind, string? value)
    {
        Assert.True(BotMessage.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out var message, out var error), error);
        Assert.Equal(kind, message.Event);
        Assert.Equal(value, message.Value);
        if (kind == BotEvent.Media)
        {
            Assert.Equal("AAEC", json.Substring(message.PayloadStart, message.PayloadLength));
        }
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("[]")]
    [InlineData("""{"event":5}""")]
    [InlineData("""{"media":{"payload":"AA=="}}""")]
    [InlineData("""{"event":"media","media":{"payload":1}}""")]
    [InlineData("""{"event":"mark","mark":{}}""")]
    [InlineData("""{"event":"text","text":"bare"}""")]
    [InlineData("""{"event":"clear""")]
    public void Malformed_bot_messages_are_refused_with_a_reason(string json)
    {
        Assert.False(BotMessage.TryParse(System.Text.Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
