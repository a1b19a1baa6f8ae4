using DograhConsole.Core.Audit;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Workflows.Definition;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Workflows.Prompts;

/// <summary>The signed-in organization's prompts: upload (converted to mono PCM16 16 kHz), list, get, delete.</summary>
public sealed class PromptService(OrganizationDb organizationDb, PromptStore store, AuditLog audit, TimeProvider time)
{
    /// <summary>The upload is read into memory whole: about 5 minutes of 16 kHz 16-bit WAV, 20 of 8 kHz µ-law.</summary>
    public const long MaxUploadBytes = 10L * 1024 * 1024;
    /// <summary>A prompt is a greeting or a menu; ten minutes bounds the stored file (19 MB at 16 kHz) and each play of it.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);
    private const string EntityType = "prompt";

    public async Task<IReadOnlyList<PromptView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var prompts = await db.Prompts.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        return prompts.Select(PromptView.FromEntity).ToList();
    }

    public async Task<OperationResult<PromptView>> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var prompt = await db.Prompts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return prompt is null ? NotFound() : OperationResult<PromptView>.Success(PromptView.FromEntity(prompt));
    }

    /// <summary>Checks and converts a WAV; a bad file gets an error under <c>file</c> and stores nothing.</summary>
    public async Task<OperationResult<PromptView>> UploadAsync(string? name, Stream? content, long? length, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var promptName = TextRules.ValidateName(name, "name", errors);
        if (content is null) errors.Add("file", "Choose a WAV file to upload.");
        else if (length > MaxUploadBytes) errors.Add("file", $"The file is {length} bytes; a prompt may be at most {MaxUploadBytes / (1024 * 1024)} MB.");
        if (errors.Any) return errors.ToResult<PromptView>();

        var bytes = await ReadBoundedAsync(content!, ct);
        if (bytes is null) return OperationResult<PromptView>.Invalid("file", $"The file is larger than {MaxUploadBytes / (1024 * 1024)} MB.");
        if (!WavFile.TryRead(bytes, out var audio, out var problem)) return OperationResult<PromptView>.Invalid("file", problem!);
        if (audio!.Duration > MaxDuration)
            return OperationResult<PromptView>.Invalid("file", $"The recording is {audio.Duration.TotalMinutes:0.#} minutes; a prompt may be at most {MaxDuration.TotalMinutes:0} minutes.");

        await using var db = organizationDb.Create();
        if (await db.Prompts.AnyAsync(p => p.Name == promptName, ct))
            return OperationResult<PromptView>.Conflict($"Another prompt is already named '{promptName}'.", "duplicate", "name");

        var samples = RationalResampler.Resample(audio.Samples, audio.SampleRate, PromptStore.StoredRate);
        var prompt = new Prompt
        {
            Id = Guid.NewGuid(),
            Name = promptName!,
            DurationMs = (int)Math.Round(samples.Length * 1000.0 / PromptStore.StoredRate),
            SourceFormat = $"{audio.SourceEncoding} {audio.SampleRate} Hz {(audio.SourceChannels == 1 ? "mono" : "stereo")}",
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Prompts.Add(prompt);
        audit.Record(db, "created", EntityType, prompt.Id, prompt.Name);
        await store.WriteAsync(organizationDb.OrganizationId, prompt.Id, samples, ct);
        try
        {
            if (!await db.TrySaveUniqueAsync(ct))
            {
                store.Delete(organizationDb.OrganizationId, prompt.Id);
                return OperationResult<PromptView>.Conflict($"Another prompt is already named '{promptName}'.", "duplicate", "name");
            }
        }
        catch
        {
            store.Delete(organizationDb.OrganizationId, prompt.Id);
            throw;
        }
        return OperationResult<PromptView>.Success(PromptView.FromEntity(prompt));
    }

    /// <summary>Refused while a workflow's play step uses the prompt; the message names the workflows.</summary>
    public async Task<OperationResult<bool>> DeleteAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = organizationDb.Create();
        var prompt = await db.Prompts.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (prompt is null) return OperationResult<bool>.NotFound("Prompt not found.");
        var users = await WorkflowsUsingAsync(db, id, ct);
        if (users.Count > 0)
            return OperationResult<bool>.Conflict($"'{prompt.Name}' is played by {string.Join(", ", users.Select(u => $"'{u}'"))}. Remove it from those workflows first.", "prompt_in_use");
        db.Prompts.Remove(prompt);
        audit.Record(db, "deleted", EntityType, prompt.Id, prompt.Name);
        await db.SaveChangesAsync(ct);
        store.Delete(organizationDb.OrganizationId, id);
        return OperationResult<bool>.Success(true);
    }

    private static async Task<List<string>> WorkflowsUsingAsync(DograhDbContext db, Guid promptId, CancellationToken ct)
    {
        var needle = promptId.ToString();
        var candidates = await db.Workflows.AsNoTracking().Select(w => new { w.Name, w.DefinitionJson }).ToListAsync(ct);
        var names = new List<string>();
        foreach (var workflow in candidates)
        {
            if (!workflow.DefinitionJson.Contains(needle, StringComparison.OrdinalIgnoreCase)) continue;
            if (WorkflowDefinitionParser.TryParse(workflow.DefinitionJson, new ValidationErrors(), "definition", out var definition)
                && definition!.PromptIds().Contains(promptId))
                names.Add(workflow.Name);
        }
        return names.Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream content, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxUploadBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static OperationResult<PromptView> NotFound() => OperationResult<PromptView>.NotFound("Prompt not found.");
}
