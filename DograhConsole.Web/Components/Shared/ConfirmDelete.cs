using Radzen;

namespace DograhConsole.Web.Components.Shared;

/// <summary>The one confirmation every delete asks for.</summary>
public static class ConfirmDelete
{
    public static Task<bool?> AskAsync(DialogService dialogs, string kind, string name) =>
        dialogs.Confirm($"Delete {kind} '{name}'? This cannot be undone.", $"Delete {kind}",
            new ConfirmOptions { OkButtonText = "Delete", CancelButtonText = "Cancel", CloseDialogOnEsc = true });
}
