using MudBlazor;

namespace DograhConsole.Web.Components.Shared;

/// <summary>The one confirmation every delete asks for.</summary>
public static class ConfirmDelete
{
    public static Task<bool> AskAsync(IDialogService dialogs, string kind, string name) =>
        ConfirmDialog.AskAsync(dialogs, $"Delete {kind}", $"Delete {kind} '{name}'? This cannot be undone.", "Delete");
}
