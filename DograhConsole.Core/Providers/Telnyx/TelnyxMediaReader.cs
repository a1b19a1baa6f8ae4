using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>
/// The frames of a started Telnyx media stream: caller audio (base64 u-law of the inbound track) into the session in
/// 20 ms frames, DTMF keys, the echoes of our marks, errors (recorded), and stop. A frame that is not JSON, or whose
/// payload is not base64, is skipped and counted; the first is logged, so a flood of them cannot flood the log.
/// </summary>
internal sealed class TelnyxMediaReader(MediaSession session, CallService calls, ILogger logger, Guid callId)
{
    private readonly byte[] _ulaw = new byte[TelnyxMediaSocket.MaxMessageBytes];
    private readonly short[] _pcm = new short[TelnyxMediaSocket.MaxMessageBytes];

    /// <summary>Frames skipped as malformed.</summary>
    public int Skipped { get; private set; }

    /// <summary>Handles one frame; returns why the stream ended when it was a stop, otherwise null.</summary>
    public async Task<string?> HandleAsync(ReadOnlyMemory<byte> message)
    {
        string? name, digit = null, detail = null;
        var samples = 0;
        try
        {
            using var document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Skip("a frame that is not a JSON object");
            name = Text(root, "event");
            switch (name)
            {
                case "media":
                    if (!root.TryGetProperty("media", out var media) || media.ValueKind != JsonValueKind.Object) return Skip("a media frame without media");
                    // Only the caller's track: with both tracks streamed, the outbound one is our own audio coming back.
                    if (Text(media, "track") is { } track && track != "inbound") return null;
                    if (Text(media, "payload") is not { } payload || !Convert.TryFromBase64String(payload, _ulaw, out var bytes))
                        return Skip("a media frame whose payload is not base64");
                    samples = MuLaw.Decode(_ulaw.AsSpan(0, bytes), _pcm);
                    break;
                case "dtmf":
                    digit = root.TryGetProperty("dtmf", out var dtmf) && dtmf.ValueKind == JsonValueKind.Object ? Text(dtmf, "digit") : null;
                    break;
                case "mark":
                    var mark = root.TryGetProperty("mark", out var m) && m.ValueKind == JsonValueKind.Object ? Text(m, "name") : null;
                    if (mark is null || !session.ConfirmMark(mark))
                        logger.LogDebug("Call {CallId}: Telnyx echoed mark {Mark}, not awaited (cleared or unknown)", callId, mark);
                    return null;
                case "error":
                    detail = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                        ? $"{Text(error, "code")} {Text(error, "title")}: {Text(error, "detail")}"
                        : "no details";
                    break;
                case "stop":
                    return "Telnyx stopped the stream";
                default:
                    logger.LogDebug("Call {CallId}: Telnyx stream event {Event} ignored", callId, name);
                    return null;
            }
        }
        catch (JsonException)
        {
            return Skip("a frame that is not JSON");
        }

        if (samples > 0) DeliverCallerAudio(samples);
        if (name == "error")
        {
            logger.LogWarning("Call {CallId}: Telnyx stream error {Detail}", callId, detail);
            await calls.AddEventAsync(callId, CallEventKind.Info, $"telnyx stream error: {detail}", null, CancellationToken.None);
        }
        if (name == "dtmf") await DeliverDigitAsync(digit);
        return null;
    }

    private void DeliverCallerAudio(int samples)
    {
        for (var offset = 0; offset < samples; offset += AudioFormat.NarrowbandFrameSamples)
            session.ReceiveCallerFrame(_pcm.AsSpan(offset, Math.Min(AudioFormat.NarrowbandFrameSamples, samples - offset)));
    }

    private async Task DeliverDigitAsync(string? digit)
    {
        if (digit is not { Length: 1 } || !DtmfDigits.TryNormalize(digit[0], out var normalized))
        {
            Skip("a DTMF frame whose digit is not a key");
            return;
        }
        // Recorded first, so the timeline shows the key before whatever the workflow does with it.
        await calls.AddEventAsync(callId, CallEventKind.Dtmf, $"dtmf {normalized}", new { digit = normalized.ToString() }, CancellationToken.None);
        session.ReceiveDtmf(normalized);
    }

    private string? Skip(string what)
    {
        if (Skipped++ == 0) logger.LogWarning("Call {CallId}: Telnyx media socket skipped {What} (later ones are only counted)", callId, what);
        return null;
    }

    public static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
