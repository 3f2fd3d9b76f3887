using Vigil.Features.Templates;
using Vigil.Metrics;

namespace Vigil.Tests.Alerting;

public class AlertTemplateTests
{
    private static readonly TemplateData Data = new(
        Labels.Of("instance", "api-1:8080", "job", "api", "mountpoint", "/var"),
        0.2,
        Labels.Of("cluster", "eu-1"),
        "http://vigil.example",
        query => query == "node_memory_MemAvailable_bytes{instance='api-1:8080'}"
            ? [new QuerySample(Labels.Of("instance", "api-1:8080"), 3.5e9)]
            : []);

    [Theory]
    [InlineData("Error rate is {{ $value }} errors per second", "Error rate is 0.2 errors per second")]
    [InlineData("{{ $labels.instance }} of job {{ $labels.job }} is down", "api-1:8080 of job api is down")]
    [InlineData("{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full", "/var on api-1:8080 is 20% full")]
    [InlineData("missing: [{{ $labels.nothing }}]", "missing: []")]
    [InlineData("{{ with printf `node_memory_MemAvailable_bytes{instance='%s'}` $labels.instance | query }}{{ . | first | value | humanize1024 }}B{{ end }} available", "3.26GiB available")]
    [InlineData("{{ with query \"nothing\" }}some{{ else }}none{{ end }}", "none")]
    [InlineData("{{ if gt $value 0.1 }}high{{ else }}low{{ end }}", "high")]
    [InlineData("{{- \" trimmed \" -}}  x", " trimmed x")]
    [InlineData("{{ $externalLabels.cluster }} {{ $externalURL }}", "eu-1 http://vigil.example")]
    [InlineData("{{ .Labels.job }}={{ .Value }}", "api=0.2")]
    [InlineData("{{ $v := 3 }}{{ $v }}", "3")]
    [InlineData("plain text", "plain text")]
    public void Templates_render_as_prometheus_renders_them(string template, string expected) =>
        Assert.Equal(expected, AlertTemplate.Parse(template).Render(Data));

    [Theory]
    [InlineData("{{ $value ", "unclosed action")]
    [InlineData("{{ if $value }}x", "without {{end}}")]
    [InlineData("{{ nosuchfunc $value }}", "function \"nosuchfunc\" not defined")]
    [InlineData("{{ end }}", "unexpected {{end}}")]
    public void A_template_that_does_not_compile_says_why(string template, string reason)
    {
        var e = Assert.Throws<TemplateException>(() => AlertTemplate.Parse(template));
        Assert.Contains(reason, e.Message);
    }
}
