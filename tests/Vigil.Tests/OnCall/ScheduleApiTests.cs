using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Features.Access;
using Vigil.Features.OnCall;
using Vigil.Tests.Support;

namespace Vigil.Tests.OnCall;

/// <summary>Schedules and overrides through the API, once on SQLite and once on PostgreSQL. The server's clock starts on Monday 2 November 2026, 09:00 UTC.</summary>
public abstract class ScheduleApiTests : IAsyncLifetime
{
    protected const string Config = """
        schedules:
          - name: primary
            time_zone: Europe/Berlin
            layers:
              - name: week
                rotation: weekly
                handoff: mon 09:00
                start: 2026-10-05
                participants: [alice, bob]
              - name: office
                rotation: daily
                handoff: "09:00"
                start: 2026-10-05
                participants: [carol]
                restrictions:
                  - days: mon-fri
                    from: "09:00"
                    to: "17:00"
        """;

    private const string ApiSchedule = """
        {"name": "db", "time_zone": "America/New_York",
         "layers": [{"rotation": "daily", "handoff": "08:00", "start": "2026-11-01", "participants": ["dana", "eli"]}]}
        """;

    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync(), Config);

    public async Task DisposeAsync() => await server.DisposeAsync();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private Task<string> SnapshotAsync() => server.QueryAsync(async db => JsonSerializer.Serialize(new
    {
        schedules = await db.Set<StoredSchedule>().AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Name, s.Definition }).ToListAsync(),
        overrides = await db.Set<StoredOverride>().AsNoTracking().OrderBy(o => o.Id).Select(o => new { o.Schedule, o.User }).ToListAsync(),
    }));

    private async Task AssertAuditedAsync(string action, string resource, string id)
    {
        var entry = (await server.AuditAsync()).Last();
        Assert.Equal((action, resource, id), (entry.Action, entry.Resource, entry.ResourceId));
    }

    [Fact]
    public async Task Config_schedule_is_listed_read_only_with_who_is_on_call_now()
    {
        var schedules = await server.GetJsonAsync<List<JsonElement>>("/api/schedules");

        var primary = Assert.Single(schedules);
        Assert.Equal("config", primary.GetProperty("origin").GetString());
        // Monday 2 November 10:00 in Berlin: inside office hours, so the office layer (carol) wins.
        var now = primary.GetProperty("on_call_now");
        Assert.Equal(("carol", "office"), (now.GetProperty("user").GetString(), now.GetProperty("source").GetString()));

        var put = await server.Http.PutAsync("/api/schedules/primary", Json("""{"name": "primary", "time_zone": "UTC"}"""));
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Http.DeleteAsync("/api/schedules/primary")).StatusCode);
    }

    [Fact]
    public async Task Who_is_on_call_at_a_time_names_the_person_and_until_when()
    {
        // Saturday 7 November 12:00 UTC: no office hours; week 5 of the weekly layer (from 2 November) is alice's.
        var answers = await server.GetJsonAsync<List<JsonElement>>("/api/oncall?at=2026-11-07T12:00:00Z");

        var shift = Assert.Single(answers).GetProperty("on_call");
        Assert.Equal("alice", shift.GetProperty("user").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-09T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), shift.GetProperty("end").GetDateTimeOffset());

        var bad = await server.Http.GetAsync("/api/oncall?at=tomorrow");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"at\"", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_schedule_is_created_changed_and_deleted_with_one_audit_entry_each()
    {
        var created = await server.Http.PostAsync("/api/schedules", Json(ApiSchedule));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await AssertAuditedAsync("create", "schedule", "db");
        var view = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("api", view.GetProperty("origin").GetString());
        // 09:00 UTC is 04:00 in New York: still the shift that began at 08:00 local on 1 November (dana).
        Assert.Equal("dana", view.GetProperty("on_call_now").GetProperty("user").GetString());

        var changed = await server.Http.PutAsync("/api/schedules/db", Json(ApiSchedule.Replace("[\"dana\", \"eli\"]", "[\"eli\"]", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await AssertAuditedAsync("update", "schedule", "db");
        Assert.Equal("eli", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("on_call_now").GetProperty("user").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync("/api/schedules/db")).StatusCode);
        await AssertAuditedAsync("delete", "schedule", "db");
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/schedules/db")).StatusCode);
    }

    [Fact]
    public async Task An_imported_calendars_refresh_is_written_as_every_other_duration_and_an_older_stored_form_still_reads()
    {
        var created = await server.Http.PostAsync("/api/schedules", Json("""
            {"name": "vendor", "time_zone": "UTC", "layers": [{"name": "theirs", "rotation": "ical", "url": "http://127.0.0.1:9/vendor.ics", "refresh": "1h30m"}]}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("1h30m", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("layers")[0].GetProperty("refresh").GetString());

        // As a definition saved before refresh had the duration converter holds it.
        await server.QueryAsync(async db =>
        {
            var row = await db.Set<StoredSchedule>().SingleAsync(s => s.Name == "vendor");
            row.Definition = row.Definition.Replace("\"1h30m\"", "\"01:30:00\"", StringComparison.Ordinal);
            return await db.SaveChangesAsync();
        });
        Assert.Equal("1h30m", (await server.GetJsonAsync<JsonElement>("/api/schedules/vendor")).GetProperty("layers")[0].GetProperty("refresh").GetString());
    }

    [Theory]
    [InlineData("\"time_zone\": \"America/New_York\"", "\"time_zone\": \"Europe/Atlantis\"", "time_zone")]
    [InlineData("\"handoff\": \"08:00\"", "\"handoff\": \"25:00\"", "layers[0].handoff")]
    [InlineData("[\"dana\", \"eli\"]", "[]", "layers[0].participants")]
    public async Task Invalid_schedule_gets_a_problem_naming_the_field_and_changes_nothing(string from, string to, string field)
    {
        var before = await SnapshotAsync();

        var response = await server.Http.PostAsync("/api/schedules", Json(ApiSchedule.Replace(from, to, StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Override_on_a_config_schedule_wins_and_is_audited()
    {
        var response = await server.Http.PostAsync("/api/schedules/primary/overrides",
            Json("""{"user": "frank", "start": "2026-11-07T10:00", "end": "2026-11-07T16:00"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        await AssertAuditedAsync("create", "schedule_override", $"primary/{id}");
        // 10:00-16:00 Berlin time is 09:00-15:00 UTC.
        var at = Assert.Single(await server.GetJsonAsync<List<JsonElement>>("/api/oncall?at=2026-11-07T12:00:00Z")).GetProperty("on_call");
        Assert.Equal(("frank", true), (at.GetProperty("user").GetString(), at.GetProperty("override").GetBoolean()));
        var shifts = await server.GetJsonAsync<List<JsonElement>>("/api/schedules/primary/shifts?from=2026-11-07T00:00&to=2026-11-08T00:00");
        Assert.Equal(["alice", "frank", "alice"], shifts.Select(s => s.GetProperty("user").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync($"/api/schedules/primary/overrides/{id}")).StatusCode);
        await AssertAuditedAsync("delete", "schedule_override", $"primary/{id}");
    }

    [Fact]
    public async Task Operator_may_add_an_override_for_themselves_only_and_a_viewer_none()
    {
        var before = await SnapshotAsync();
        var operatorClient = await server.ClientFor(Role.Operator);
        var forOther = await operatorClient.PostAsync("/api/schedules/primary/overrides",
            Json("""{"user": "bob", "start": "2026-11-07T10:00", "end": "2026-11-07T16:00"}"""));
        var viewer = await (await server.ClientFor(Role.Viewer)).PostAsync("/api/schedules/primary/overrides",
            Json($$"""{"user": "{{TestServer.AdminUsername}}", "start": "2026-11-07T10:00", "end": "2026-11-07T16:00"}"""));

        Assert.Equal(HttpStatusCode.Forbidden, forOther.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(before, await SnapshotAsync());

        // An operator token of the test's admin acts as that user.
        var forSelf = await operatorClient.PostAsync("/api/schedules/primary/overrides",
            Json($$"""{"user": "{{TestServer.AdminUsername}}", "start": "2026-11-07T10:00", "end": "2026-11-07T16:00"}"""));
        Assert.Equal(HttpStatusCode.Created, forSelf.StatusCode);
    }

    [Fact]
    public async Task Override_ending_before_it_starts_is_refused_naming_end()
    {
        var response = await server.Http.PostAsync("/api/schedules/primary/overrides",
            Json("""{"user": "frank", "start": "2026-11-07T16:00", "end": "2026-11-07T10:00"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("end", out _));
    }
}

public sealed class ScheduleApiOnSqlite : ScheduleApiTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class ScheduleApiOnPostgres(PostgresServer postgres) : ScheduleApiTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
