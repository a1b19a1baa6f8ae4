namespace DograhConsole.Core.Media.Sessions;

/// <summary>The sixteen DTMF digits: 0-9, *, #, A-D.</summary>
public static class DtmfDigits
{
    /// <summary>Accepts a DTMF digit (a-d in either case) and returns it in canonical form (A-D upper case).</summary>
    public static bool TryNormalize(char digit, out char normalized)
    {
        normalized = digit switch
        {
            >= '0' and <= '9' or '*' or '#' or >= 'A' and <= 'D' => digit,
            >= 'a' and <= 'd' => char.ToUpperInvariant(digit),
            _ => '\0',
        };
        return normalized != '\0';
    }
}
