using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony.PhoneNumbers;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.WorkflowRuntime.Agent;

/// <summary>
/// One connected agent stream. Three small send loops (caller audio, DTMF, mark echoes) share the socket behind one
/// send lock and one reused message buffer; one receive loop reads the bot's messages into one pooled buffer that
/// grows up to <see cref="AgentStreamOptions.MaxMessageBytes"/>. Caller frames arrive through a bounded session
/// subscription (the oldest frames are dropped when the bot reads too slowly), so nothing grows without bound and no
/// thread is held per call. The first of call ended / hangup / transfer / bot gone decides the outcome.
/// </summary>
internal sealed class AgentStreamConnection : IAsyncDisposable
{
    // Fixed-size decode and resample buffers, whatever size the bot's media messages are.
    private const int BotChunkSamples = 1600;        // bot audio is decoded 200 ms at a time
    // Holds a typical bot message (a second of base64 µ-law is about 11 KB); the buffer grows for a larger one.
    private const int InitialReceiveBytes = 16 * 1024;
    // A mark name is kept until its audio is played and then echoed back; bounds what a bot can make each mark hold.
    private const int MaxMarkNameLength = 256;
    // The longest address there is: a longer target could only fail later, as an address, after the call was handed over.
    private const int MaxTransferTargetLength = PhoneAddress.MaxLength;

    private readonly AgentStreamRequest _request;
    private readonly ClientWebSocket _socket;
    private readonly MediaSession _session;
    private readonly CallService _calls;
    private readonly AgentStreamOptions _options;
    private readonly ILogger _logger;
    private readonly string _callSid;
    private readonly TwilioStreamWriter _writer;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<AgentStreamOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopSending = new();
    private readonly Channel<string> _markEchoes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Resampler? _toBot;
    private readonly Resampler? _fromBot;
    private readonly short[] _botPcm = new short[BotChunkSamples];
    private readonly short[] _botResampled;
    private short[] _callerNarrow;
    private byte[] _callerMulaw;
    private byte[] _receive;
    private long _startTimestamp;
    private int _pendingMarks;
    private int _malformed;
    private string? _drainMark;
    private TaskCompletionSource? _drained;

    public AgentStreamConnection(AgentStreamRequest request, ClientWebSocket socket, MediaSession session, CallService calls, AgentStreamOptions options, ILogger logger)
    {
        _request = request;
        _socket = socket;
        _session = session;
        _calls = calls;
        _options = options;
        _logger = logger;
        _callSid = "CA" + request.CallId.ToString("N");
        _writer = new TwilioStreamWriter(TwilioStreamWriter.NewSid("MZ"));
        if (session.SampleRate != AudioFormat.NarrowbandRate)
        {
            _toBot = Resampler.Create(session.SampleRate, AudioFormat.NarrowbandRate);
            _fromBot = Resampler.Create(AudioFormat.NarrowbandRate, session.SampleRate);
        }

        _botResampled = new short[_fromBot?.MaxOutputLength(BotChunkSamples) ?? 0];
        _callerNarrow = new short[_toBot?.MaxOutputLength(session.FrameSamples) ?? 0];
        _callerMulaw = new byte[AudioFormat.NarrowbandFrameSamples];
        _receive = ArrayPool<byte>.Shared.Rent(Math.Min(InitialReceiveBytes, options.MaxMessageBytes));
    }

    public async Task<AgentStreamOutcome> RunAsync(CancellationToken callEnded)
    {
        using var registration = callEnded.Register(static state => ((AgentStreamConnection)state!).Decide(new AgentStreamOutcome.CallEnded()), this);
        try
        {
            await SendAsync(_writer.Connected(), CancellationToken.None);
            _startTimestamp = Stopwatch.GetTimestamp();
            await SendAsync(_writer.Start(_options.AccountSid, _callSid, _request.CustomParameters), CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Decide(new AgentStreamOutcome.BotGone($"the bot connection failed before the start message: {e.Message}"));
        }

        using var callerAudio = _session.SubscribeCallerAudio();
        using var dtmf = _session.SubscribeDtmf();
        _session.MarkPlayed += OnMarkDone;
        _session.MarkCleared += OnMarkDone;
        var stop = _stopSending.Token;
        var receiving = ReceiveLoopAsync();
        var sending = Task.WhenAll(CallerAudioLoopAsync(callerAudio.Reader, stop), DtmfLoopAsync(dtmf.Reader, stop), MarkEchoLoopAsync(stop));

        var outcome = await _outcome.Task;

        _session.MarkPlayed -= OnMarkDone;
        _session.MarkCleared -= OnMarkDone;
        _stopSending.Cancel();
        _markEchoes.Writer.TryComplete();
        if (!await FinishesWithinAsync(sending, _options.CloseTimeout))
        {
            _logger.LogWarning("Call {CallId}: the bot stopped reading; aborting the agent stream", _request.CallId);
            _socket.Abort();
            await FinishesWithinAsync(sending, _options.CloseTimeout);
        }

        await CloseAsync(outcome);
        if (!await FinishesWithinAsync(receiving, _options.CloseTimeout))
        {
            _socket.Abort();
            await FinishesWithinAsync(receiving, _options.CloseTimeout);
        }

        if (callerAudio.Dropped > 0)
        {
            _logger.LogWarning("Call {CallId}: {Dropped} caller frames were dropped because the bot read too slowly", _request.CallId, callerAudio.Dropped);
        }

        return outcome;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _stopSending.Dispose();
        _sendLock.Dispose();
        var buffer = Interlocked.Exchange(ref _receive, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }

    private void Decide(AgentStreamOutcome outcome) => _outcome.TrySetResult(outcome);

    private static async Task<bool> FinishesWithinAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    // Sends stop (unless the bot is gone) and starts the close handshake; the receive loop sees the bot's close.
    private async Task CloseAsync(AgentStreamOutcome outcome)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.CloseTimeout);
        try
        {
            if (outcome is not AgentStreamOutcome.BotGone && _socket.State == WebSocketState.Open)
            {
                await SendAsync(_writer.Stop(_options.AccountSid, _callSid), timeout.Token);
            }

            string reason = outcome switch
            {
                AgentStreamOutcome.CallEnded => "call ended",
                AgentStreamOutcome.HangupRequested => "hangup",
                AgentStreamOutcome.TransferRequested => "transfer",
                _ => "stream ended",
            };
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Call {CallId}: agent stream did not close cleanly", _request.CallId);
            _socket.Abort();
        }
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        // The message lives in the shared writer: callers hold the send lock, or run before the loops start
        // (connected, start) or after they stopped (stop).
        await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);
    }

    private async Task CallerAudioLoopAsync(ChannelReader<PcmFrame> reader, CancellationToken stop)
    {
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        await _sendLock.WaitAsync(stop);
                        try
                        {
                            await SendAsync(EncodeCallerFrame(frame.Span), CancellationToken.None);
                        }
                        finally
                        {
                            _sendLock.Release();
                        }
                    }
                    finally
                    {
                        frame.Dispose();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Decide(new AgentStreamOutcome.BotGone($"sending to the bot failed: {e.Message}"));
        }
    }

    private async Task DtmfLoopAsync(ChannelReader<char> reader, CancellationToken stop)
    {
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                while (reader.TryRead(out char digit))
                {
                    await _sendLock.WaitAsync(stop);
                    try
                    {
                        await SendAsync(_writer.Dtmf(digit), CancellationToken.None);
                    }
                    finally
                    {
                        _sendLock.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Decide(new AgentStreamOutcome.BotGone($"sending to the bot failed: {e.Message}"));
        }
    }

    private async Task MarkEchoLoopAsync(CancellationToken stop)
    {
        var reader = _markEchoes.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                while (reader.TryRead(out var name))
                {
                    await _sendLock.WaitAsync(stop);
                    try
                    {
                        await SendAsync(_writer.Mark(name), CancellationToken.None);
                    }
                    finally
                    {
                        _sendLock.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            Decide(new AgentStreamOutcome.BotGone($"sending to the bot failed: {e.Message}"));
        }
    }

    private ReadOnlyMemory<byte> EncodeCallerFrame(ReadOnlySpan<short> pcm)
    {
        if (_toBot is not null)
        {
            if (_callerNarrow.Length < _toBot.MaxOutputLength(pcm.Length))
            {
                _callerNarrow = new short[_toBot.MaxOutputLength(pcm.Length)];
            }

            int narrow = _toBot.Process(pcm, _callerNarrow);
            pcm = _callerNarrow.AsSpan(0, narrow);
        }

        if (_callerMulaw.Length < pcm.Length)
        {
            _callerMulaw = new byte[pcm.Length];
        }

        int length = MuLaw.Encode(pcm, _callerMulaw);
        long elapsedMs = (long)Stopwatch.GetElapsedTime(_startTimestamp).TotalMilliseconds;
        return _writer.Media(_callerMulaw.AsSpan(0, length), elapsedMs);
    }

    // Clock thread (played) or the clearing thread (cleared): only hands the name on.
    private void OnMarkDone(string name)
    {
        if (name == Volatile.Read(ref _drainMark))
        {
            _drained?.TrySetResult();
            return;
        }

        Interlocked.Decrement(ref _pendingMarks);
        _markEchoes.Writer.TryWrite(name);
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                int count = 0;
                bool oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count >= _options.MaxMessageBytes)
                    {
                        oversized = true;
                        count = 0;
                    }
                    else if (count == _receive.Length)
                    {
                        GrowReceiveBuffer();
                    }

                    int room = Math.Min(_receive.Length, _options.MaxMessageBytes) - count;
                    result = await _socket.ReceiveAsync(_receive.AsMemory(count, room), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        string description = string.IsNullOrEmpty(_socket.CloseStatusDescription) ? "" : $": {_socket.CloseStatusDescription}";
                        Decide(new AgentStreamOutcome.BotGone($"the bot closed the stream ({(int?)_socket.CloseStatus} {_socket.CloseStatus}{description})"));
                        return;
                    }

                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (_outcome.Task.IsCompleted)
                {
                    continue; // closing: read on until the bot's close
                }

                if (oversized)
                {
                    LogIgnored($"a message over {_options.MaxMessageBytes} bytes");
                }
                else if (result.MessageType != WebSocketMessageType.Text)
                {
                    LogIgnored("a binary message (the protocol is JSON text)");
                }
                else
                {
                    await HandleMessageAsync(count);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Decide(new AgentStreamOutcome.BotGone($"the bot connection failed: {e.Message}"));
        }
    }

    private void GrowReceiveBuffer()
    {
        int size = (int)Math.Min((long)_receive.Length * 2, _options.MaxMessageBytes);
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _receive.AsSpan().CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_receive);
        _receive = bigger;
    }

    private async Task HandleMessageAsync(int count)
    {
        if (!BotMessage.TryParse(_receive.AsSpan(0, count), out var message, out string? error))
        {
            LogIgnored($"a malformed message ({error})");
            return;
        }

        switch (message.Event)
        {
            case BotEvent.Media:
                PlayMedia(message, count);
                break;
            case BotEvent.Mark:
                PlaceMark(message.Value!);
                break;
            case BotEvent.Clear:
                _session.Clear();
                break;
            case BotEvent.Hangup:
                _logger.LogInformation("Call {CallId}: the bot asked to hang up", _request.CallId);
                await DecideAfterPlayoutAsync(new AgentStreamOutcome.HangupRequested(Clip(message.Value, CallService.MaxTextLength)));
                break;
            case BotEvent.Transfer when message.Value!.Length > MaxTransferTargetLength:
                LogIgnored($"a transfer target over {MaxTransferTargetLength} characters");
                break;
            case BotEvent.Transfer:
                _logger.LogInformation("Call {CallId}: the bot asked to transfer the call", _request.CallId);
                await DecideAfterPlayoutAsync(new AgentStreamOutcome.TransferRequested(message.Value!));
                break;
            case BotEvent.Text:
                var stored = await _calls.AddEventAsync(_request.CallId, CallEventKind.AgentText, message.Value!);
                if (!stored.Succeeded)
                {
                    _logger.LogWarning("Call {CallId}: the bot's text was not recorded: {Error}", _request.CallId, stored.Describe());
                }

                break;
            default:
                _logger.LogDebug("Call {CallId}: ignored bot event {Event}", _request.CallId, message.EventName);
                break;
        }
    }

    private void PlayMedia(in BotMessage message, int count)
    {
        if (message.PayloadEscaped)
        {
            // Rare: a JSON encoder that escapes '/' or '+'. Let the DOM unescape it.
            using var document = JsonDocument.Parse(_receive.AsMemory(0, count));
            if (!document.RootElement.GetProperty("media").GetProperty("payload").TryGetBytesFromBase64(out var decoded))
            {
                LogIgnored("media whose payload is not base64");
                return;
            }

            EnqueueBotAudio(decoded);
            return;
        }

        var payload = _receive.AsSpan(message.PayloadStart, message.PayloadLength);
        if (Base64.DecodeFromUtf8InPlace(payload, out int length) != OperationStatus.Done)
        {
            LogIgnored("media whose payload is not base64");
            return;
        }

        EnqueueBotAudio(payload[..length]);
    }

    private void EnqueueBotAudio(ReadOnlySpan<byte> mulaw)
    {
        while (!mulaw.IsEmpty)
        {
            int samples = Math.Min(mulaw.Length, BotChunkSamples);
            MuLaw.Decode(mulaw[..samples], _botPcm);
            ReadOnlySpan<short> pcm = _botPcm.AsSpan(0, samples);
            if (_fromBot is not null)
            {
                pcm = _botResampled.AsSpan(0, _fromBot.Process(pcm, _botResampled));
            }

            if (!_session.EnqueueAgentAudio(pcm))
            {
                return; // the session logged why (full queue or ended)
            }

            mulaw = mulaw[samples..];
        }
    }

    private void PlaceMark(string name)
    {
        if (name.Length > MaxMarkNameLength)
        {
            LogIgnored($"a mark name over {MaxMarkNameLength} characters");
            return;
        }

        if (Interlocked.Increment(ref _pendingMarks) > _options.MaxPendingMarks)
        {
            Interlocked.Decrement(ref _pendingMarks);
            LogIgnored($"a mark beyond {_options.MaxPendingMarks} pending marks");
            return;
        }

        _session.Mark(name);
    }

    // Hangup and transfer wait until the audio the bot already sent has played, so a goodbye is heard.
    private async Task DecideAfterPlayoutAsync(AgentStreamOutcome outcome)
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _drained = drained;
        Volatile.Write(ref _drainMark, "dograh-playout-" + Guid.NewGuid().ToString("N"));
        var longest = TimeSpan.FromSeconds((double)_session.QueuedAgentSamples / _session.SampleRate) + TimeSpan.FromSeconds(2);
        _session.Mark(_drainMark);
        await Task.WhenAny(drained.Task, _outcome.Task, Task.Delay(longest));
        Decide(outcome);
    }

    private void LogIgnored(string what)
    {
        int count = Interlocked.Increment(ref _malformed);
        if (count <= 5 || count % 100 == 0)
        {
            _logger.LogWarning("Call {CallId}: ignored {What} from the bot ({Count} ignored so far)", _request.CallId, what, count);
        }
    }

    private static string? Clip(string? value, int max) => value is { Length: > 0 } && value.Length > max ? value[..max] : value;
}
