using System.Reflection;
using Vigil.Configuration;
using YamlDotNet.RepresentationModel;

namespace Vigil.Tests.Configuration;

// Configurations are bound side by side: a reload while the console parses a monitor form's steps,
// or test servers starting together. Reflection's nullability reader caches as it goes and is not
// thread-safe; one shared reader once threw "An item with the same key has already been added".
public class ParallelBindingTests
{
    public sealed class Holder<T>
    {
        public string? Name { get; set; }
        public List<string> Items { get; set; } = [];
    }

    [Fact]
    public void Binders_running_at_once_on_types_never_bound_before_all_succeed()
    {
        // The reader's cache is filled on a type's first use, so each round binds a type nobody has
        // bound yet (a fresh instantiation of Holder<T>) from several threads released together.
        var arguments = typeof(object).Assembly.GetExportedTypes()
            .Where(t => t is { IsGenericTypeDefinition: false, IsByRefLike: false, IsPointer: false, ContainsGenericParameters: false } && t != typeof(void))
            .Take(150)
            .ToArray();
        var yaml = new YamlStream();
        yaml.Load(new StringReader("name: web\nitems: [a, b]\n"));
        var node = yaml.Documents[0].RootNode;
        var bind = typeof(YamlBinder).GetMethod(nameof(YamlBinder.Bind))!;
        const int threads = 6;

        foreach (var argument in arguments)
        {
            var holder = typeof(Holder<>).MakeGenericType(argument);
            var bindHolder = bind.MakeGenericMethod(holder);
            using var barrier = new Barrier(threads);
            var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                var binder = new YamlBinder("vigil.yaml");
                barrier.SignalAndWait();
                try
                {
                    var bound = bindHolder.Invoke(binder, [node])!;
                    Assert.Empty(binder.Errors);
                    Assert.Equal("web", holder.GetProperty("Name")!.GetValue(bound));
                }
                catch (Exception e)
                {
                    failures.Add(e is TargetInvocationException { InnerException: { } inner } ? inner : e);
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            Assert.Empty(failures);
        }
    }
}
