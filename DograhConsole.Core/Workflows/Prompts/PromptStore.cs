using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DograhConsole.Core.Workflows.Prompts;

/// <summary>
/// The prompt audio files, and system-level reads for the workflow runtime (scoped to the call's organization by
/// the caller). Files are <c>{data}/prompts/{organization}/{prompt}.wav</c>, mono PCM16 at <see cref="StoredRate"/>.
/// </summary>
public sealed class PromptStore(IDbContextFactory<DograhDbContext> dbFactory, IOptions<DograhOptions> options)
{
    /// <summary>The widest rate a call uses (Vonage's 16 kHz), so a prompt is only ever resampled down.</summary>
    public const int StoredRate = AudioFormat.WidebandRate;
    public const string Folder = "prompts";

    public string PathOf(Guid organizationId, Guid promptId) =>
        Path.Combine(options.Value.ResolveDataDirectory(), Folder, organizationId.ToString("N"), promptId.ToString("N") + ".wav");

    /// <summary>The prompt's audio at <paramref name="sampleRate"/>; null when the organization has no such prompt or its file is gone.</summary>
    public async Task<short[]?> LoadAsync(Guid organizationId, Guid promptId, int sampleRate, CancellationToken ct = default)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (!await db.Prompts.IgnoreQueryFilters().AnyAsync(p => p.Id == promptId && p.OrganizationId == organizationId, ct)) return null;
        }
        var path = PathOf(organizationId, promptId);
        if (!File.Exists(path)) return null;
        var bytes = await File.ReadAllBytesAsync(path, ct);
        if (!WavFile.TryRead(bytes, out var audio, out _)) return null;
        return RationalResampler.Resample(audio!.Samples, audio.SampleRate, sampleRate);
    }

    internal async Task WriteAsync(Guid organizationId, Guid promptId, short[] samples, CancellationToken ct)
    {
        var path = PathOf(organizationId, promptId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, WavFile.Write(samples, StoredRate), ct);
        File.Move(temporary, path, overwrite: true);
    }

    internal void Delete(Guid organizationId, Guid promptId)
    {
        var path = PathOf(organizationId, promptId);
        if (File.Exists(path)) File.Delete(path);
    }
}
