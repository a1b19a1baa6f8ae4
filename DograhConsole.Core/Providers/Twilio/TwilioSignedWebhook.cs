using DograhConsole.Core.CallControl.Inbound;
using DograhConsole.Core.Calls;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>A verified per-call webhook: the request, its call, and a logger.</summary>
public sealed record TwilioSignedWebhook(InboundWebhook Webhook, CallView Call, ILogger Logger);
