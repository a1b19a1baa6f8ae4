namespace DograhConsole.Core.CallControl.Listening;

/// <summary>What a listener hears of a call: both directions mixed, or one side.</summary>
public enum ListenSide
{
    Both,
    Caller,
    Agent,
}
