using System.Net;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Configurations;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>Call control over the Twilio REST API: dial with this call's answer and status URLs, hang up, transfer with TwiML Dial.</summary>
public sealed class TwilioProviderCalls(TwilioApiClient api, PublicUrls urls) : IProviderCalls
{
    public string Provider => TwilioProviderSpec.Name;

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        var detection = dial.VoicemailDetection switch
        {
            VoicemailDetection.Detect => "Enable",
            VoicemailDetection.WaitForBeep => "DetectMessageEnd",
            _ => null,
        };
        var response = await api.CreateCallAsync(TwilioCredentials.From(dial.Account),
            new TwilioNewCall(dial.To, dial.From, urls.Http(TwilioRoutes.AnswerPath(dial.Call.Id)), urls.Http(TwilioRoutes.StatusPath(dial.Call.Id)))
            {
                MachineDetection = detection,
                MachineDetectionCallbackUrl = detection is null ? null : urls.Http(TwilioRoutes.MachineDetectionPath(dial.Call.Id)),
            }, ct);
        if (!response.Succeeded || string.IsNullOrEmpty(response.Value!.Sid)) return Failed<string>(response.Error ?? "Twilio returned no call SID.");
        return OperationResult<string>.Success(response.Value.Sid);
    }

    public async Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(call.ProviderCallId)) return OperationResult<bool>.Success(false);
        var response = await api.HangUpCallAsync(TwilioCredentials.From(account), call.ProviderCallId, ct);
        if (response.Status == HttpStatusCode.NotFound) return OperationResult<bool>.Success(false);
        return response.Succeeded ? OperationResult<bool>.Success(true) : Failed<bool>(response.Error!);
    }

    public async Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(call.ProviderCallId)) return Failed<TransferOutcome>("The call has no Twilio call SID yet.");
        var response = await api.RedirectCallAsync(TwilioCredentials.From(account), call.ProviderCallId, TwilioTwiml.Dial(to), ct);
        return response.Succeeded ? OperationResult<TransferOutcome>.Success(TransferOutcome.Transferred) : Failed<TransferOutcome>(response.Error!);
    }

    private static OperationResult<T> Failed<T>(string message) => OperationResult<T>.Conflict(message, ProviderCallCodes.ProviderError);
}
