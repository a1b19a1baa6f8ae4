using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>One request the console sent to the fake REST API.</summary>
public sealed record FakeTwilioRequest(string Method, string Path, string? ContentType, IReadOnlyDictionary<string, string[]> Form, IReadOnlyDictionary<string, string[]> Query);

/// <summary>An error the fake answers with, in Twilio's JSON shape.</summary>
public sealed record FakeTwilioError(int Status, int Code, string Message);

/// <summary>How the fake's media stream starts after TwiML <c>&lt;Connect&gt;&lt;Stream&gt;</c>.</summary>
public enum FakeStreamStart
{
    /// <summary>Opens the socket and sends connected, a valid start, then 20 ms of audio every 20 ms.</summary>
    Normal,
    /// <summary>Never opens the socket; the call stays up until it is hung up.</summary>
    NeverOpens,
    /// <summary>Opens the socket and sends connected, but never a start; the call stays up until it is hung up.</summary>
    NoStartMessage,
}

/// <summary>
/// How the called party answers an outbound call: <c>completed</c> is answered (the answer URL, the media stream) and
/// hung up by the callee after <see cref="Hold"/>; <c>busy</c> and <c>no-answer</c> ring for <see cref="Hold"/> and end
/// so; <c>failed</c> ends after <see cref="Hold"/> without ringing. An answered call rings for <see cref="RingFor"/>
/// first. Each final status reaches the console as Twilio sends it: a signed status callback of the <c>completed</c>
/// event.
/// </summary>
public sealed record FakeTwilioOutcome(string Status, TimeSpan Hold, TimeSpan RingFor = default)
{
    /// <summary>What asynchronous answering machine detection reports when the call asked for it (Twilio's AnsweredBy words).</summary>
    public string AnsweredBy { get; init; } = "human";
    /// <summary>The MachineDetectionDuration the callback reports (the callback itself is posted once the stream is up).</summary>
    public int DetectionMilliseconds { get; init; } = 200;
    /// <summary>False: no detection callback at all, so a test can post its own.</summary>
    public bool Detects { get; init; } = true;

    public static FakeTwilioOutcome Answered(TimeSpan hangUpAfter, TimeSpan ringFor = default) => new("completed", hangUpAfter, ringFor);
}

/// <summary>A number of the fake account.</summary>
public sealed class FakeTwilioNumber
{
    public required string Sid { get; init; }
    public required string PhoneNumber { get; init; }
    public string? VoiceUrl { get; set; }
    public string? VoiceMethod { get; set; }
}

/// <summary>
/// A loopback Twilio: the REST API (2010-04-01 Calls, Accounts, IncomingPhoneNumbers; HTTP Basic checked; Twilio's JSON
/// shapes and error bodies) and the carrier behind it. For a created call it posts signed status callbacks (initiated,
/// ringing, answered), fetches the signed answer URL, and for TwiML <c>&lt;Connect&gt;&lt;Stream&gt;</c> opens the media
/// WebSocket as Twilio does (connected, start with customParameters, 20 ms u-law media, dtmf, echoed marks, stop).
/// A hang-up over REST, or the console closing the stream, ends the call with a signed <c>completed</c> callback
/// (<c>canceled</c> before it was answered). <see cref="Outcomes"/> scripts busy, no-answer, failed and callee hang-ups.
/// Like a carrier it counts on its own side: calls open now, the most ever open at once, and dials per number.
/// URLs the console hands out under its public origin are fetched from <c>consoleAddress</c> but signed as given,
/// like a TLS-terminating proxy in front of the console. Dispose it to stop it.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Uri _consoleAddress;
    private readonly Uri _publicOrigin;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<string, FakeTwilioCall> _calls = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FakeTwilioCall>> _callWaiters = new();
    private readonly object _countGate = new();
    private readonly List<FakeTwilioCall> _dialed = [];
    private int _open;
    private int _maxOpen;

    private FakeTwilio(WebApplication app, Uri consoleAddress, Uri publicOrigin)
    {
        _app = app;
        _consoleAddress = consoleAddress;
        _publicOrigin = publicOrigin;
    }

    public string AccountSid { get; } = "AC" + RandomNumberGenerator.GetHexString(32, lowercase: true);
    public string AuthToken { get; } = RandomNumberGenerator.GetHexString(32, lowercase: true);
    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>The value for a configuration's apiBaseUrl field.</summary>
    public string ApiBaseUrl => BaseAddress.ToString().TrimEnd('/');

    public ConcurrentQueue<FakeTwilioRequest> Requests { get; } = new();

    /// <summary>
    /// Whether a mark is echoed as soon as it arrives (playback here is instant); when false, marks wait for
    /// <see cref="FakeTwilioCall.EchoWithheldMarksAsync"/>, as a slow playback would hold them.
    /// </summary>
    public bool EchoesMarks { get; set; } = true;

    public IReadOnlyCollection<FakeTwilioCall> Calls => _calls.Values.ToList();
    public ConcurrentDictionary<string, FakeTwilioNumber> Numbers { get; } = new();

    /// <summary>Numbers the account cannot call: a create-call request for one fails with this error (Twilio's JSON).</summary>
    public ConcurrentDictionary<string, FakeTwilioError> RefusedNumbers { get; } = new();

    /// <summary>
    /// How each outbound call goes, from its To number and how many calls to that number came before (0 for the first).
    /// Null: answered, and on the line until hung up or its stream ends.
    /// </summary>
    public Func<string, int, FakeTwilioOutcome>? Outcomes { get; set; }

    /// <summary>Calls not ended at the carrier now (a call ends before its final status callback is sent).</summary>
    public int OpenCalls { get { lock (_countGate) return _open; } }

    /// <summary>The most calls the carrier ever had open at once.</summary>
    public int MaxOpenCalls { get { lock (_countGate) return _maxOpen; } }

    /// <summary>Calls the console created over REST, in order.</summary>
    public IReadOnlyList<FakeTwilioCall> Dials { get { lock (_countGate) return _dialed.ToList(); } }

    public int TotalDials { get { lock (_countGate) return _dialed.Count; } }

    public Dictionary<string, int> DialsByNumber() { lock (_countGate) return _dialed.GroupBy(c => c.To).ToDictionary(g => g.Key, g => g.Count()); }

    /// <summary>The next create-call request fails with this (then it is cleared).</summary>
    public FakeTwilioError? NextCallError { get; set; }
    /// <summary>Every IncomingPhoneNumbers update fails with this while set.</summary>
    public FakeTwilioError? NumberUpdateError { get; set; }
    /// <summary>When false, created calls stay queued until the test drives them.</summary>
    public bool AutoAnswer { get; set; } = true;
    /// <summary>How the media stream of the next answered call starts.</summary>
    public FakeStreamStart StreamStart { get; set; } = FakeStreamStart.Normal;

    /// <summary>What the callers say on their media streams: 8 kHz samples played in a loop (null: silence).</summary>
    public short[]? CallerAudio { get; set; }

    /// <summary>Starts on 127.0.0.1 with a free port. <paramref name="publicBaseUrl"/> is the console's Dograh:PublicBaseUrl.</summary>
    public static async Task<FakeTwilio> StartAsync(Uri consoleAddress, string publicBaseUrl)
    {
        var app = LoopbackServer.Create();
        var fake = new FakeTwilio(app, consoleAddress, new Uri(publicBaseUrl));
        fake.MapRestApi(app);
        fake.BaseAddress = await app.StartLoopbackAsync();
        return fake;
    }

    public FakeTwilioNumber AddNumber(string e164, string? voiceUrl = null)
    {
        var number = new FakeTwilioNumber { Sid = "PN" + RandomNumberGenerator.GetHexString(32, lowercase: true), PhoneNumber = e164, VoiceUrl = voiceUrl };
        Numbers[e164] = number;
        return number;
    }

    /// <summary>The call the console created to <paramref name="to"/>.</summary>
    public Task<FakeTwilioCall> WaitForCallAsync(string to) =>
        _callWaiters.GetOrAdd(to, _ => new TaskCompletionSource<FakeTwilioCall>(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(Eventually.Patience);

    public FakeTwilioCall? FindCall(string sid) => _calls.GetValueOrDefault(sid);

    /// <summary>
    /// A caller dials <paramref name="to"/>: Twilio posts the signed voice webhook to <paramref name="voiceUrl"/> and, when
    /// the answer is TwiML Connect/Stream, opens the media stream.
    /// </summary>
    public async Task<FakeTwilioCall> PlaceInboundCallAsync(string voiceUrl, string from, string to, string? accountSid = null, string? signature = null)
    {
        var call = new FakeTwilioCall(this, "CA" + RandomNumberGenerator.GetHexString(32, lowercase: true), accountSid ?? AccountSid, from, to, "inbound")
        {
            AnswerUrl = voiceUrl,
        };
        _calls[call.Sid] = call;
        Opened();
        await call.FetchAnswerAsync(signature, stream: true);
        return call;
    }

    /// <summary>Posts a form to the console the way Twilio does: signed with the auth token over the URL as given.</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(string url, IReadOnlyList<KeyValuePair<string, string>> form, string? signatureOverride = null, string? authToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ToConsole(url)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", signatureOverride ?? Sign(authToken ?? AuthToken, url, form));
        request.Headers.UserAgent.ParseAdd("TwilioProxy/1.1");
        return await _http.SendAsync(request);
    }

    /// <summary>Twilio's signing, written here independently of the console's validator.</summary>
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var text = new StringBuilder(url);
        foreach (var group in form.GroupBy(p => p.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
            foreach (var value in group.Select(p => p.Value).Distinct().OrderBy(v => v, StringComparer.Ordinal))
                text.Append(group.Key).Append(value);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Where a URL under the console's public origin really is (http/ws on loopback).</summary>
    public Uri ToConsole(string url)
    {
        var uri = new Uri(url);
        if (!string.Equals(uri.Authority, _publicOrigin.Authority, StringComparison.OrdinalIgnoreCase)) return uri;
        var scheme = uri.Scheme is "ws" or "wss" ? "ws" : "http";
        return new Uri($"{scheme}://{_consoleAddress.Authority}{uri.PathAndQuery}");
    }

    internal HttpClient Http => _http;

    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values) await call.EndAsync("completed", notify: false);
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    private void MapRestApi(WebApplication app)
    {
        const string account = "/2010-04-01/Accounts/{accountSid}";
        app.Use(async (context, next) =>
        {
            var form = context.Request.HasFormContentType ? (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.Select(v => v ?? "").ToArray()) : new();
            Requests.Enqueue(new FakeTwilioRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentType, form,
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.Select(v => v ?? "").ToArray())));
            var sid = context.Request.Path.Value?.Split('/') is { Length: > 3 } parts ? parts[3].Replace(".json", "") : null;
            if (!Authorized(context.Request, sid))
            {
                await Error(new FakeTwilioError(401, 20003, "Authenticate")).ExecuteAsync(context);
                return;
            }
            await next(context);
        });

        app.MapGet(account + ".json", (string accountSid) => Results.Json(new JsonObject
        {
            ["sid"] = AccountSid,
            ["friendly_name"] = "Fake Twilio account",
            ["status"] = "active",
            ["type"] = "Full",
            ["owner_account_sid"] = AccountSid,
            ["uri"] = $"/2010-04-01/Accounts/{AccountSid}.json",
        }));

        app.MapPost(account + "/Calls.json", (HttpRequest request) =>
        {
            var form = request.Form;
            if (NextCallError is { } error)
            {
                NextCallError = null;
                return Error(error);
            }
            if (string.IsNullOrEmpty(form["To"]) || string.IsNullOrEmpty(form["From"]))
                return Error(new FakeTwilioError(400, 21201, "No 'To' number is specified"));
            if (string.IsNullOrEmpty(form["Url"]) && string.IsNullOrEmpty(form["Twiml"]))
                return Error(new FakeTwilioError(400, 21205, "Url parameter is required."));
            if (RefusedNumbers.TryGetValue(form["To"]!, out var refusal)) return Error(refusal);
            var call = new FakeTwilioCall(this, "CA" + RandomNumberGenerator.GetHexString(32, lowercase: true), AccountSid, form["From"]!, form["To"]!, "outbound-api")
            {
                AnswerUrl = form["Url"],
                StatusCallback = form["StatusCallback"],
                StatusCallbackEvents = form["StatusCallbackEvent"].Select(v => v ?? "").SelectMany(v => v.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(),
                MachineDetection = NullIfEmpty(form["MachineDetection"]),
                AsyncAmd = NullIfEmpty(form["AsyncAmd"]),
                AsyncAmdStatusCallback = NullIfEmpty(form["AsyncAmdStatusCallback"]),
            };
            int before;
            lock (_countGate)
            {
                before = _dialed.Count(c => c.To == call.To);
                _dialed.Add(call);
            }
            _calls[call.Sid] = call;
            Opened();
            var outcome = Outcomes?.Invoke(call.To, before);
            _callWaiters.GetOrAdd(call.To, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(call);
            if (AutoAnswer) _ = Task.Run(() => call.RunOutboundAsync(outcome));
            return Results.Json(call.ToJson(), statusCode: 201);
        });

        app.MapGet(account + "/Calls/{callSid}.json", (string callSid) =>
            _calls.TryGetValue(callSid, out var call) ? Results.Json(call.ToJson()) : NotFound($"/2010-04-01/Accounts/{AccountSid}/Calls/{callSid}.json"));

        app.MapPost(account + "/Calls/{callSid}.json", (string callSid, HttpRequest request) =>
        {
            if (!_calls.TryGetValue(callSid, out var call)) return NotFound($"/2010-04-01/Accounts/{AccountSid}/Calls/{callSid}.json");
            var form = request.Form;
            if (!string.IsNullOrEmpty(form["Twiml"]))
            {
                if (call.Ended) return Error(new FakeTwilioError(400, 21220, "Call is not in-progress. Cannot redirect."));
                call.RedirectTwiml = form["Twiml"];
                _ = Task.Run(() => call.LeaveStreamAsync());
            }
            else if (form["Status"] == "completed" || (form["Status"] == "canceled" && !call.Answered))
            {
                // Over at once, as the answer shows; the stream's stop and the final callback follow.
                if (call.TryFinish(call.Answered ? "completed" : "canceled")) _ = Task.Run(() => call.FinishAsync(notify: true));
            }
            return Results.Json(call.ToJson());
        });

        app.MapGet(account + "/IncomingPhoneNumbers.json", (HttpRequest request) =>
        {
            var wanted = request.Query["PhoneNumber"].ToString();
            var numbers = Numbers.Values.Where(n => wanted.Length == 0 || n.PhoneNumber == wanted).Select(NumberJson).ToArray();
            return Results.Json(new JsonObject
            {
                ["incoming_phone_numbers"] = new JsonArray(numbers),
                ["page"] = 0,
                ["page_size"] = 50,
                ["start"] = 0,
                ["end"] = numbers.Length,
                ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
                ["next_page_uri"] = null,
            });
        });

        app.MapPost(account + "/IncomingPhoneNumbers/{numberSid}.json", (string numberSid, HttpRequest request) =>
        {
            var number = Numbers.Values.FirstOrDefault(n => n.Sid == numberSid);
            if (number is null) return NotFound($"/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{numberSid}.json");
            if (NumberUpdateError is { } error) return Error(error);
            if (request.Form.ContainsKey("VoiceUrl")) number.VoiceUrl = request.Form["VoiceUrl"];
            if (request.Form.ContainsKey("VoiceMethod")) number.VoiceMethod = request.Form["VoiceMethod"];
            return Results.Json(NumberJson(number));
        });
    }

    private void Opened()
    {
        lock (_countGate)
        {
            _open++;
            _maxOpen = Math.Max(_maxOpen, _open);
        }
    }

    internal void Closed()
    {
        lock (_countGate) _open--;
    }

    private JsonNode NumberJson(FakeTwilioNumber n) => new JsonObject
    {
        ["sid"] = n.Sid,
        ["account_sid"] = AccountSid,
        ["phone_number"] = n.PhoneNumber,
        ["friendly_name"] = n.PhoneNumber,
        ["voice_url"] = n.VoiceUrl,
        ["voice_method"] = n.VoiceMethod ?? "POST",
    };

    private bool Authorized(HttpRequest request, string? pathAccountSid)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal)) return false;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
        }
        catch (FormatException)
        {
            return false;
        }
        return decoded == $"{AccountSid}:{AuthToken}" && pathAccountSid == AccountSid;
    }

    private static IResult Error(FakeTwilioError error) => Results.Json(new JsonObject
    {
        ["code"] = error.Code,
        ["message"] = error.Message,
        ["more_info"] = $"https://www.twilio.com/docs/errors/{error.Code}",
        ["status"] = error.Status,
    }, statusCode: error.Status);

    private static IResult NotFound(string path) => Error(new FakeTwilioError(404, 20404, $"The requested resource {path} was not found"));
}

/// <summary>One call at the fake carrier, with its media stream as Twilio would run it.</summary>
public sealed class FakeTwilioCall
{
    private readonly FakeTwilio _twilio;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _hangup = new();
    private readonly CancellationTokenSource _over = new();
    private readonly object _statusGate = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _streamStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _audioGate = new();
    private readonly MemoryStream _audio = new();
    private ClientWebSocket? _socket;
    private Task? _streamTask;
    private int _sequence;
    private int _statusSequence;
    private int _ending;
    private DateTime? _answeredAt;

    internal FakeTwilioCall(FakeTwilio twilio, string sid, string accountSid, string from, string to, string direction)
    {
        _twilio = twilio;
        Sid = sid;
        AccountSid = accountSid;
        From = from;
        To = to;
        Direction = direction;
        CreatedAt = DateTime.UtcNow;
    }

    public string Sid { get; }
    public string AccountSid { get; }
    public string From { get; }
    public string To { get; }
    public string Direction { get; }
    public string Status { get; private set; } = "queued";
    /// <summary>When the carrier accepted the call, and when it ended there (before its final callback).</summary>
    public DateTime CreatedAt { get; }
    public DateTime? EndedAt { get; private set; }
    public bool Answered => _answeredAt is not null;
    public string? AnswerUrl { get; init; }
    public string? StatusCallback { get; init; }
    public string? MachineDetection { get; init; }
    public string? AsyncAmd { get; init; }
    public string? AsyncAmdStatusCallback { get; init; }
    /// <summary>The detection callbacks sent: AnsweredBy and the console's answer.</summary>
    public ConcurrentQueue<(string AnsweredBy, HttpStatusCode Response)> MachineDetectionCallbacks { get; } = new();
    public IReadOnlySet<string> StatusCallbackEvents { get; init; } = new HashSet<string>();
    public string StreamSid { get; } = "MZ" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>The answer webhook's HTTP status and body.</summary>
    public HttpStatusCode? AnswerStatus { get; private set; }
    public string? Twiml { get; private set; }
    public string? RedirectTwiml { get; internal set; }
    /// <summary>The status callbacks sent, with the console's answer (null: the console could not be reached).</summary>
    public ConcurrentQueue<(string CallStatus, HttpStatusCode? Response)> StatusCallbacks { get; } = new();
    public ConcurrentQueue<string> MarksReceived { get; } = new();
    private readonly ConcurrentQueue<string> _withheldMarks = new();
    public int ClearsReceived;
    public WebSocketCloseStatus? CloseStatus { get; private set; }
    public string? CloseDescription { get; private set; }
    public bool Ended => Volatile.Read(ref _ending) != 0;
    public Task EndedTask => _ended.Task;
    public Task StreamStarted => _streamStarted.Task;

    /// <summary>The media stream task: completes when the socket is closed by either side.</summary>
    public Task StreamTask => _streamTask ?? Task.CompletedTask;

    /// <summary>The u-law audio the console sent so far.</summary>
    public byte[] ReceivedAudio()
    {
        lock (_audioGate) return _audio.ToArray();
    }

    public Task WaitForAudioAsync(int bytes) => Eventually.MatchAsync(() => Task.FromResult(ReceivedAudio().Length), length =>
        {
            if (length < bytes && StreamTask.IsCompleted && _streamTask is not null) throw new InvalidOperationException($"the stream closed after {length} audio bytes");
            return length >= bytes;
        }, length => $"{bytes} audio bytes (only {length} arrived)");

    public Task SendDtmfAsync(char digit) => SendAsync(new JsonObject
    {
        ["event"] = "dtmf",
        ["streamSid"] = StreamSid,
        ["sequenceNumber"] = Next(),
        ["dtmf"] = new JsonObject { ["track"] = "inbound_track", ["digit"] = digit.ToString() },
    });

    /// <summary>Sends a status callback as Twilio would (signed), whatever state the call is in: for repeat and late tests.</summary>
    public async Task<HttpStatusCode> PostStatusAsync(string callStatus, string? signature = null)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", Sid), new("CallStatus", callStatus),
            new("Called", To), new("Caller", From), new("Direction", Direction), new("From", From), new("To", To),
            new("SequenceNumber", Interlocked.Increment(ref _statusSequence).ToString(System.Globalization.CultureInfo.InvariantCulture) ),
            new("Timestamp", DateTime.UtcNow.ToString("R")), new("CallbackSource", "call-progress-events"),
        };
        if (callStatus == "completed" && _answeredAt is { } answered)
            form.Add(new("CallDuration", ((int)(DateTime.UtcNow - answered).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await _twilio.PostSignedAsync(StatusCallback!, form, signature);
        StatusCallbacks.Enqueue((callStatus, response.StatusCode));
        return response.StatusCode;
    }

    /// <summary>Posts the asynchronous detection result to AsyncAmdStatusCallback, signed, as Twilio does once it has decided.</summary>
    public async Task<HttpStatusCode> PostMachineDetectionAsync(string answeredBy, int milliseconds)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", AccountSid), new("CallSid", Sid), new("AnsweredBy", answeredBy),
            new("MachineDetectionDuration", milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        using var response = await _twilio.PostSignedAsync(AsyncAmdStatusCallback!, form);
        MachineDetectionCallbacks.Enqueue((answeredBy, response.StatusCode));
        return response.StatusCode;
    }

    private async Task DetectAsync(FakeTwilioOutcome? outcome)
    {
        var detection = outcome ?? FakeTwilioOutcome.Answered(TimeSpan.Zero);
        if (!detection.Detects) return;
        try
        {
            if (!Ended) await PostMachineDetectionAsync(detection.AnsweredBy, detection.DetectionMilliseconds);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            // The call or the fake ended first.
        }
    }

    /// <summary>The carrier's side of a created call, as <paramref name="outcome"/> scripts it (null: answered until hung up).</summary>
    internal async Task RunOutboundAsync(FakeTwilioOutcome? outcome)
    {
        var final = "completed";
        try
        {
            // The carrier's side, as Twilio runs it: its REST answer reaches the console before the first callback.
            await Task.Delay(50, _over.Token);
            await ProgressAsync("initiated", "initiated");
            if (outcome is { Status: not "completed" })
            {
                if (outcome.Status != "failed") await ProgressAsync("ringing", "ringing");
                await Task.Delay(outcome.Hold, _over.Token);
                final = outcome.Status;
            }
            else
            {
                await ProgressAsync("ringing", "ringing");
                if (outcome is { RingFor: var ring } && ring > TimeSpan.Zero) await Task.Delay(ring, _over.Token);
                await ProgressAsync("in-progress", "answered");
                await FetchAnswerAsync(null, stream: true);
                if (AsyncAmd == "true" && AsyncAmdStatusCallback is not null) _ = Task.Run(() => DetectAsync(outcome));
                // The callee hangs up after the hold, unless the stream (or the call) ends first.
                if (outcome is null) await StreamTask;
                else await Task.WhenAny(StreamTask, Task.Delay(outcome.Hold, _over.Token));
            }
        }
        catch (Exception) when (Ended)
        {
            // Hung up while the script ran.
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The answer URL could not be fetched: Twilio says an application error occurred and hangs up.
        }
        await EndAsync(final);
    }

    internal async Task FetchAnswerAsync(string? signature, bool stream)
    {
        if (Direction == "inbound") Progress("ringing");
        var form = new List<KeyValuePair<string, string>>
        {
            new("AccountSid", AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", Sid), new("CallStatus", Status),
            new("Called", To), new("Caller", From), new("Direction", Direction), new("From", From), new("To", To),
        };
        if (Direction == "inbound") form.AddRange([new("CallerCountry", "US"), new("CalledCountry", "US")]);
        using var response = await _twilio.PostSignedAsync(AnswerUrl!, form, signature);
        AnswerStatus = response.StatusCode;
        Twiml = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || !stream) return;
        var document = XDocument.Parse(Twiml);
        var streamElement = document.Root?.Element("Connect")?.Element("Stream");
        if (streamElement is null) return;
        if (Direction == "inbound") Progress("in-progress");
        _answeredAt ??= DateTime.UtcNow;
        var parameters = streamElement.Elements("Parameter").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        StreamUrl = (string)streamElement.Attribute("url")!;
        StreamParameters = parameters;
        var start = _twilio.StreamStart;
        if (start == FakeStreamStart.NeverOpens)
        {
            _streamTask = _ended.Task;
            return;
        }
        _streamTask = RunStreamAsync(StreamUrl, parameters, start);
        await Task.WhenAny(_streamStarted.Task, _streamTask);
    }

    /// <summary>The stream URL and parameters of the answer's TwiML.</summary>
    public string? StreamUrl { get; private set; }
    public IReadOnlyDictionary<string, string> StreamParameters { get; private set; } = new Dictionary<string, string>();

    /// <summary>For calls created while <see cref="FakeTwilio.AutoAnswer"/> is off: answer now (answer webhook, then the stream).</summary>
    public async Task AnswerAsync()
    {
        Progress("in-progress");
        await FetchAnswerAsync(null, stream: true);
    }

    /// <summary>
    /// Opens another media socket with the answer's stream parameters (or changed ones), as a replay would: returns how
    /// the console closed it and how many media messages it sent first.
    /// </summary>
    public async Task<(WebSocketCloseStatus? Status, string? Description, int MediaMessages)> ReplayStreamAsync(
        IReadOnlyDictionary<string, string>? parameters = null, string? callSid = null)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(_twilio.ToConsole(StreamUrl!), CancellationToken.None);
        var custom = new JsonObject();
        foreach (var (name, value) in parameters ?? StreamParameters) custom[name] = value;
        foreach (var message in new[]
        {
            new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" },
            new JsonObject
            {
                ["event"] = "start", ["sequenceNumber"] = "1", ["streamSid"] = "MZ" + RandomNumberGenerator.GetHexString(32, lowercase: true),
                ["start"] = new JsonObject
                {
                    ["accountSid"] = AccountSid, ["callSid"] = callSid ?? Sid, ["tracks"] = new JsonArray("inbound"),
                    ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000, ["channels"] = 1 },
                    ["customParameters"] = custom,
                },
            },
        })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        var buffer = new byte[64 * 1024];
        var media = 0;
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) return (result.CloseStatus, result.CloseStatusDescription, media);
            if (result.EndOfMessage && Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"event\":\"media\"", StringComparison.Ordinal)) media++;
        }
    }

    /// <summary>The call leaves the stream (redirected by TwiML): Twilio sends stop and closes the socket.</summary>
    internal async Task LeaveStreamAsync()
    {
        await StopStreamAsync();
        Status = "completed";
    }

    /// <summary>Ends the call with <paramref name="status"/>: over at the carrier, then stop and close the stream, then the signed final callback.</summary>
    public async Task EndAsync(string status, bool notify = true)
    {
        if (!TryFinish(status))
        {
            await _ended.Task;
            return;
        }
        await FinishAsync(notify);
    }

    /// <summary>The call is over at the carrier (its final status, its end, no longer open); false when it already was.</summary>
    internal bool TryFinish(string status)
    {
        lock (_statusGate)
        {
            if (_ending != 0) return false;
            _ending = 1;
            Status = status;
            EndedAt = DateTime.UtcNow;
        }
        _twilio.Closed();
        _over.Cancel();
        return true;
    }

    /// <summary>What follows the end of a call: the stream's stop and close, then the final status callback.</summary>
    internal async Task FinishAsync(bool notify)
    {
        try
        {
            await StopStreamAsync();
            if (notify && StatusCallback is not null && StatusCallbackEvents.Contains("completed")) await NotifyAsync(Status);
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    internal async Task StopStreamAsync()
    {
        var socket = _socket;
        if (socket is null) return;
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await SendAsync(new JsonObject
                {
                    ["event"] = "stop",
                    ["sequenceNumber"] = Next(),
                    ["streamSid"] = StreamSid,
                    ["stop"] = new JsonObject { ["accountSid"] = AccountSid, ["callSid"] = Sid },
                });
                await _sendGate.WaitAsync();
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", timeout.Token);
                }
                finally
                {
                    _sendGate.Release();
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Already closing from the other side.
            }
        }
        _hangup.Cancel();
        if (_streamTask is not null) await _streamTask.WaitAsync(Eventually.Patience);
    }

    private async Task ProgressAsync(string status, string callbackEvent)
    {
        Progress(status);
        if (StatusCallbackEvents.Contains(callbackEvent) && StatusCallback is not null) await NotifyAsync(status);
    }

    /// <summary>The call moves on to <paramref name="status"/>; an ended call cannot (the script stops).</summary>
    private void Progress(string status)
    {
        lock (_statusGate)
        {
            if (Ended) throw new OperationCanceledException();
            Status = status;
            if (status == "in-progress") _answeredAt ??= DateTime.UtcNow;
        }
    }

    /// <summary>A callback of the carrier's own: when the console cannot be reached, it is missed (Twilio does not retry).</summary>
    private async Task NotifyAsync(string callStatus)
    {
        try
        {
            await PostStatusAsync(callStatus);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            StatusCallbacks.Enqueue((callStatus, null));
        }
    }

    private async Task RunStreamAsync(string url, IReadOnlyDictionary<string, string> parameters, FakeStreamStart start)
    {
        var socket = new ClientWebSocket();
        _socket = socket;
        try
        {
            await socket.ConnectAsync(_twilio.ToConsole(url), CancellationToken.None);
            await SendAsync(new JsonObject { ["event"] = "connected", ["protocol"] = "Call", ["version"] = "1.0.0" });
            if (start == FakeStreamStart.NoStartMessage)
            {
                _streamStarted.TrySetResult(); // as far as this stream goes
                await ReceiveAsync(socket);
                return;
            }
            var custom = new JsonObject();
            foreach (var (name, value) in parameters) custom[name] = value;
            await SendAsync(new JsonObject
            {
                ["event"] = "start",
                ["sequenceNumber"] = Next(),
                ["streamSid"] = StreamSid,
                ["start"] = new JsonObject
                {
                    ["accountSid"] = AccountSid,
                    ["streamSid"] = StreamSid,
                    ["callSid"] = Sid,
                    ["tracks"] = new JsonArray("inbound"),
                    ["mediaFormat"] = new JsonObject { ["encoding"] = "audio/x-mulaw", ["sampleRate"] = 8000, ["channels"] = 1 },
                    ["customParameters"] = custom,
                },
            });
            _streamStarted.TrySetResult();
            var sending = SendCallerAudioAsync(_hangup.Token);
            await ReceiveAsync(socket);
            _hangup.Cancel();
            await sending;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            CloseDescription ??= e.Message;
        }
        finally
        {
            _streamStarted.TrySetResult();
            _hangup.Cancel();
        }
    }

    private async Task SendCallerAudioAsync(CancellationToken ct)
    {
        var silence = Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 160).ToArray());
        var said = _twilio.CallerAudio;
        var encoded = new byte[160];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var chunk = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                chunk++;
                var payload = silence;
                if (said is { Length: >= 160 })
                {
                    MuLaw.Encode(said.AsSpan(chunk * 160 % (said.Length - said.Length % 160), 160), encoded);
                    payload = Convert.ToBase64String(encoded);
                }
                await SendAsync(new JsonObject
                {
                    ["event"] = "media",
                    ["sequenceNumber"] = Next(),
                    ["streamSid"] = StreamSid,
                    ["media"] = new JsonObject
                    {
                        ["track"] = "inbound",
                        ["chunk"] = chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["timestamp"] = (chunk * 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["payload"] = payload
                    },
                });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The stream ended.
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[128 * 1024];
        while (true)
        {
            var length = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                length += result.Count;
            } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = result.CloseStatus;
                CloseDescription = result.CloseStatusDescription;
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await _sendGate.WaitAsync();
                    try
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }
                    finally
                    {
                        _sendGate.Release();
                    }
                }
                return;
            }
            var message = JsonNode.Parse(buffer.AsSpan(0, length))!;
            switch ((string?)message["event"])
            {
                case "media":
                    var payload = Convert.FromBase64String((string)message["media"]!["payload"]!);
                    lock (_audioGate) _audio.Write(payload);
                    break;
                case "mark":
                    var name = (string)message["mark"]!["name"]!;
                    MarksReceived.Enqueue(name);
                    // Everything sent before the mark has "played": echo it as Twilio does.
                    if (_twilio.EchoesMarks) await EchoMarkAsync(name);
                    else _withheldMarks.Enqueue(name);
                    break;
                case "clear":
                    Interlocked.Increment(ref ClearsReceived);
                    // Twilio empties its buffer and sends back the marks still waiting in it.
                    await EchoWithheldMarksAsync();
                    break;
            }
        }
    }

    /// <summary>Playback reaches the marks held back so far (<see cref="FakeTwilio.EchoesMarks"/> off): echoes them in order.</summary>
    public async Task EchoWithheldMarksAsync()
    {
        while (_withheldMarks.TryDequeue(out var name)) await EchoMarkAsync(name);
    }

    private Task EchoMarkAsync(string name) =>
        SendAsync(new JsonObject { ["event"] = "mark", ["sequenceNumber"] = Next(), ["streamSid"] = StreamSid, ["mark"] = new JsonObject { ["name"] = name } });

    private async Task SendAsync(JsonObject message)
    {
        var socket = _socket ?? throw new InvalidOperationException("The media stream is not open.");
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sendGate.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open) await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private string Next() => Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal JsonObject ToJson() => new()
    {
        ["sid"] = Sid,
        ["account_sid"] = AccountSid,
        ["to"] = To,
        ["to_formatted"] = To,
        ["from"] = From,
        ["from_formatted"] = From,
        ["status"] = Status,
        ["direction"] = Direction,
        ["api_version"] = "2010-04-01",
        ["date_created"] = DateTime.UtcNow.ToString("R"),
        ["duration"] = _answeredAt is { } answered && Ended ? ((int)(DateTime.UtcNow - answered).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
    };
}
