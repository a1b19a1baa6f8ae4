using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Workflows.Prompts;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.WorkflowRuntime;

namespace DograhConsole.Tests.Workflows.Prompts;

[Trait("Category", "Host")]
public sealed class PromptUploadTests(RuntimeFixture fixture) : IClassFixture<RuntimeFixture>
{
    /// <summary>A WAV file with any header values, for good and bad uploads.</summary>
    public static byte[] WavBytes(byte[] data, int rate, int channels, ushort format, ushort bits, int? declaredDataLength = null)
    {
        var file = new byte[44 + data.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(4), 36 + data.Length);
        "WAVEfmt "u8.CopyTo(file.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(20), format);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(28), rate * channels * bits / 8);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(32), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(34), bits);
        "data"u8.CopyTo(file.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(40), declaredDataLength ?? data.Length);
        data.CopyTo(file, 44);
        return file;
    }

    public static byte[] Pcm16Bytes(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        Pcm16.SamplesToBytes(samples, bytes);
        return bytes;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(string name, byte[] file)
    {
        using var content = WavSamples.Upload(name, file);
        using var response = await fixture.Api.PostAsync("/api/v1/prompts", content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Theory]
    [InlineData(8000, 1, "pcm16")]
    [InlineData(44100, 2, "pcm16")]
    [InlineData(22050, 1, "pcm8")]
    [InlineData(8000, 1, "alaw")]
    public async Task A_WAV_is_converted_to_mono_16_kHz_and_listed(int rate, int channels, string encoding)
    {
        var tone = WavSamples.Tone(rate, 440, 0.5);
        var interleaved = tone.SelectMany(s => Enumerable.Repeat(s, channels)).ToArray();
        byte[] file = encoding switch
        {
            "pcm16" => WavBytes(Pcm16Bytes(interleaved), rate, channels, 1, 16),
            "pcm8" => WavBytes(interleaved.Select(s => (byte)((s >> 8) + 128)).ToArray(), rate, channels, 1, 8),
            _ => WavBytes(interleaved.Select(ALaw.EncodeSample).ToArray(), rate, channels, 6, 8),
        };
        var name = Samples.UniqueName("greeting");

        var (status, body) = await UploadAsync(name, file);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.InRange(body.GetProperty("durationMs").GetInt32(), 495, 505);
        var id = body.GetProperty("id").GetGuid();
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<PromptStore>(fixture.Services);
        Assert.True(WavFile.TryRead(await File.ReadAllBytesAsync(store.PathOf(fixture.OrganizationId, id)), out var stored, out _));
        Assert.Equal(16000, stored!.SampleRate);
        Assert.Equal(1, stored.SourceChannels);
        Assert.InRange(WavSamples.Frequency(stored.Samples.AsSpan(800, 6400), 16000), 430, 450);
        var list = await fixture.Api.ApiGetAsync("/api/v1/prompts");
        Assert.Contains(name, list.Text);
    }

    public static TheoryData<string, byte[], string> BadFiles() => new()
    {
        { "not a WAV", "hello, this is a text file"u8.ToArray(), "not a WAV file" },
        { "truncated", WavBytes(new byte[1000], 8000, 1, 1, 16, declaredDataLength: 16000), "truncated" },
        { "header only", WavBytes([], 8000, 1, 1, 16, declaredDataLength: 0)[..30], "truncated" },
        { "float", WavBytes(new byte[4000], 8000, 1, 3, 32), "32-bit float" },
        { "24-bit", WavBytes(new byte[3000], 8000, 1, 1, 24), "24-bit PCM" },
        { "6 channels", WavBytes(new byte[12000], 8000, 6, 1, 16), "6 channels" },
        { "96 kHz", WavBytes(new byte[4000], 96000, 1, 1, 16), "96000 Hz" },
        { "too big", WavBytes(new byte[PromptService.MaxUploadBytes], 16000, 1, 1, 16), "at most 10 MB" },
    };

    [Theory]
    // Not enumerated at discovery: xunit would serialize the 10 MB file into the test case (gigabytes of test-host memory).
    [MemberData(nameof(BadFiles), DisableDiscoveryEnumeration = true)]
    public async Task A_bad_file_is_refused_with_the_reason_and_nothing_is_stored(string label, byte[] file, string reason)
    {
        var name = Samples.UniqueName("bad " + label);
        var folder = Path.Combine(fixture.Parent.DataDirectory, PromptStore.Folder, fixture.OrganizationId.ToString("N"));
        var filesBefore = Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;

        var (status, body) = await UploadAsync(name, file);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, body.GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.DoesNotContain(name, (await fixture.Api.ApiGetAsync("/api/v1/prompts")).Text);
        Assert.Equal(filesBefore, Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0);
    }

    [Fact]
    public async Task A_play_step_needs_an_existing_prompt_and_a_used_prompt_cannot_be_deleted()
    {
        var missing = Guid.NewGuid();
        var refused = await fixture.Api.ApiPostAsync(ApiCalls.Workflows, new
        {
            name = Samples.UniqueName("wf"),
            definition = $$"""{"steps":[{"type":"say","text":"hi"},{"id":"jingle","type":"play","promptId":"{{missing}}"}]}""",
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains($"Step 2 ('jingle'): prompt {missing} does not exist", refused.ErrorText("definition.steps[1].promptId"));

        var (_, prompt) = await UploadAsync(Samples.UniqueName("jingle"), WavBytes(Pcm16Bytes(WavSamples.Tone(8000, 300, 0.2)), 8000, 1, 1, 16));
        var promptId = prompt.GetProperty("id").GetGuid();
        var workflowName = Samples.UniqueName("uses jingle");
        var created = await fixture.Api.ApiPostAsync(ApiCalls.Workflows, new { name = workflowName, definition = $$"""{"steps":[{"type":"play","promptId":"{{promptId}}"}]}""" });
        Assert.Equal(HttpStatusCode.Created, created.Status);

        var inUse = await fixture.Api.ApiSendAsync(HttpMethod.Delete, $"/api/v1/prompts/{promptId}");
        Assert.Equal(HttpStatusCode.Conflict, inUse.Status);
        Assert.Contains(workflowName, inUse.Detail);

        (await fixture.Api.ApiSendAsync(HttpMethod.Delete, $"{ApiCalls.Workflows}/{created.Id}")).Expect(HttpStatusCode.NoContent);
        (await fixture.Api.ApiSendAsync(HttpMethod.Delete, $"/api/v1/prompts/{promptId}")).Expect(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Api.ApiGetAsync($"/api/v1/prompts/{promptId}")).Status);
    }

    [Fact]
    public async Task Another_organization_cannot_see_or_play_the_prompt()
    {
        var (_, prompt) = await UploadAsync(Samples.UniqueName("private"), WavBytes(Pcm16Bytes(WavSamples.Tone(8000, 300, 0.2)), 8000, 1, 1, 16));
        var promptId = prompt.GetProperty("id").GetGuid();
        var (_, _, other) = await fixture.NewOrganizationAsync(5);
        using var _ = other;

        Assert.Equal(HttpStatusCode.NotFound, (await other.ApiGetAsync($"/api/v1/prompts/{promptId}")).Status);
        var refused = await other.ApiPostAsync(ApiCalls.Workflows, new { name = "steal", definition = $$"""{"steps":[{"type":"play","promptId":"{{promptId}}"}]}""" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
    }
}
