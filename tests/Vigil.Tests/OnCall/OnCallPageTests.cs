using System.Net;
using System.Text;
using Vigil.Tests.Support;

namespace Vigil.Tests.OnCall;

/// <summary>The console's On-call page, server-rendered, as a signed-in user sees it. The clock starts on Monday 2 November 2026, 09:00 UTC.</summary>
public sealed class OnCallPageTests
{
    [Fact]
    public async Task Page_shows_who_is_on_call_now_the_shifts_ahead_with_overrides_marked_and_ones_own_shifts()
    {
        await using var server = await TestServer.StartAsync(configYaml: $$"""
            schedules:
              - name: primary
                time_zone: Europe/Berlin
                layers:
                  - {rotation: daily, handoff: "09:00", start: 2026-11-01, participants: [alice, {{TestServer.AdminUsername}}]}
            """);
        var added = await server.Http.PostAsync("/api/schedules/primary/overrides",
            new StringContent("""{"user": "zoe", "start": "2026-11-04T12:00", "end": "2026-11-04T14:00"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var browser = await server.SignInAsync(TestServer.AdminUsername, TestServer.AdminPassword);

        var html = await browser.GetStringAsync("/oncall?days=7");

        // 10:00 in Berlin on 2 November: the turn that began on 1 November at 09:00 (alice) ended at 09:00 today.
        Assert.Contains($"data-now=\"{TestServer.AdminUsername}\"", html);
        Assert.Contains("until Tue 2026-11-03 09:00", html);
        // The timeline's final row and its list for screen readers: zoe's override, in Berlin time.
        Assert.Contains("<li class=\"override\" data-user=\"zoe\">zoe: Wed 2026-11-04 12:00", html);
        Assert.Contains("data-user=\"zoe\" data-start=\"2026-11-04T11:00:00Z\" data-end=\"2026-11-04T13:00:00Z\"", html);
        Assert.Contains($"data-mine=\"{TestServer.AdminUsername}\"", html);
        Assert.Contains("href=\"/oncall\"", html);
    }
}
