using DograhConsole.Core.Workflows.Definition;

namespace DograhConsole.Tests.Workflows.Definition;

[Trait("Category", "Unit")]
public sealed class TemplateRendererTests
{
    private static readonly Dictionary<string, string?> Context = new(StringComparer.Ordinal)
    {
        ["caller_number"] = "+14155550100",
        ["first_name"] = "Ada",
        ["contact.city"] = "Paris",
        ["nothing"] = null,
        ["empty"] = "",
    };

    private static (string Text, IReadOnlyList<string> Missing) Render(string template)
    {
        var text = TemplateRenderer.Render(template, Context, out var missing);
        return (text, missing);
    }

    [Theory]
    [InlineData("Hello {{first_name}}", "Hello Ada")]
    [InlineData("Hello {{ first_name }}!", "Hello Ada!")]
    [InlineData("{{\tfirst_name\n}}", "Ada")]
    [InlineData("{{first_name}} from {{contact.city}}, {{caller_number}}", "Ada from Paris, +14155550100")]
    [InlineData("{{first_name}}{{first_name}}", "AdaAda")]
    [InlineData("[{{empty}}]", "[]")]
    [InlineData("No placeholders", "No placeholders")]
    [InlineData("", "")]
    public void Present_variables_are_replaced(string template, string expected)
    {
        var (text, missing) = Render(template);
        Assert.Equal(expected, text);
        Assert.Empty(missing);
    }

    [Fact]
    public void Missing_and_null_variables_render_empty_and_are_reported_once_each()
    {
        var (text, missing) = Render("Hi {{ last_name }}{{nothing}}, {{last_name}} from {{first_name}} and {{zip}}");
        Assert.Equal("Hi ,  from Ada and ", text);
        Assert.Equal(["last_name", "nothing", "zip"], missing);
    }

    [Fact]
    public void Variable_names_are_matched_exactly()
    {
        var (text, missing) = Render("{{First_Name}}");
        Assert.Equal("", text);
        Assert.Equal(["First_Name"], missing);
    }

    [Theory]
    [InlineData("{{{{first_name}}", "{{first_name}}")]
    [InlineData("literal {{{{ and }}", "literal {{ and }}")]
    [InlineData("{{{{{{first_name}}", "{{Ada")]
    [InlineData("{{{first_name}}}", "{Ada}")]
    public void Four_braces_escape_two(string template, string expected)
    {
        Assert.Equal(expected, Render(template).Text);
    }

    [Theory]
    [InlineData("Hello {{first_name")]
    [InlineData("Hello {{")]
    [InlineData("{{first_name}} and {{ oops", "Ada and {{ oops")]
    [InlineData("{{}}")]
    [InlineData("{{ }}")]
    [InlineData("{{1abc}}")]
    [InlineData("{{.abc}}")]
    [InlineData("{{first name}}")]
    [InlineData("{{first-name}}")]
    [InlineData("{ first_name }")]
    [InlineData("}}first_name{{")]
    public void Unterminated_or_invalid_placeholders_stay_literal(string template, string? expected = null)
    {
        var (text, missing) = Render(template);
        Assert.Equal(expected ?? template, text);
        Assert.Empty(missing);
    }

    [Fact]
    public void Values_are_not_rendered_again()
    {
        var context = new Dictionary<string, string?> { ["a"] = "{{b}}", ["b"] = "no" };
        Assert.Equal("{{b}}", TemplateRenderer.Render("{{a}}", context, out var missing));
        Assert.Empty(missing);
    }

    [Fact]
    public void Variables_lists_each_name_once_in_order_of_use()
    {
        Assert.Equal(
            ["first_name", "contact.city", "_x1"],
            TemplateRenderer.Variables("{{first_name}} {{ contact.city }} {{first_name}} {{{{escaped}} {{_x1}} {{bad name}} {{open"));
        Assert.Empty(TemplateRenderer.Variables("plain"));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("_a.b_1", true)]
    [InlineData("A9", true)]
    [InlineData("9a", false)]
    [InlineData(".a", false)]
    [InlineData("a-b", false)]
    [InlineData("", false)]
    public void Variable_names_follow_the_documented_pattern(string name, bool valid)
    {
        Assert.Equal(valid, TemplateRenderer.IsVariableName(name));
    }

    [Theory]
    [InlineData("https://crm.test/lookup?caller={{v}}", "+14155550100&role=admin#", "https://crm.test/lookup?caller=%2B14155550100%26role%3Dadmin%23")]
    [InlineData("https://crm.test/people/{{v}}/calls", "../admin?x=1", "https://crm.test/people/..%2Fadmin%3Fx%3D1/calls")]
    [InlineData("https://crm.test/page#{{v}}", "a b", "https://crm.test/page#a%20b")]
    [InlineData("https://{{v}}.crm.test/", "evil.test/x@", "https://evil.test%2Fx%40.crm.test/")]
    [InlineData("{{v}}/lookup", "https://crm.test", "https://crm.test/lookup")]
    public void Values_in_a_url_are_encoded_for_where_they_land(string template, string value, string expected)
    {
        Assert.Equal(expected, TemplateRenderer.RenderUrl(template, new Dictionary<string, string?> { ["v"] = value }, out var missing));
        Assert.Empty(missing);
    }
}
