using System.Reflection;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>
/// Every test class says what kind of test it is, as a <c>Category</c> trait: <c>Unit</c> (starts no app, server or
/// browser: <c>--filter Category=Unit</c> is the fast loop), <c>Host</c> (starts the app or any loopback server),
/// <c>Browser</c> (Playwright) or <c>Benchmark</c> (opt-in). So the four filters together run every test.
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestCategoryTests
{
    private static readonly string[] Categories = ["Unit", "Host", "Browser", "Benchmark"];

    [Fact]
    public void Every_test_class_has_exactly_one_category_of_the_four_and_no_test_method_adds_one()
    {
        var testClasses = typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && TestMethods(t).Any())
            .ToList();
        Assert.NotEmpty(testClasses);
        var wrong = testClasses
            .Select(t => (Type: t, Categories: CategoriesOf(t)))
            .Where(c => c.Categories.Count != 1 || !Categories.Contains(c.Categories[0]))
            .Select(c => $"{c.Type.FullName}: [{string.Join(", ", c.Categories)}]")
            .Concat(testClasses.SelectMany(TestMethods).Where(m => CategoriesOf(m).Count > 0).Select(m => $"{m.DeclaringType!.FullName}.{m.Name} has its own Category"))
            .ToList();
        Assert.True(wrong.Count == 0, "Each test class needs exactly one [Trait(\"Category\", X)] with X one of "
            + string.Join(", ", Categories) + ":\n" + string.Join("\n", wrong));
    }

    private static IEnumerable<MethodInfo> TestMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.IsDefined(typeof(FactAttribute), inherit: true));

    private static List<string?> CategoriesOf(MemberInfo member) => member.GetCustomAttributesData()
        .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Category")
        .Select(a => (string?)a.ConstructorArguments[1].Value)
        .ToList();
}
