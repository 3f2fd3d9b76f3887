using System.Collections;
using Vigil.Configuration;

namespace Vigil.Tests.StatusPage;

public sealed class StatusPageConfigTests
{
    [Fact]
    public void Bad_status_pages_in_the_config_are_reported_with_line_and_column()
    {
        var loaded = ConfigLoader.Parse("vigil.yaml", """
            services:
              - name: api
            status_pages:
              - name: Public
                logo: ftp://example.com/logo.png
                components:
                  - name: API
                    services: [apii]
              - name: second
                host: status.example.com
                time_zone: Mars/Olympus
                components: []
              - name: second
                host: status.example.com
                components:
                  - name: API
                    monitors: [nope]
            """, new Hashtable());

        Assert.Equal(
            [
                "vigil.yaml:4:11: must be 1-63 lowercase letters, digits or '-', starting with a letter or digit (it is the page's URL: /status/{name})",
                "vigil.yaml:5:11: must be an http(s) URL or a path starting with /",
                "vigil.yaml:8:20: unknown service \"apii\"",
                "vigil.yaml:11:16: unknown time zone \"Mars/Olympus\" (use an IANA name such as Europe/Berlin)",
                "vigil.yaml:12:17: a status page needs at least one component",
                "vigil.yaml:13:11: duplicate status page name \"second\"",
                "vigil.yaml:14:11: host \"status.example.com\" is already used by another status page",
                "vigil.yaml:17:20: unknown monitor \"nope\"",
            ],
            loaded.Errors.Select(e => e.ToString()));
    }
}
