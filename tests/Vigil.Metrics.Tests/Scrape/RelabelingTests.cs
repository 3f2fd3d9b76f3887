using Vigil.Metrics.Scrape;

namespace Vigil.Metrics.Tests.Scrape;

public class RelabelingTests
{
    private static readonly Labels Input = Labels.Of("__name__", "http_requests_total", "job", "api", "instance", "10.0.0.1:9100", "__meta_zone", "eu-1a", "path", "/users");

    public static TheoryData<string, RelabelConfig, string> Cases => new()
    {
        { "replace with defaults copies a source to the target", new() { SourceLabels = ["__meta_zone"], TargetLabel = "zone" },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", zone=\"eu-1a\"}" },
        { "replace joins sources with ; and expands groups", new() { SourceLabels = ["job", "path"], Regex = "(.*);/(.*)", TargetLabel = "route", Replacement = "$1:${2}" },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", route=\"api:users\"}" },
        { "replace without a full match changes nothing", new() { SourceLabels = ["job"], Regex = "ap", TargetLabel = "x" },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\"}" },
        { "replace to an empty value removes the target", new() { SourceLabels = ["missing"], TargetLabel = "job" },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", path=\"/users\"}" },
        { "replace with a templated target label", new() { SourceLabels = ["job"], Regex = "(.*)", TargetLabel = "team_$1", Replacement = "yes" },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", team_api=\"yes\"}" },
        { "replace rewrites the address host", new() { SourceLabels = ["instance"], Regex = "([^:]+):\\d+", TargetLabel = "instance", Replacement = "$1:80" },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:80\", job=\"api\", path=\"/users\"}" },
        { "keep keeps a match", new() { SourceLabels = ["job"], Regex = "api|web", Action = RelabelAction.Keep },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\"}" },
        { "keep drops a non-match", new() { SourceLabels = ["job"], Regex = "web", Action = RelabelAction.Keep }, "dropped" },
        { "keep is anchored", new() { SourceLabels = ["job"], Regex = "a", Action = RelabelAction.Keep }, "dropped" },
        { "drop drops a match", new() { SourceLabels = ["__name__"], Regex = "http_.*", Action = RelabelAction.Drop }, "dropped" },
        { "drop matches an absent label as empty", new() { SourceLabels = ["absent"], Regex = "", Action = RelabelAction.Drop }, "dropped" },
        { "hashmod writes md5 modulo", new() { SourceLabels = ["instance"], Modulus = 8, TargetLabel = "shard", Action = RelabelAction.HashMod },
            $"http_requests_total{{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", shard=\"{Relabeling.Sum64("10.0.0.1:9100") % 8}\"}}" },
        { "labelmap copies meta labels", new() { Regex = "__meta_(.+)", Action = RelabelAction.LabelMap },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", zone=\"eu-1a\"}" },
        { "labeldrop removes matching names", new() { Regex = "__meta_.*|path", Action = RelabelAction.LabelDrop },
            "http_requests_total{instance=\"10.0.0.1:9100\", job=\"api\"}" },
        { "labelkeep keeps only matching names", new() { Regex = "__name__|job", Action = RelabelAction.LabelKeep },
            "http_requests_total{job=\"api\"}" },
        { "uppercase", new() { SourceLabels = ["__meta_zone"], TargetLabel = "zone", Action = RelabelAction.Uppercase },
            "http_requests_total{__meta_zone=\"eu-1a\", instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", zone=\"EU-1A\"}" },
        { "keepequal drops when values differ", new() { SourceLabels = ["job"], TargetLabel = "path", Action = RelabelAction.KeepEqual }, "dropped" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Relabel_actions_behave_like_prometheus(string why, RelabelConfig step, string expected)
    {
        var result = Relabeling.Process(Input, [step]);

        Assert.True(expected == (result?.ToString() ?? "dropped"), $"{why}: expected {expected}, got {result?.ToString() ?? "dropped"}");
    }

    [Fact]
    public void Steps_run_in_order_on_the_output_of_the_previous_one()
    {
        var result = Relabeling.Process(Input,
        [
            new RelabelConfig { SourceLabels = ["__meta_zone"], TargetLabel = "zone" },
            new RelabelConfig { SourceLabels = ["zone"], Regex = "eu-.*", Action = RelabelAction.Keep },
            new RelabelConfig { Regex = "__meta_.*", Action = RelabelAction.LabelDrop },
        ]);

        Assert.Equal("http_requests_total{instance=\"10.0.0.1:9100\", job=\"api\", path=\"/users\", zone=\"eu-1a\"}", result?.ToString());
    }

    [Fact]
    public void Hashmod_uses_the_low_eight_bytes_of_the_md5_big_endian()
    {
        // md5("abc") = 900150983cd24fb0 d6963f7d28e17f72; Prometheus's sum64 keeps the second half.
        Assert.Equal(0xd6963f7d28e17f72UL, Relabeling.Sum64("abc"));
    }

    [Theory]
    [InlineData("(a)(b)", "$1", "a")]
    [InlineData("(a)(b)", "${1}x", "ax")]
    [InlineData("(a)(b)", "$1x", "")]
    [InlineData("(a)(b)", "$2-$1", "b-a")]
    [InlineData("(?<name>a)b", "$name/${name}", "a/a")]
    [InlineData("(a)(b)", "$$1", "$1")]
    [InlineData("(a)(b)", "$9", "")]
    [InlineData("(a)(b)", "cost: $", "cost: $")]
    public void Replacement_templates_expand_like_go(string pattern, string template, string expected)
    {
        var match = new System.Text.RegularExpressions.Regex(pattern).Match("ab");

        Assert.Equal(expected, Relabeling.Expand(template, match));
    }

    [Fact]
    public void Invalid_steps_are_reported_as_prometheus_reports_them()
    {
        Assert.Equal(["relabel configuration for hashmod requires non-zero modulus"], new RelabelConfig { Action = RelabelAction.HashMod, TargetLabel = "s" }.Validate());
        Assert.Equal(["relabel configuration for replace action requires 'target_label' value"], new RelabelConfig().Validate());
        Assert.Equal(["\"1x\" is invalid 'target_label' for replace action"], new RelabelConfig { TargetLabel = "1x" }.Validate());
        Assert.Equal(["labeldrop action requires only 'regex', and no other fields"], new RelabelConfig { Action = RelabelAction.LabelDrop, TargetLabel = "x" }.Validate());
        Assert.Empty(new RelabelConfig { TargetLabel = "team_$1" }.Validate());
    }
}
