using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Calls.History;

public sealed record RecordingFile(string FullPath, string ContentType, string DownloadName);

/// <summary>
/// Finds the recording of one of the signed-in organization's calls. The stored path is only ever read inside the
/// data directory: a path that leads outside it (absolute elsewhere, or with ..) counts as no recording.
/// </summary>
public sealed class CallRecordings(OrganizationDb organizationDb, IOptions<DograhOptions> options)
{
    public async Task<OperationResult<RecordingFile>> FindAsync(Guid callId, CancellationToken ct = default)
    {
        string? stored;
        await using (var db = organizationDb.Create())
        {
            var call = await db.Calls.AsNoTracking().Where(c => c.Id == callId).Select(c => new { c.RecordingPath }).FirstOrDefaultAsync(ct);
            if (call is null) return OperationResult<RecordingFile>.NotFound("Call not found.");
            stored = call.RecordingPath;
        }
        if (string.IsNullOrWhiteSpace(stored)) return OperationResult<RecordingFile>.NotFound("The call has no recording.");

        var root = Path.GetFullPath(options.Value.ResolveDataDirectory());
        var rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        string full;
        try
        {
            full = Path.GetFullPath(Path.IsPathRooted(stored) ? stored : Path.Combine(root, stored));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return OperationResult<RecordingFile>.NotFound("The call has no recording.");
        }
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal) || !File.Exists(full))
            return OperationResult<RecordingFile>.NotFound("The recording file is missing.");

        var extension = Path.GetExtension(full).ToLowerInvariant();
        var contentType = extension switch
        {
            ".wav" => "audio/wav",
            ".mp3" => "audio/mpeg",
            ".ogg" or ".opus" => "audio/ogg",
            ".webm" => "audio/webm",
            _ => "application/octet-stream",
        };
        return OperationResult<RecordingFile>.Success(new RecordingFile(full, contentType, $"call-{callId:N}{extension}"));
    }
}
