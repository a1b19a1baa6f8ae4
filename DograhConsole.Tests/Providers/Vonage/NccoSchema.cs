using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Vonage;

/// <summary>
/// A JSON Schema (draft-04) check of the subset ncco-schema.json uses: $ref to #/definitions, oneOf, allOf, type,
/// enum, required, properties, items, minItems, minLength, maxLength, pattern, minimum, maximum and format uri.
/// No library for it restores here, and the subset is small.
/// </summary>
public static class NccoSchema
{
    private static readonly Lazy<JsonObject?> Schema = new(() =>
        SharedSpecs.MissingReason("vonage") is null ? JsonNode.Parse(File.ReadAllText(SharedSpecs.PathOf("vonage", "ncco-schema.json")))!.AsObject() : null);

    public static bool Available => Schema.Value is not null;

    /// <summary>Every violation, with its JSON path; empty when valid.</summary>
    public static List<string> Validate(JsonNode? instance)
    {
        var errors = new List<string>();
        Check(Schema.Value ?? throw new InvalidOperationException("ncco-schema.json is not available."), instance, "$", errors);
        return errors;
    }

    public static void AssertValidIfSpecsPresent(string ncco)
    {
        if (!Available) return;
        var errors = Validate(JsonNode.Parse(ncco));
        Assert.True(errors.Count == 0, $"The NCCO {ncco} is not valid against ncco-schema.json:\n{string.Join("\n", errors)}");
    }

    private static void Check(JsonObject schema, JsonNode? value, string path, List<string> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            var name = ((string)reference!).Replace("#/definitions/", "");
            Check(Schema.Value!["definitions"]![name]!.AsObject(), value, path, errors);
        }
        if (schema["allOf"] is JsonArray all)
            foreach (var part in all) Check(part!.AsObject(), value, path, errors);
        if (schema["oneOf"] is JsonArray one)
        {
            var matching = one.Count(option => { var e = new List<string>(); Check(option!.AsObject(), value, path, e); return e.Count == 0; });
            if (matching != 1) errors.Add($"{path}: matches {matching} of the oneOf alternatives, not exactly one");
        }
        if (schema["enum"] is JsonArray choices && !choices.Any(c => JsonNode.DeepEquals(c, value)))
            errors.Add($"{path}: {value?.ToJsonString()} is not one of {choices.ToJsonString()}");
        if (schema["type"] is JsonValue type && !IsType(value, (string)type!))
        {
            errors.Add($"{path}: is not of type {(string)type!}");
            return;
        }
        switch (value)
        {
            case JsonObject obj:
                foreach (var required in schema["required"]?.AsArray() ?? [])
                    if (!obj.ContainsKey((string)required!)) errors.Add($"{path}: lacks required property {(string)required!}");
                if (schema["properties"] is JsonObject properties)
                    foreach (var (name, propertySchema) in properties)
                        if (obj.TryGetPropertyValue(name, out var property)) Check(propertySchema!.AsObject(), property, $"{path}.{name}", errors);
                break;
            case JsonArray array:
                if (schema["minItems"] is JsonValue minItems && array.Count < (int)minItems) errors.Add($"{path}: fewer than {(int)minItems} items");
                if (schema["items"] is JsonObject items)
                    for (var i = 0; i < array.Count; i++) Check(items, array[i], $"{path}[{i}]", errors);
                break;
            case JsonValue scalar when scalar.TryGetValue<string>(out var text):
                if (schema["minLength"] is JsonValue minLength && text.Length < (int)minLength) errors.Add($"{path}: shorter than {(int)minLength}");
                if (schema["maxLength"] is JsonValue maxLength && text.Length > (int)maxLength) errors.Add($"{path}: longer than {(int)maxLength}");
                if (schema["pattern"] is JsonValue pattern && !Regex.IsMatch(text, (string)pattern!)) errors.Add($"{path}: '{text}' does not match {(string)pattern!}");
                if ((string?)schema["format"] == "uri" && !Uri.TryCreate(text, UriKind.Absolute, out _)) errors.Add($"{path}: '{text}' is not a URI");
                break;
            case JsonValue number when number.TryGetValue<double>(out var n):
                if (schema["minimum"] is JsonValue minimum && n < (double)minimum) errors.Add($"{path}: {n.ToString(CultureInfo.InvariantCulture)} is below the minimum");
                if (schema["maximum"] is JsonValue maximum && n > (double)maximum) errors.Add($"{path}: {n.ToString(CultureInfo.InvariantCulture)} is above the maximum");
                break;
        }
    }

    private static bool IsType(JsonNode? value, string type) => type switch
    {
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.TryGetValue<string>(out _),
        "boolean" => value is JsonValue b && b.TryGetValue<bool>(out _),
        "integer" => value is JsonValue i && i.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon,
        "number" => value is JsonValue n && n.TryGetValue<double>(out _),
        _ => true,
    };
}
