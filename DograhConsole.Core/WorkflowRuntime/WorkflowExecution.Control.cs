using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.WorkflowRuntime.Agent;
using DograhConsole.Core.Workflows.Definition;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.WorkflowRuntime;

/// <summary>The steps that talk to the outside: http, transfer, agent; and the ways a call ends.</summary>
internal sealed partial class WorkflowExecution
{
    /// <summary>The named HttpClient of http steps (no automatic redirects to other schemes, bounded response).</summary>
    public const string HttpClientName = "workflow-http";
    /// <summary>The response is buffered to read a few mapped fields; bounds what a broken or hostile server costs the call.</summary>
    public const int MaxHttpResponseBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A transfer may wait for the destination to answer (ARI rings it for Dograh:Ari:RingTimeoutSeconds, 30 s by default).</summary>
    private static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Sends the variables as a JSON object (POST) to the rendered URL with the rendered headers, within the step's
    /// timeout, and copies the mapped response fields into variables. A timeout, an error status, a body that is
    /// not JSON or a transport error is recorded and jumps to <c>onError</c> (or goes on with the next step).
    /// </summary>
    private async Task<Flow> HttpAsync(HttpStep step, string label)
    {
        var urlText = Render(step.Url, label, "url", url: true);
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return HttpFailed(step, label, $"the url '{Shorten(urlText)}' is not an absolute http(s) URL once its variables are filled in", null);
        var shown = url.GetLeftPart(UriPartial.Path); // the query may carry tokens: never recorded

        using var request = new HttpRequestMessage(new HttpMethod(step.Method), url);
        foreach (var (name, template) in step.Headers)
        {
            var value = Render(template, label, $"headers.{name}");
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (step.Method == "POST")
        {
            var body = new StringContent(JsonSerializer.Serialize(_variables, Json), Encoding.UTF8, "application/json");
            if (request.Content is not null)
                foreach (var header in request.Content.Headers.Where(h => h.Key != "Content-Type")) body.Headers.TryAddWithoutValidation(header.Key, header.Value);
            request.Content = body;
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_ended);
        timeout.CancelAfter(TimeSpan.FromSeconds(step.TimeoutSeconds));
        var client = _deps.HttpClients.CreateClient(HttpClientName);
        int status;
        byte[] content;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            content = await ReadBoundedAsync(response.Content, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return HttpFailed(step, label, $"{step.Method} {shown} answered {status} {response.ReasonPhrase}", status);
        }
        catch (OperationCanceledException) when (!_ended.IsCancellationRequested)
        {
            return HttpFailed(step, label, $"{step.Method} {shown} did not answer within {step.TimeoutSeconds} s", null);
        }
        catch (HttpRequestException e)
        {
            return HttpFailed(step, label, $"{step.Method} {shown} failed: {e.Message}", null);
        }
        catch (StepFailedException e)
        {
            return HttpFailed(step, label, $"{step.Method} {shown}: {e.Message}", null);
        }

        var assigned = new Dictionary<string, string?>(StringComparer.Ordinal);
        var absent = new List<string>();
        if (step.ResponseMapping.Count > 0)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException e)
            {
                return HttpFailed(step, label, $"{step.Method} {shown} answered {status} with a body that is not JSON ({e.Message})", status);
            }
            using (document)
            {
                foreach (var (variable, path) in step.ResponseMapping)
                {
                    if (!path.TrySelect(document.RootElement, out var value))
                    {
                        absent.Add(variable);
                        continue;
                    }
                    var text = value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.Null => null,
                        _ => value.GetRawText(),
                    };
                    _variables[variable] = text;
                    assigned[variable] = text;
                }
            }
        }
        var message = $"Step {label}: {step.Method} {shown} answered {status}"
            + (assigned.Count > 0 ? $"; set {string.Join(", ", assigned.Keys)}" : "")
            + (absent.Count > 0 ? $"; not in the response: {string.Join(", ", absent.Select(a => $"{a} ({step.ResponseMapping[a]})"))}" : "");
        Record(CallEventKind.Info, message, new { step = label, status, assigned = assigned.Keys, absent });
        return Flow.Next;
    }

    private Flow HttpFailed(HttpStep step, string label, string reason, int? status)
    {
        var then = step.OnError is null ? "going on with the next step" : $"going to '{step.OnError}'";
        Record(CallEventKind.Error, $"Step {label}: {reason}; {then}.", new { step = label, status, onError = step.OnError });
        return step.OnError is null ? Flow.Next : Flow.Jump(step.OnError);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        if (content.Headers.ContentLength > MaxHttpResponseBytes) throw new StepFailedException($"the response is larger than {MaxHttpResponseBytes / 1024} KB");
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxHttpResponseBytes) throw new StepFailedException($"the response is larger than {MaxHttpResponseBytes / 1024} KB");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task<Flow> TransferStepAsync(TransferStep step, string label)
    {
        var to = Render(step.To, label, "to");
        return await TransferAsync(to, label) ? Flow.Stop("the call was transferred") : Flow.Next;
    }

    /// <summary>
    /// Checks the destination against the provider's address types at run time, then asks the provider. True when
    /// the provider took the call away (the workflow ends); busy, no answer and failures are recorded and false.
    /// </summary>
    private async Task<bool> TransferAsync(string to, string label)
    {
        var call = await _calls.FindAsync(CallId, CancellationToken.None) ?? _call;
        if (_deps.Router.TransferRefusal(call.Provider) is { } refusal)
        {
            Record(CallEventKind.Error, $"Step {label}: cannot transfer: {refusal}", new { step = label, to });
            return false;
        }
        var spec = _deps.Providers.Find(call.Provider);
        if (!PhoneAddress.TryParse(to, null, out var address, out var problem))
        {
            Record(CallEventKind.Error, $"Step {label}: cannot transfer to '{Shorten(to)}': {problem}", new { step = label, to });
            return false;
        }
        if (spec is null || !spec.AddressTypes.Contains(address!.Type))
        {
            var supported = spec is null ? "nothing" : PhoneAddress.DescribeAll(spec.AddressTypes, ", ");
            Record(CallEventKind.Error,
                $"Step {label}: cannot transfer to {address!.Normalized}: {spec?.DisplayName ?? call.Provider} transfers to {supported}, not a {PhoneAddress.Describe(address.Type)}.",
                new { step = label, to = address.Normalized });
            return false;
        }
        OperationResult<TransferOutcome> result;
        using (var timeout = new CancellationTokenSource(TransferTimeout))
        {
            try
            {
                result = await _deps.Router.TransferAsync(call, address.Normalized, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Record(CallEventKind.Error, $"Step {label}: transfer to {address.Normalized} failed: no outcome within {TransferTimeout.TotalSeconds:0} s", new { step = label, to = address.Normalized });
                return false;
            }
        }
        if (!result.Succeeded)
        {
            Record(CallEventKind.Error, $"Step {label}: transfer to {address.Normalized} failed: {result.Message}", new { step = label, to = address.Normalized, code = result.Code });
            return false;
        }
        var outcome = result.Value switch
        {
            TransferOutcome.Transferred => "transferred",
            TransferOutcome.Busy => "busy",
            TransferOutcome.NoAnswer => "no-answer",
            _ => "failed",
        };
        Record(CallEventKind.Transfer, $"Step {label}: transfer to {address.Normalized}: {outcome}", new { step = label, to = address.Normalized, outcome });
        return result.Value == TransferOutcome.Transferred;
    }

    /// <summary>Bridges the call to the bot through <see cref="IAgentStream"/>; a bot that cannot be reached or goes away runs the fallback.</summary>
    private async Task<Flow> AgentAsync(AgentStep step, string label)
    {
        var stream = _deps.AgentStream;
        var urlText = Render(step.Url, label, "url", url: true);
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss"))
            return BotGone(step, label, $"the url '{Shorten(urlText)}' is not a ws:// or wss:// URL once its variables are filled in");

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in _variables)
            if (value is not null) parameters[name] = value;
        foreach (var (name, template) in step.CustomParameters)
            parameters[name] = Render(template, label, $"customParameters.{name}");

        var outcome = await stream.RunAsync(new AgentStreamRequest(CallId, url, step.AuthHeader, parameters), _session, _ended);
        switch (outcome)
        {
            case AgentStreamOutcome.CallEnded:
                return Flow.Stop("the call ended during the agent stream");
            case AgentStreamOutcome.HangupRequested hangup:
                if (!string.IsNullOrWhiteSpace(hangup.Reason)) await _calls.SetDispositionAsync(CallId, hangup.Reason, CancellationToken.None);
                return Flow.HangUp(string.IsNullOrWhiteSpace(hangup.Reason) ? "hung up by the agent" : $"hung up by the agent: {hangup.Reason}");
            case AgentStreamOutcome.TransferRequested transfer:
                return await TransferAsync(transfer.To, label) ? Flow.Stop("the agent transferred the call") : Flow.Next;
            case AgentStreamOutcome.BotGone gone:
                return BotGone(step, label, gone.Error);
            default:
                throw new StepFailedException($"the agent stream ended in an unknown way ({outcome.GetType().Name})");
        }
    }

    private Flow BotGone(AgentStep step, string label, string error)
    {
        var then = step.FallbackStepId is null ? "going on with the next step" : $"going to fallback '{step.FallbackStepId}'";
        Record(CallEventKind.Error, $"Step {label}: {error}; {then}.", new { step = label, fallback = step.FallbackStepId });
        return step.FallbackStepId is null ? Flow.Next : Flow.Jump(step.FallbackStepId);
    }

    /// <summary>
    /// The workflow is done with the call: asks the provider to hang up and ends the record as completed (a later
    /// status callback repeats it harmlessly), so the concurrency slot is free at once. When the provider refuses,
    /// the call is failed with the provider's message.
    /// </summary>
    private async Task EndCallAsync(string cause)
    {
        var call = await _calls.FindAsync(CallId, CancellationToken.None);
        if (call is null || !call.Active) return;
        var refused = await AskProviderToHangUpAsync(call);
        if (refused is not null)
        {
            await _calls.FailAsync(CallId, $"The workflow ended ({cause}), but the provider did not hang up: {refused}", CancellationToken.None);
            return;
        }
        _logger.LogInformation("Workflow of call {CallId} ended the call: {Cause}", CallId, cause);
        await _calls.UpdateStatusAsync(CallId, CallStatus.Completed, cause: cause, ct: CancellationToken.None);
    }

    /// <summary>Fails the call with <paramref name="reason"/> and asks the provider to hang up (errors are logged).</summary>
    public async Task FailCallAsync(string reason)
    {
        var call = await _calls.FindAsync(CallId, CancellationToken.None);
        if (call is { Active: true })
        {
            var refused = await AskProviderToHangUpAsync(call);
            if (refused is not null) reason += $" The provider did not hang up: {refused}";
        }
        await _calls.FailAsync(CallId, reason, CancellationToken.None);
    }

    /// <summary>Null when the provider hung up (or the call never reached one); otherwise why not.</summary>
    private async Task<string?> AskProviderToHangUpAsync(CallView call)
    {
        var refused = await _deps.Router.TryHangUpAsync(call, ControlTimeout);
        if (refused is not null) _logger.LogWarning("Hang-up of call {CallId} at {Provider} failed: {Reason}", CallId, call.Provider, refused);
        return refused;
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "..." : text;
}
