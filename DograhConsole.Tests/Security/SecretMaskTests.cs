using DograhConsole.Core.Security;

namespace DograhConsole.Tests.Security;

[Trait("Category", "Unit")]
public sealed class SecretMaskTests
{
    private static string Revealed(string mask)
    {
        Assert.StartsWith(SecretMask.Bullets, mask);
        return mask[SecretMask.Bullets.Length..];
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(1700)]
    public void Long_secrets_reveal_only_their_last_four_characters(int length)
    {
        var secret = new string('x', length - 4) + "9Zq7";
        var mask = SecretMask.Mask(secret);
        Assert.Equal("9Zq7", Revealed(mask));
        Assert.DoesNotContain(secret, mask);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(15)]
    public void Medium_secrets_reveal_two_characters_at_most_a_quarter(int length)
    {
        var secret = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i)));
        var revealed = Revealed(SecretMask.Mask(secret));
        Assert.Equal(secret[^2..], revealed);
        Assert.True(revealed.Length * 4 <= length);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("abc")]
    [InlineData("pass123")]
    public void Short_secrets_reveal_nothing(string secret)
    {
        Assert.Equal(SecretMask.Bullets, SecretMask.Mask(secret));
    }

    [Fact]
    public void The_mask_never_reveals_more_than_four_characters_of_any_length()
    {
        for (var length = 1; length <= 80; length++)
        {
            var secret = string.Concat(Enumerable.Range(0, length).Select(i => (char)('A' + i % 26)));
            var revealed = Revealed(SecretMask.Mask(secret));
            Assert.True(revealed.Length <= 4, $"{revealed.Length} characters shown for a {length}-character secret");
            Assert.True(revealed.Length * 4 <= length, $"{revealed.Length} characters shown for a {length}-character secret");
            Assert.EndsWith(revealed, secret);
        }
    }

    [Fact]
    public void Trailing_whitespace_does_not_count_towards_what_is_revealed()
    {
        // 7 characters and padding: still a short secret, so nothing shows.
        Assert.Equal(SecretMask.Bullets, SecretMask.Mask("abcdefg          "));
        Assert.Equal("wxyz", Revealed(SecretMask.Mask("abcdefghijklmnopqrstuvwxyz   ")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Nothing_stored_masks_to_nothing(string? secret)
    {
        Assert.Equal("", SecretMask.Mask(secret));
    }

    [Fact]
    public void IsUnchanged_recognises_the_mask_of_the_stored_secret()
    {
        const string stored = "0123456789abcdefWXYZ";
        Assert.True(SecretMask.IsUnchanged(SecretMask.Mask(stored), stored));
    }

    [Fact]
    public void IsUnchanged_is_false_for_a_new_value_or_a_mask_of_something_else()
    {
        const string stored = "0123456789abcdefWXYZ";
        Assert.False(SecretMask.IsUnchanged("a-brand-new-secret-value", stored));
        Assert.False(SecretMask.IsUnchanged(SecretMask.Bullets + "ABCD", stored));
        Assert.False(SecretMask.IsUnchanged(SecretMask.Bullets, stored));
        Assert.False(SecretMask.IsUnchanged(stored, stored)); // the secret itself is a (re)submitted value, not the mask
        Assert.False(SecretMask.IsUnchanged(null, stored));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void IsUnchanged_is_false_when_nothing_is_stored(string? stored)
    {
        Assert.False(SecretMask.IsUnchanged(SecretMask.Bullets, stored));
        Assert.False(SecretMask.IsUnchanged("", stored));
    }
}
