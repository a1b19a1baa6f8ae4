using DograhConsole.Core.Common;
using DograhConsole.Core.Workflows.Editing;

namespace DograhConsole.Web.Components.Pages.Workflows.StepEditor;

public enum DefinitionTab
{
    Steps,
    Json,
}

/// <summary>
/// What the workflow page edits: the steps (a <see cref="WorkflowDraft"/>) and the JSON view of the same
/// definition, kept in step. Leaving the JSON view reads it back with the parser; text that does not parse keeps
/// the JSON view open with the errors. Secrets show masked in both views.
/// </summary>
public sealed class DefinitionEditorState
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    private string _savedJson = "";
    private string _jsonShown = "";
    private bool _stepsChangedBeforeJson;
    // The stored definition did not load into steps (a schema that grew stricter): only the JSON view can edit it.
    private bool _loadFailed;

    public WorkflowDraft Draft { get; private set; } = WorkflowDraft.Empty();
    public DefinitionTab Tab { get; private set; } = DefinitionTab.Steps;
    public string JsonText { get; set; } = "";
    /// <summary>Errors by the parser's path (<c>definition.steps[1].text</c>), from live checks or from the last save.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = NoErrors;
    /// <summary>The step whose form is open.</summary>
    public StepDraft? Selected { get; set; }

    public static DefinitionEditorState Load(string definition)
    {
        var state = new DefinitionEditorState();
        state.Reload(definition);
        return state;
    }

    /// <summary>Shows <paramref name="definition"/> (the stored one) as unchanged, keeping the open view and the selected position.</summary>
    public void Reload(string definition)
    {
        var errors = new ValidationErrors();
        var selectedIndex = Selected is null ? -1 : Draft.Steps.IndexOf(Selected);
        if (WorkflowDraft.TryLoad(definition, errors, out var draft))
        {
            _loadFailed = false;
            Draft = draft!;
            _savedJson = Draft.ToJson();
            Errors = Draft.Validate();
            Selected = selectedIndex >= 0 && selectedIndex < Draft.Steps.Count ? Draft.Steps[selectedIndex] : null;
            if (Tab == DefinitionTab.Json) ShowJson();
            return;
        }
        _loadFailed = true;
        Draft = WorkflowDraft.Empty();
        _savedJson = Draft.ToJson();
        Selected = null;
        Tab = DefinitionTab.Json;
        JsonText = _jsonShown = definition;
        _stepsChangedBeforeJson = false;
        Errors = errors.ToDictionary();
    }

    public bool IsDirty => Tab == DefinitionTab.Steps
        ? Draft.ToJson() != _savedJson
        : _stepsChangedBeforeJson || JsonText != _jsonShown;

    /// <summary>Re-checks the steps after a form changed them.</summary>
    public void StepsChanged() => Errors = Draft.Validate();

    /// <summary>Opens a view; false (with the errors) when the JSON view's text does not read back.</summary>
    public bool TrySwitchTo(DefinitionTab tab)
    {
        if (tab == Tab) return true;
        if (tab == DefinitionTab.Json)
        {
            _stepsChangedBeforeJson = IsDirty;
            ShowJson();
            return true;
        }
        if (!TryReadJson()) return false;
        Tab = DefinitionTab.Steps;
        return true;
    }

    /// <summary>The definition to save, or null when the JSON view's text does not read back (the errors say why).</summary>
    public string? DefinitionForSave()
    {
        if (Tab == DefinitionTab.Json && !TryReadJson()) return null;
        return Draft.ToJson();
    }

    /// <summary>Shows a failed save's definition errors on the steps or the JSON view.</summary>
    public void ShowSaveErrors(IReadOnlyDictionary<string, string[]> errors) =>
        Errors = errors.Where(e => e.Key.StartsWith(WorkflowDraft.Field, StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);

    /// <summary>The errors of one step, whatever field they are on.</summary>
    public IEnumerable<string> StepErrors(int index)
    {
        var path = WorkflowDraft.PathOf(index);
        return Errors.Where(e => e.Key == path || e.Key.StartsWith(path + ".", StringComparison.Ordinal)).SelectMany(e => e.Value);
    }

    /// <summary>Errors that belong to no single step (the definition as a whole).</summary>
    public IEnumerable<KeyValuePair<string, string[]>> DefinitionErrors() =>
        Errors.Where(e => !e.Key.StartsWith(WorkflowDraft.Field + ".steps[", StringComparison.Ordinal));

    private void ShowJson()
    {
        JsonText = _jsonShown = Draft.ToJson(maskSecrets: true);
        Tab = DefinitionTab.Json;
    }

    private bool TryReadJson()
    {
        if (JsonText == _jsonShown && !_loadFailed) return true;
        var errors = new ValidationErrors();
        if (!WorkflowDraft.TryLoad(JsonText, errors, out var draft, secretsFrom: Draft))
        {
            Errors = errors.ToDictionary();
            return false;
        }
        var selectedIndex = Selected is null ? -1 : Draft.Steps.IndexOf(Selected);
        Draft = draft!;
        _loadFailed = false;
        _jsonShown = JsonText = Draft.ToJson(maskSecrets: true);
        _stepsChangedBeforeJson = Draft.ToJson() != _savedJson;
        Errors = Draft.Validate();
        Selected = selectedIndex >= 0 && selectedIndex < Draft.Steps.Count ? Draft.Steps[selectedIndex] : null;
        return true;
    }
}
