using DograhConsole.Core.Common;

namespace DograhConsole.Tests.Common;

[Trait("Category", "Unit")]
public sealed class OperationResultTests
{
    [Fact]
    public void A_single_conflict_alone_becomes_a_409_style_conflict_naming_the_field()
    {
        var errors = new ValidationErrors();
        errors.AddConflict("name", "Another configuration is already named 'Main'.");
        var result = errors.ToResult<int>();

        Assert.Equal(OperationFailure.Conflict, result.Failure);
        Assert.False(result.Succeeded);
        Assert.Equal("duplicate", result.Code);
        Assert.Equal("Another configuration is already named 'Main'.", result.Message);
        Assert.Equal(new[] { "name" }, result.Errors.Keys);
    }

    [Fact]
    public void A_conflict_together_with_an_invalid_field_is_reported_as_invalid_with_both()
    {
        var errors = new ValidationErrors();
        errors.AddConflict("name", "Taken.");
        errors.Add("credentials.authToken", "Auth token is required.");
        var result = errors.ToResult<int>();

        Assert.Equal(OperationFailure.Invalid, result.Failure);
        Assert.Equal("validation_failed", result.Code);
        Assert.Equal(new[] { "credentials.authToken", "name" }, result.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_conflict_on_a_field_that_is_also_invalid_is_reported_as_invalid()
    {
        var errors = new ValidationErrors();
        errors.Add("address", "Too long.");
        errors.AddConflict("address", "Already registered.");
        var result = errors.ToResult<int>();

        Assert.Equal(OperationFailure.Invalid, result.Failure);
        Assert.Equal(2, result.Errors["address"].Length);
    }

    [Fact]
    public void Two_conflicts_are_reported_as_invalid_with_both_fields()
    {
        var errors = new ValidationErrors();
        errors.AddConflict("name", "Name taken.");
        errors.AddConflict("credentials.stasisAppName", "App name taken.");
        var result = errors.ToResult<int>();

        Assert.Equal(OperationFailure.Invalid, result.Failure);
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void Only_invalid_fields_are_a_validation_failure()
    {
        var errors = new ValidationErrors();
        errors.Add("name", "A name is required.");
        errors.Add("name", "Second problem.");
        var result = errors.ToResult<string>();

        Assert.Equal(OperationFailure.Invalid, result.Failure);
        Assert.Equal(new[] { "A name is required.", "Second problem." }, result.Errors["name"]);
        Assert.Equal("A name is required. Second problem.", result.Describe());
    }

    [Fact]
    public void Describe_prefers_field_errors_then_the_message()
    {
        Assert.Equal("Workflow not found.", OperationResult<int>.NotFound("Workflow not found.").Describe());
        Assert.Equal("Clash.", OperationResult<int>.Conflict("Clash.", "duplicate", "address").Describe());
        Assert.Equal("", OperationResult<int>.Success(1).Describe());
    }

    [Fact]
    public void Conflict_without_a_field_has_no_field_errors()
    {
        var result = OperationResult<bool>.Conflict("In use.", "configuration_in_use");
        Assert.Empty(result.Errors);
        Assert.Equal("configuration_in_use", result.Code);
    }

    [Fact]
    public void Map_carries_failures_over_unchanged_and_maps_success()
    {
        var failure = OperationResult<int>.Conflict("Clash.", "duplicate", "address").Map(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(OperationFailure.Conflict, failure.Failure);
        Assert.Equal("duplicate", failure.Code);
        Assert.Equal("Clash.", failure.Message);
        Assert.Equal(new[] { "address" }, failure.Errors.Keys);

        var success = OperationResult<int>.Success(42).Map(v => v * 2);
        Assert.True(success.Succeeded);
        Assert.Equal(84, success.Value);
    }

    [Fact]
    public void Validation_errors_report_what_they_hold()
    {
        var errors = new ValidationErrors();
        Assert.False(errors.Any);
        Assert.Null(errors.Conflict);
        errors.AddConflict("name", "first");
        errors.AddConflict("address", "second");
        Assert.True(errors.Any);
        Assert.True(errors.Has("address"));
        Assert.False(errors.Has("label"));
        Assert.Equal(("name", "first"), errors.Conflict);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void TextRules_requires_a_name(string? name)
    {
        var errors = new ValidationErrors();
        Assert.Null(TextRules.ValidateName(name, "name", errors));
        Assert.True(errors.Has("name"));
    }

    [Fact]
    public void TextRules_allows_100_characters_after_trimming_and_refuses_101()
    {
        var errors = new ValidationErrors();
        Assert.Equal(new string('n', 100), TextRules.ValidateName("  " + new string('n', 100) + "  ", "name", errors));
        Assert.False(errors.Any);

        Assert.Null(TextRules.ValidateName(new string('n', 101), "name", errors));
        Assert.Contains("101", errors.ToDictionary()["name"][0]);
    }

    [Fact]
    public void TextRules_refuses_control_characters()
    {
        var errors = new ValidationErrors();
        Assert.Null(TextRules.ValidateName("Main\nline", "name", errors));
        Assert.True(errors.Has("name"));
    }
}
