using System.Collections;
using Vigil.Configuration;
using Vigil.Tests.Support;

namespace Vigil.Tests.Configuration;

public class ConfigLoaderTests
{
    private static LoadedConfig Parse(string yaml, IDictionary? environment = null) =>
        ConfigLoader.Parse("vigil.yaml", yaml, environment ?? new Hashtable());

    [Fact]
    public void The_example_config_is_valid_and_defines_the_catalog()
    {
        var loaded = ConfigLoader.Load(RepositoryPaths.ExampleConfig, new Hashtable());

        Assert.Empty(loaded.Errors);
        Assert.Equal(["web", "api", "worker"], loaded.Config.Services.Select(s => s.Name));
        Assert.Equal(TimeSpan.FromSeconds(10), loaded.Config.Server.ShutdownTimeout);
    }

    // The console shows an object read from the file as "defined in vigil.yaml line N" instead of a form.
    [Fact]
    public void Each_definition_knows_the_line_it_was_written_on()
    {
        var loaded = Parse("""
            services:
              - name: web
                tier: critical
              - name: api
            tasks:
              rotate-keys:
                schedule: "0 3 * * 1"
            """);

        Assert.Equal("vigil.yaml line 2", loaded.DefinedAt(loaded.Config.Services[0]));
        Assert.Equal("vigil.yaml line 4", loaded.DefinedAt(loaded.Config.Services[1]));
        Assert.Equal("vigil.yaml line 6", loaded.DefinedAt(loaded.Config.Tasks[0]));
        Assert.Null(loaded.DefinedAt(new Vigil.Features.Catalog.ServiceDefinition { Name = "web" }));
    }

    // Found by fuzzing (fuzz/run.sh config): an empty section left null where every reader expects
    // one (NullReferenceException), and YamlDotNet's scanner throws InvalidOperationException on
    // some malformed plain scalars; both must come back as a loaded config or a file:line error.
    [Fact]
    public void Sections_written_empty_are_pointed_at_and_keep_their_defaults()
    {
        var loaded = Parse("""
            server:
            alerting:
            routing: ~
            services:
            """);

        Assert.Equal(
            ["vigil.yaml:1:8: expected a mapping, got \"\"", "vigil.yaml:2:10: expected a mapping, got \"\"", "vigil.yaml:3:10: expected a mapping, got \"~\""],
            loaded.Errors.Select(e => e.ToString()));
        Assert.Equal("http://127.0.0.1:8080", loaded.Config.Server.ExternalUrl);
        Assert.Equal(loaded.Config.Server.ExternalUrl, loaded.Config.Alerting.ExternalUrl);
        Assert.Empty(loaded.Config.Services);
    }

    [Theory]
    [InlineData("services:\n  - name: api\n    dependencies: [{servicval: 30s\n    service: ape: db}]\nalerting:\n  route:\n    group_beScies:y: [alertname]\n =receivers:\u0005    - n\u0000eam\n")]
    [InlineData("serv:\n  : naion: [{sdb}]\n  - name: db\nmonMtors:\n  -sces:\n  - name: api\n    don: l\n    g: [{ db}]\n  -s:\n  - name:\n    url: ht/hh\n    rval: 30s\n  e: api\nalerting:")]
    public void A_file_the_yaml_reader_chokes_on_is_one_error_not_an_exception(string yaml)
    {
        var loaded = Parse(yaml);

        var error = Assert.Single(loaded.Errors);
        Assert.Contains("invalid YAML", error.ToString());
    }

    [Fact]
    public void Access_settings_are_read_and_their_mistakes_pointed_at()
    {
        var loaded = Parse("""
            access:
              session_timeout: 30s
              mfa_required_roles: [admin, root]
              lockout:
                failures: 3
              rate_limits:
                api: 0
            """);

        Assert.Equal(3, loaded.Config.Access.Lockout.Failures);
        Assert.Equal(
            [
                "vigil.yaml:2:20: must be at least 1m",
                "vigil.yaml:3:31: unknown role \"root\"; the roles are super_admin, admin, manager, operator, viewer",
                "vigil.yaml:7:10: must be at least 1 request per minute",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Every_mistake_is_reported_with_its_line_and_column_not_just_the_first()
    {
        var loaded = Parse("""
            server:
              shutdown_timeout: 5 minutes
            services:
              - name: api
                colour: blue
              - name: web
                dependencies:
                  - service: payments
            """);

        Assert.Equal(
            [
                "vigil.yaml:2:21: invalid duration \"5 minutes\": write a number and a unit, e.g. 30s, 5m, 1h30m",
                "vigil.yaml:5:5: unknown key \"colour\" (expected one of: name, description, tier, owner, links, tags, contacts, environments, dependencies)",
                "vigil.yaml:8:18: unknown service \"payments\"",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("services:\n  - name: api\n  - name: api\n", "vigil.yaml:3:11: duplicate service name \"api\"")]
    [InlineData("services:\n  - name: api\n    tier: high\n", "vigil.yaml:3:11: expected an integer, got \"high\"")]
    [InlineData("services:\n  - name: api\n    tier: 9\n", "vigil.yaml:3:11: must be 1 (most critical) to 4")]
    [InlineData("services:\n  - description: nameless\n", "vigil.yaml:2:5: missing required key \"name\"")]
    [InlineData("services:\n  - name: Bad Name\n", "vigil.yaml:2:11: must be 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")]
    [InlineData("services:\n  - name: api\n    dependencies:\n      - external: Redis\n", "vigil.yaml:4:9: an external dependency needs a kind: database, cache, third_party_api, queue, storage or other")]
    [InlineData("services:\n  - name: api\n    dependencies:\n      - external: Redis\n        kind: kettle\n", "vigil.yaml:5:15: invalid value \"kettle\": expected one of service, database, cache, third_party_api, queue, storage, other")]
    [InlineData("services:\n  - name: api\n    environments:\n      - name: production\n        url: not-a-url\n", "vigil.yaml:5:14: \"not-a-url\" is not an absolute http(s) URL")]
    [InlineData("services: [name: api\n", "vigil.yaml:2:1: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'.")]
    [InlineData("services:\n  name: api\n", "vigil.yaml:2:3: expected a list")]
    public void A_mistake_is_reported_with_file_line_column_and_reason(string yaml, string expected)
    {
        var loaded = Parse(yaml);

        Assert.Equal([expected], loaded.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Environment_variables_with_the_vigil_prefix_override_settings()
    {
        var environment = new Hashtable { ["VIGIL_SERVER__LISTEN"] = "http://127.0.0.1:9999", ["VIGIL_SERVER__SHUTDOWN_TIMEOUT"] = "1m30s", ["VIGIL_DATA"] = "ignored-here" };

        var loaded = Parse("server:\n  listen: http://127.0.0.1:8080\n", environment);

        Assert.Empty(loaded.Errors);
        Assert.Equal("http://127.0.0.1:9999", loaded.Config.Server.Listen);
        Assert.Equal(TimeSpan.FromSeconds(90), loaded.Config.Server.ShutdownTimeout);
    }

    [Fact]
    public void A_bad_value_from_the_environment_names_the_variable()
    {
        var loaded = Parse("", new Hashtable { ["VIGIL_SERVER__SHUTDOWN_TIMEOUT"] = "soon" });

        Assert.Equal(["$VIGIL_SERVER__SHUTDOWN_TIMEOUT: invalid duration \"soon\": write a number and a unit, e.g. 30s, 5m, 1h30m"], loaded.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("250ms", 250)]
    [InlineData("0", 0)]
    public void Durations_are_read_as_prometheus_writes_them(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(milliseconds, (long)value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("5 minutes")]
    [InlineData("5")]
    [InlineData("m5")]
    [InlineData("30m1h")]
    [InlineData("")]
    [InlineData("9999999999999999y")]
    [InlineData("99999999999999999999s")]
    [InlineData("10675199d3h")]
    public void Durations_in_other_forms_are_refused(string text) => Assert.False(Duration.TryParse(text, out _));
}
