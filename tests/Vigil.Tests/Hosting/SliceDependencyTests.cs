using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Vigil.Tests.Hosting;

/// <summary>
/// DESIGN.md: "A slice owns its tables and talks to another slice through a small, explicit call or
/// an event [...]; two slices never import each other (no cycles)." Read from the compiled vigil.dll:
/// every type a slice's code names (signatures, base types, locals, and the types, methods and fields
/// its IL uses, generic arguments included) counts as a dependency of that slice on the other's.
/// </summary>
public sealed class SliceDependencyTests
{
    /// <summary>
    /// Pairs of slices that still depend on each other, as found when this check was written
    /// (2026-12-07, after Access, StatusPage, Outbound and Cluster were taken out of theirs). None may be added, and
    /// one that no longer holds must be taken off (the test fails either way). Most are one of:
    /// - a console page of one slice showing another's rows (the catalog's service page: its
    ///   monitors, SLOs, runbooks, deployments, alerts), where the other names the service;
    ///   the way out is the System page's: sections the other slices contribute (ISystemSection);
    /// - the dispatcher (routing, grouping) writing the outbox while the channels' failures come
    ///   back as alerts through IAlertIngest. DESIGN puts routing in Notifications.
    /// </summary>
    private static readonly string[] Known =
    [
        "Alerting<->Catalog",
        "Alerting<->Notifications",
        "Catalog<->Deployments",
        "Catalog<->Monitors",
        "Catalog<->Runbooks",
        "Catalog<->Slos",
        "Deployments<->Incidents",
        "Deployments<->Metrics",
        "Incidents<->Runbooks",
    ];

    [Fact]
    public void No_two_feature_slices_depend_on_each_other()
    {
        var edges = SliceEdges(typeof(Vigil.Features.Access.PersonalData).Assembly.Location);
        var mutual = edges.Keys
            .Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.ContainsKey((e.To, e.From)))
            .Select(e => $"{e.From}<->{e.To}")
            .Order(StringComparer.Ordinal)
            .ToList();

        var added = mutual.Except(Known).Select(pair =>
        {
            var (a, b) = (pair[..pair.IndexOf('<', StringComparison.Ordinal)], pair[(pair.IndexOf('>', StringComparison.Ordinal) + 1)..]);
            return $"{pair}: {a} -> {b} in {string.Join(", ", edges[(a, b)].Take(3))}; {b} -> {a} in {string.Join(", ", edges[(b, a)].Take(3))}";
        }).ToList();
        Assert.True(added.Count == 0, "slices that depend on each other:\n" + string.Join('\n', added));
        Assert.Empty(Known.Except(mutual));
    }

    [Fact]
    public void The_reader_sees_a_dependency_named_only_inside_a_method_body()
    {
        // Access's personal-data export reads other slices' rows only through IPersonalDataHolder;
        // the check must see the ones a body names, such as db.Set<T>() with a slice's entity.
        var edges = SliceEdges(typeof(Vigil.Features.Access.PersonalData).Assembly.Location);
        Assert.Contains(edges[("OnCall", "Access")], t => t.Contains("OnCallPersonalData", StringComparison.Ordinal));
        Assert.False(edges.ContainsKey(("Access", "OnCall")));
        // Dispatch names ClusterMembership only as a constructor parameter (Cluster.ClusterMembership).
        Assert.Contains(edges[("Alerting", "Cluster")], t => t.Contains("DispatchAlerts", StringComparison.Ordinal));
    }

    /// <summary>From slice, to slice: the types of the first whose code names the second.</summary>
    private static Dictionary<(string From, string To), SortedSet<string>> SliceEdges(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var names = new SliceOf(md);
        var signatures = new SignatureSlices(names);
        var edges = new Dictionary<(string, string), SortedSet<string>>();
        foreach (var handle in md.TypeDefinitions)
        {
            var from = names.Of(handle);
            if (from is null)
            {
                continue;
            }
            var type = md.GetTypeDefinition(handle);
            var found = new HashSet<string>(StringComparer.Ordinal);
            void Named(EntityHandle h)
            {
                if (!h.IsNil)
                {
                    found.UnionWith(names.OfEntity(h, signatures));
                }
            }
            Named(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                Named(md.GetInterfaceImplementation(i).Interface);
            }
            foreach (var f in type.GetFields())
            {
                found.UnionWith(md.GetFieldDefinition(f).DecodeSignature(signatures, null));
            }
            foreach (var p in type.GetProperties())
            {
                found.UnionWith(Flatten(md.GetPropertyDefinition(p).DecodeSignature(signatures, null)));
            }
            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                found.UnionWith(Flatten(method.DecodeSignature(signatures, null)));
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(signatures, null))
                    {
                        found.UnionWith(local);
                    }
                }
                foreach (var token in Tokens(body.GetILReader()))
                {
                    Named(token);
                }
            }
            var typeName = names.FullName(handle);
            foreach (var to in found.Where(to => to != from))
            {
                if (!edges.TryGetValue((from, to), out var types))
                {
                    edges[(from, to)] = types = new SortedSet<string>(StringComparer.Ordinal);
                }
                types.Add(typeName);
            }
        }
        return edges;
    }

    private static IEnumerable<string> Flatten(MethodSignature<ImmutableHashSet<string>> signature) =>
        signature.ParameterTypes.Aggregate(signature.ReturnType, (all, p) => all.Union(p));

    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>The metadata tokens (types, methods, fields) a method body's IL refers to.</summary>
    private static List<EntityHandle> Tokens(BlobReader il)
    {
        var tokens = new List<EntityHandle>();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }
            switch (Operands[value])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    tokens.Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    // The count first, then that many targets (read apart: `Offset += Read...` would take the offset before the read).
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                default:
                    il.Offset += 4;
                    break;
            }
        }
        return tokens;
    }

    /// <summary>The slice (Vigil.Features.X...) of a type defined in the assembly, and of what a token names.</summary>
    private sealed class SliceOf(MetadataReader md)
    {
        private const string Prefix = "Vigil.Features.";

        public string? Of(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            while (type.GetDeclaringType() is { IsNil: false } outer)
            {
                type = md.GetTypeDefinition(outer);
            }
            var ns = md.GetString(type.Namespace);
            if (!ns.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return null;
            }
            var rest = ns[Prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? rest : rest[..dot];
        }

        public string FullName(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            var name = md.GetString(type.Name);
            return type.GetDeclaringType() is { IsNil: false } outer ? FullName(outer) + "+" + name : md.GetString(type.Namespace) + "." + name;
        }

        public ImmutableHashSet<string> OfEntity(EntityHandle handle, SignatureSlices signatures)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return Of((TypeDefinitionHandle)handle) is { } slice ? [slice] : [];
                case HandleKind.TypeSpecification:
                    return md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(signatures, null);
                case HandleKind.MethodDefinition:
                    var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return OfEntity(method.GetDeclaringType(), signatures);
                case HandleKind.FieldDefinition:
                    return OfEntity(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), signatures);
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return spec.DecodeSignature(signatures, null).Aggregate(OfEntity(spec.Method, signatures), (all, t) => all.Union(t));
                case HandleKind.MemberReference:
                    var member = md.GetMemberReference((MemberReferenceHandle)handle);
                    var owner = member.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeSpecification or HandleKind.MethodDefinition
                        ? OfEntity(member.Parent, signatures)
                        : [];
                    return member.GetKind() == MemberReferenceKind.Method
                        ? owner.Union(Flatten(member.DecodeMethodSignature(signatures, null)))
                        : owner.Union(member.DecodeFieldSignature(signatures, null));
                default:
                    return [];
            }
        }
    }

    /// <summary>Decodes a signature to the slices of the assembly's own types it names.</summary>
    private sealed class SignatureSlices(SliceOf names) : ISignatureTypeProvider<ImmutableHashSet<string>, object?>
    {
        private static readonly ImmutableHashSet<string> None = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

        public ImmutableHashSet<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            names.Of(handle) is { } slice ? None.Add(slice) : None;

        public ImmutableHashSet<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableHashSet<string> GetGenericInstantiation(ImmutableHashSet<string> genericType, ImmutableArray<ImmutableHashSet<string>> typeArguments) =>
            typeArguments.Aggregate(genericType, (all, t) => all.Union(t));

        public ImmutableHashSet<string> GetFunctionPointerType(MethodSignature<ImmutableHashSet<string>> signature) => [.. Flatten(signature)];

        public ImmutableHashSet<string> GetModifiedType(ImmutableHashSet<string> modifier, ImmutableHashSet<string> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableHashSet<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => None;
        public ImmutableHashSet<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableHashSet<string> GetGenericMethodParameter(object? genericContext, int index) => None;
        public ImmutableHashSet<string> GetGenericTypeParameter(object? genericContext, int index) => None;
        public ImmutableHashSet<string> GetSZArrayType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetArrayType(ImmutableHashSet<string> elementType, ArrayShape shape) => elementType;
        public ImmutableHashSet<string> GetByReferenceType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetPointerType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetPinnedType(ImmutableHashSet<string> elementType) => elementType;
    }
}
