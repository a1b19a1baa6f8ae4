using System.Text;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DograhConsole.Core.Calls.History;

public static class CallHistoryApi
{
    public const string ExportPath = "/api/v1/calls/export.csv";

    public static string RecordingPath(Guid callId) => $"/api/v1/calls/{callId}/recording";

    /// <summary>CSV export of the filtered history and a call's recording: the history page's API twins.</summary>
    public static IEndpointRouteBuilder MapCallHistoryApi(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/api/v1/calls").WithTags("Calls").RequireAuthorization(DograhPolicies.ViewerReadsOperatorWrites);

        calls.MapGet("/export.csv", (CallHistory history, string? from, string? to, string? direction, string? status, string? disposition,
                string? configurationId, string? workflowId, string? campaignId, string? search, string? sort, string? answeredBy) =>
            {
                var filter = CallHistoryFilter.Parse(new CallHistoryQuery(from, to, direction, status, disposition, configurationId, workflowId, campaignId, search, sort, answeredBy));
                if (!filter.Succeeded) return filter.ToHttpResult(_ => Results.Ok());
                return Results.Stream(async body =>
                {
                    await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
                    await history.ExportCsvAsync(filter.Value!, writer);
                }, "text/csv; charset=utf-8", $"calls-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv");
            })
            .WithSummary("The call history as CSV, with the same filters as the history page.");

        calls.MapGet("/{id:guid}/recording", async (Guid id, CallRecordings recordings, CancellationToken ct) =>
            (await recordings.FindAsync(id, ct)).ToHttpResult(file =>
                Results.File(file.FullPath, file.ContentType, file.DownloadName, enableRangeProcessing: true)));
        return app;
    }
}
