using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Workflows.Prompts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

[Trait("Category", "Browser")]
public sealed class PromptsBrowserTests
{
    [Fact]
    public async Task Admin_uploads_a_wav_prompt_sees_it_listed_with_its_length_and_a_broken_file_is_refused_with_the_reason()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.GotoAsync("/prompts");
        await browser.WaitForInteractiveAsync();
        await Expect(page.GetByText("No prompts yet")).ToBeVisibleAsync();

        // Half a second of 16-bit 8 kHz mono.
        var samples = Enumerable.Range(0, 4000).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0))).ToArray();
        var wav = PromptUploadTests.WavBytes(PromptUploadTests.Pcm16Bytes(samples), 8000, 1, 1, 16);
        await page.SetInputFilesAsync("#prompt-file", new FilePayload { Name = "welcome.wav", MimeType = "audio/wav", Buffer = wav });
        await Expect(page.Locator("#prompt-name")).ToHaveValueAsync("welcome");
        await page.ClickAsync("#upload-prompt");

        var row = page.Locator("#prompts-table tbody tr").Filter(new LocatorFilterOptions { HasText = "welcome" });
        await Expect(row).ToContainTextAsync("0:00.5");
        await Expect(row).ToContainTextAsync("8000");
        await browser.ScreenshotAsync("60-prompts");

        await page.SetInputFilesAsync("#prompt-file", new FilePayload { Name = "notes.wav", MimeType = "audio/wav", Buffer = "this is not audio"u8.ToArray() });
        await page.ClickAsync("#upload-prompt");
        await Expect(page.Locator("#prompt-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#prompts-table tbody tr")).ToHaveCountAsync(1);
    }
}
