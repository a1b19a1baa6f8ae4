using System.Reflection;
using System.Reflection.Emit;

namespace DograhConsole.Tests.Architecture;

/// <summary>
/// Reads which types a compiled type uses: its signatures (base type, interfaces, fields, properties,
/// parameters, return types, locals, attributes, generic arguments) and every type or member its IL
/// names. Nested compiler-generated types (lambdas, async state machines) count for the type they sit in.
/// </summary>
internal static class TypeReferenceReader
{
    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    public static IReadOnlySet<Type> TypesUsedBy(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? used)
        {
            if (used is null) return;
            if (used.HasElementType) { Add(used.GetElementType()); return; }
            if (used.IsGenericType && !used.IsGenericTypeDefinition)
            {
                foreach (var argument in used.GetGenericArguments()) Add(argument);
                Add(used.GetGenericTypeDefinition());
                return;
            }
            if (used.IsGenericParameter) return;
            found.Add(used);
        }
        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments) if (argument.Value is Type t) Add(t);
            }
        }

        Add(type.BaseType);
        foreach (var implemented in type.GetInterfaces()) Add(implemented);
        AddAttributes(type.CustomAttributes);
        foreach (var field in type.GetFields(Everything)) { Add(field.FieldType); AddAttributes(field.CustomAttributes); }
        foreach (var property in type.GetProperties(Everything)) { Add(property.PropertyType); AddAttributes(property.CustomAttributes); }
        foreach (var evt in type.GetEvents(Everything)) Add(evt.EventHandlerType);
        var methods = type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything));
        foreach (var method in methods)
        {
            if (method is MethodInfo info) Add(info.ReturnType);
            AddAttributes(method.CustomAttributes);
            foreach (var parameter in method.GetParameters()) Add(parameter.ParameterType);
            var body = method.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var member in MembersNamedInIl(method, body.GetILAsByteArray() ?? []))
            {
                switch (member)
                {
                    case Type t: Add(t); break;
                    case FieldInfo f: Add(f.DeclaringType); Add(f.FieldType); break;
                    case MethodInfo m:
                        Add(m.DeclaringType); Add(m.ReturnType);
                        if (m.IsGenericMethod) foreach (var argument in m.GetGenericArguments()) Add(argument);
                        break;
                    case ConstructorInfo c: Add(c.DeclaringType); break;
                }
            }
        }
        foreach (var nested in type.GetNestedTypes(Everything)) found.UnionWith(TypesUsedBy(nested));
        return found;
    }

    private static IEnumerable<MemberInfo> MembersNamedInIl(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE) value = (short)(0xFE00 | il[position++]);
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: position += 1; break;
                case OperandType.InlineVar: position += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: position += 8; break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, position);
                    position += 4 + 4 * count;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var token = BitConverter.ToInt32(il, position);
                    position += 4;
                    MemberInfo? member = null;
                    try { member = module.ResolveMember(token, typeArguments, methodArguments); }
                    catch (ArgumentException) { }
                    if (member is not null) yield return member;
                    break;
                default: position += 4; break;
            }
        }
    }
}
