using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting;
using Vigil.Features.Alerting.Evaluation;
using Vigil.Features.Metrics;
using Vigil.Features.Metrics.PrometheusApi;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Web.Charts;

namespace Vigil.Features.Deployments;

/// <summary>Where the canary analysis of one deployment stands: its step, the reports so far, and the rollback and alert it still owes.</summary>
[SqliteSortableTimes]
public sealed class CanaryRun
{
    public int DeploymentId { get; set; }
    /// <summary>The index of the current step in the environment's <c>canary.steps</c>.</summary>
    public int StepIndex { get; set; }
    public DateTimeOffset StepStartedAt { get; set; }
    /// <summary>Set once the last step passed (or the full rollout began): the end of the watch window.</summary>
    public DateTimeOffset? WatchEndsAt { get; set; }
    /// <summary>The step reports as JSON (<see cref="CanaryStepReport"/>).</summary>
    public string ReportsJson { get; set; } = "[]";
    /// <summary>Why the analysis failed the deployment, if it did.</summary>
    public string? FailureReason { get; set; }
    /// <summary>The step (1-based) during which it failed; 0 for the watch window.</summary>
    public int? FailedStep { get; set; }
    /// <summary>
    /// Set in the same transaction that marks the deployment failed, so the webhook is owed exactly once whatever
    /// replica or restart sends it; cleared when it was answered 2xx or the attempts ran out.
    /// </summary>
    public bool RollbackPending { get; set; }
    public int RollbackAttempts { get; set; }
    public DateTimeOffset? RollbackNextAttemptAt { get; set; }
    public DateTimeOffset? RollbackSentAt { get; set; }
    public string? RollbackError { get; set; }
    /// <summary>The <c>DeploymentFailed</c> alert is still to be handed to routing.</summary>
    public bool AlertPending { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<CanaryStepReport> Reports
    {
        get => JsonSerializer.Deserialize<List<CanaryStepReport>>(ReportsJson) ?? [];
        set => ReportsJson = JsonSerializer.Serialize(value);
    }
}

/// <summary>One judged step: its share, the time judged, the verdict (the worst metric's), each metric's numbers and the series compared.</summary>
public sealed record CanaryStepReport(int Step, double Weight, DateTimeOffset From, DateTimeOffset To, string Verdict, IReadOnlyList<MetricJudgement> Metrics, IReadOnlyList<MetricLines>? Lines = null);

/// <summary>The canary's and the baseline's series of one metric over a step's hold, as the step report's chart draws them.</summary>
public sealed record MetricLines(string Metric, IReadOnlyList<ChartSeries> Series);

internal sealed class CanaryRunMapping : IEntityTypeConfiguration<CanaryRun>
{
    public void Configure(EntityTypeBuilder<CanaryRun> builder)
    {
        builder.ToTable("deployment_canary_runs");
        builder.HasKey(r => r.DeploymentId);
        builder.HasOne<Deployment>().WithOne().HasForeignKey<CanaryRun>(r => r.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(r => r.FailureReason).HasMaxLength(1000);
        builder.Property(r => r.RollbackError).HasMaxLength(1000);
        builder.Ignore(r => r.Reports);
    }
}

/// <summary>
/// Every <see cref="Period"/>, on the replica holding the <c>deployments/canary</c> lease, analyses each
/// <c>in_progress</c> canary deployment whose environment has a <c>canary:</c> plan. A step that started at S
/// with hold H is judged once the clock passes S + H: each metric's canary and baseline queries are evaluated
/// over [S, S + H] (step H / 30, at least 15 s) and compared by <see cref="CanaryJudge"/>. <c>pass</c> and
/// <c>marginal</c> advance to the next step, which starts at S + H (a marginal step is reported, not held:
/// Kayenta's marginal score also lets a canary go on); <c>fail</c> fails the deployment, owes the rollback
/// webhook and a <c>DeploymentFailed</c> alert. A step without hold (the full rollout) and the end of the last
/// step start the watch window: an alert (other than <c>DeploymentFailed</c>) labelled with the service firing
/// inside it fails the deployment; at its end without one the deployment has <c>succeeded</c>.
/// A <c>blue_green</c> deployment whose environment has a <c>blue_green:</c> plan goes the same way, its plan read as
/// two steps (<see cref="BlueGreenPlanDefinition.AsPlan"/>): green judged against blue over <c>verify</c>, then the
/// switch and the watch window.
/// </summary>
public sealed class CanaryAnalysis(IServiceProvider services, ConfigReloader config, EvaluateQuery evaluate, IHttpClientFactory http, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<CanaryAnalysis> logger) : BackgroundService
{
    public const string Lease = "deployments/canary";
    public const string HttpClientName = "deployments-rollback";
    public const string Actor = "vigil:canary";
    public const string FailedAlert = "DeploymentFailed";
    public const int MaxRollbackAttempts = 5;
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MinQueryStep = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim passing = new(1, 1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        cluster.RunEveryAsync(Lease, Period, PassAsync, clock, logger, "Canary analysis failed", stoppingToken);

    /// <summary>One pass at the clock's now: judge what is due, then send what is owed.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        await passing.WaitAsync(cancellationToken);
        try
        {
            var settings = config.Current.Config.Deployments;
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var running = await db.Set<Deployment>()
                .Where(d => d.Status == DeploymentStatus.InProgress && (d.Strategy == DeploymentStrategy.Canary || d.Strategy == DeploymentStrategy.BlueGreen))
                .OrderBy(d => d.Id).ToListAsync(cancellationToken);
            foreach (var deployment in running)
            {
                if (settings.Environment(deployment.Environment)?.AnalysisPlan(deployment.Strategy) is { Steps.Count: > 0 } plan)
                {
                    await AnalyseAsync(db, scope.ServiceProvider.GetRequiredService<AuditLog>(), settings, deployment, plan, cancellationToken);
                }
            }
            await SendOwedAsync(db, settings, cancellationToken);
        }
        finally
        {
            passing.Release();
        }
    }

    private async Task AnalyseAsync(VigilDbContext db, AuditLog audit, DeploymentSettings settings, Deployment deployment, CanaryPlanDefinition plan, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var run = await db.Set<CanaryRun>().SingleOrDefaultAsync(r => r.DeploymentId == deployment.Id, cancellationToken);
        if (run is null)
        {
            run = new CanaryRun { DeploymentId = deployment.Id, StepStartedAt = deployment.StartedAt ?? now, UpdatedAt = now };
            db.Add(run);
        }
        // Several steps may be due at once (a pass missed while no replica held the lease): judge them in order.
        for (var guard = 0; guard <= plan.Steps.Count; guard++)
        {
            if (run.WatchEndsAt is { } watchEnds)
            {
                var watchStart = watchEnds - plan.WatchSpan;
                if (await FiringOnServiceAsync(db, deployment.Service, watchStart, now < watchEnds ? now : watchEnds, cancellationToken) is { } alert)
                {
                    await FailAsync(db, audit, settings, plan, deployment, run, 0, $"alert {alert} fired on {deployment.Service} within the {Duration.Format(plan.WatchSpan)} watch window", now, cancellationToken);
                }
                else if (now >= watchEnds)
                {
                    run.UpdatedAt = now;
                    await ChangeDeploymentStatus.RunAsync(db, settings, audit, deployment.Id, DeploymentStatus.Succeeded,
                        new ChangeDeploymentStatus.Request { Note = SucceededNote(settings, deployment, plan, now) },
                        Actor, now, cancellationToken);
                }
                break;
            }
            var index = Math.Min(run.StepIndex, plan.Steps.Count - 1);
            var step = plan.Steps[index];
            if (step.HoldSpan is not { } hold)
            {
                // The full rollout: nothing to compare with, the watch window starts.
                run.WatchEndsAt = run.StepStartedAt + plan.WatchSpan;
                continue;
            }
            var end = run.StepStartedAt + hold;
            if (now < end)
            {
                break;
            }
            var report = await JudgeAsync(plan, index, step, run.StepStartedAt, end, cancellationToken);
            run.Reports = [.. run.Reports, report];
            run.UpdatedAt = now;
            if (report.Verdict == CanaryVerdict.Fail)
            {
                var failed = report.Metrics.Where(m => m.Verdict == CanaryVerdict.Fail).Select(m => $"{m.Metric} {m.Reason}");
                await FailAsync(db, audit, settings, plan, deployment, run, index + 1, $"{StepName(deployment, index, step)} failed: {string.Join("; ", failed)}", now, cancellationToken);
                break;
            }
            run.StepIndex = index + 1;
            run.StepStartedAt = end;
            if (run.StepIndex >= plan.Steps.Count)
            {
                run.WatchEndsAt = end + plan.WatchSpan;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Each metric's canary and baseline series over [from, to], judged; the step's verdict is the worst.</summary>
    public async Task<CanaryStepReport> JudgeAsync(CanaryPlanDefinition plan, int index, CanaryStepDefinition step, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var queryStep = TimeSpan.FromTicks(Math.Max((to - from).Ticks / 30, MinQueryStep.Ticks));
        var judgements = new List<MetricJudgement>();
        var lines = new List<MetricLines>();
        foreach (var metric in plan.Metrics)
        {
            try
            {
                var canary = await SeriesAsync("canary", metric.Canary!, from, to, queryStep, cancellationToken);
                var baseline = await SeriesAsync("baseline", metric.Baseline!, from, to, queryStep, cancellationToken);
                judgements.Add(CanaryJudge.Judge(metric.Name!, Values(canary), Values(baseline), metric.Criteria));
                lines.Add(new(metric.Name!, [.. canary, .. baseline]));
            }
            catch (Exception e) when (e is ApiError or PromQLParseException or BadParameterException)
            {
                // A query that cannot be evaluated judges nothing: marginal, so the step is reported, not failed.
                judgements.Add(new(metric.Name!, CanaryVerdict.Marginal, $"the query could not be evaluated: {e.Message}", 0, 0, null, null, null, null));
            }
        }
        return new(index + 1, step.Weight, from, to, CanaryVerdict.Worst(judgements.Select(j => j.Verdict)), judgements, lines);
    }

    /// <summary>
    /// Each series the query returns at the steps of the range, named for the chart (<paramref name="role"/>, and its
    /// labels when there are several). Values that are not finite (0 / 0) are left out: the judge skips them too.
    /// </summary>
    private async Task<List<ChartSeries>> SeriesAsync(string role, string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken)
    {
        var matrix = await evaluate.RangeAsync(EvaluateQuery.Parse(query), from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), (long)step.TotalMilliseconds, null, cancellationToken);
        return [.. matrix.Series.Select(s => new ChartSeries(
            matrix.Series.Count == 1 ? role : $"{role} {s.Labels}",
            [.. s.Points.Where(p => double.IsFinite(p.Value)).Select(p => new ChartPoint(p.TimestampMs, p.Value))]))];
    }

    /// <summary>Every value of every series: what the judge compares.</summary>
    private static List<double> Values(List<ChartSeries> series) => [.. series.SelectMany(s => s.Points).Select(p => p.Value)];

    /// <summary>
    /// The name of an alert labelled with the service (not a <c>DeploymentFailed</c>) firing at some time in [from, to]:
    /// an alert in the alert store whose active range meets the window, or a rule alert whose state history shows it
    /// fired inside the window. The history matters for an alert that fired and resolved between two passes: routing
    /// removes a resolved alert from the store once its groups have flushed (Alertmanager's garbage collection), and a
    /// later firing replaces its start.
    /// </summary>
    private static async Task<string?> FiringOnServiceAsync(VigilDbContext db, string service, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var stored = await db.Set<StoredAlert>().AsNoTracking().Where(a => a.EndsAt > from && a.StartsAt <= to).Select(a => a.LabelsJson).ToListAsync(cancellationToken);
        var history = await db.Set<AlertStateChange>().AsNoTracking()
            .Where(c => c.State == "firing" && c.At >= from && c.At <= to).OrderBy(c => c.At).Select(c => c.LabelsJson).ToListAsync(cancellationToken);
        return stored.Concat(history)
            .Select(json => JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
            .Where(l => l.GetValueOrDefault("service") == service && l.GetValueOrDefault("alertname") != FailedAlert)
            .Select(l => l.GetValueOrDefault("alertname") ?? "(unnamed)")
            .FirstOrDefault();
    }

    /// <summary>How a judged step is named in reasons: the canary's step and share, or blue-green's verification.</summary>
    private static string StepName(Deployment deployment, int index, CanaryStepDefinition step) =>
        deployment.Strategy == DeploymentStrategy.BlueGreen
            ? "blue-green verification (green against blue)"
            : $"canary step {index + 1} ({step.Weight.ToString(CultureInfo.InvariantCulture)}%)";

    private static string SucceededNote(DeploymentSettings settings, Deployment deployment, CanaryPlanDefinition plan, DateTimeOffset now)
    {
        var watched = $"no alert fired on {deployment.Service} within the {Duration.Format(plan.WatchSpan)} watch window";
        if (deployment.Strategy != DeploymentStrategy.BlueGreen)
        {
            return $"canary: all {plan.Steps.Count} steps passed and {watched}";
        }
        var keep = settings.Environment(deployment.Environment)?.BlueGreen?.KeepPreviousSpan ?? TimeSpan.Zero;
        return $"blue-green: green passed its verification against blue and {watched}; keep blue ({deployment.PreviousVersion ?? "the previous version"}) until {(now + keep).UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}";
    }

    private static async Task FailAsync(VigilDbContext db, AuditLog audit, DeploymentSettings settings, CanaryPlanDefinition plan, Deployment deployment, CanaryRun run, int step, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        reason = reason.Length > 1000 ? reason[..997] + "..." : reason;
        run.FailureReason = reason;
        run.FailedStep = step;
        run.RollbackPending = plan.RollbackWebhook is not null;
        run.AlertPending = true;
        run.UpdatedAt = now;
        // The run's owed rollback and alert are saved by the same SaveChanges (one transaction) that marks the deployment failed.
        await ChangeDeploymentStatus.RunAsync(db, settings, audit, deployment.Id, DeploymentStatus.Failed, new ChangeDeploymentStatus.Request { Note = reason }, Actor, now, cancellationToken);
    }

    /// <summary>The rollback webhooks and DeploymentFailed alerts still owed, each recorded once handed over.</summary>
    private async Task SendOwedAsync(VigilDbContext db, DeploymentSettings settings, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var owed = await db.Set<CanaryRun>().Where(r => r.RollbackPending || r.AlertPending).ToListAsync(cancellationToken);
        foreach (var run in owed)
        {
            var deployment = await db.Set<Deployment>().AsNoTracking().SingleAsync(d => d.Id == run.DeploymentId, cancellationToken);
            if (run.AlertPending)
            {
                await services.GetRequiredService<IAlertIngest>().PutAsync([AlertOf(deployment, run.FailureReason ?? "canary analysis failed")], cancellationToken);
                run.AlertPending = false;
            }
            if (run.RollbackPending && (run.RollbackNextAttemptAt is null || run.RollbackNextAttemptAt <= now))
            {
                await SendRollbackAsync(run, deployment, settings.Environment(deployment.Environment)?.AnalysisPlan(deployment.Strategy)?.RollbackWebhook, now, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task SendRollbackAsync(CanaryRun run, Deployment deployment, string? url, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (url is null)
        {
            run.RollbackPending = false;
            run.RollbackError = "no rollback_webhook configured any more";
            return;
        }
        run.RollbackAttempts++;
        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(new
                {
                    deployment_id = deployment.Id,
                    service = deployment.Service,
                    environment = deployment.Environment,
                    version = deployment.Version,
                    previous_version = deployment.PreviousVersion,
                    step = run.FailedStep,
                    reason = run.FailureReason,
                }),
            };
            // Stripe-style idempotency key: a receiver that sees it twice (a retry after a lost answer) rolls back once.
            request.Headers.Add("Idempotency-Key", IdempotencyKey(deployment.Id));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            error = response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = e.Message;
        }
        if (error is null)
        {
            run.RollbackPending = false;
            run.RollbackSentAt = now;
            run.RollbackError = null;
            return;
        }
        run.RollbackError = $"attempt {run.RollbackAttempts}: {error}";
        logger.LogWarning("The rollback webhook of deployment {Id} failed: {Error}", deployment.Id, run.RollbackError);
        if (run.RollbackAttempts >= MaxRollbackAttempts)
        {
            run.RollbackPending = false;
        }
        else
        {
            // Backoff: 15 s, 30 s, 60 s, 120 s.
            run.RollbackNextAttemptAt = now + (Period * (1 << (run.RollbackAttempts - 1)));
        }
    }

    public static string IdempotencyKey(int deploymentId) => $"vigil-deployment-{deploymentId.ToString(CultureInfo.InvariantCulture)}-rollback";

    public static IncomingAlert AlertOf(Deployment deployment, string reason) => new(
        Labels.Of("alertname", FailedAlert, "environment", deployment.Environment, "service", deployment.Service, "severity", "critical"),
        Labels.Of("summary", $"Deployment {deployment.Version} of {deployment.Service} to {deployment.Environment} failed: {reason}"),
        null, null, $"/deployments/{deployment.Id.ToString(CultureInfo.InvariantCulture)}", "deployment");

    /// <summary><c>GET /api/deployments/{id}/analysis</c>: where the canary analysis stands and its step reports.</summary>
    public static async Task<IResult> Get(int id, VigilDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Set<Deployment>().AnyAsync(d => d.Id == id, cancellationToken))
        {
            return Hosting.Problems.NotFound($"no deployment {id}");
        }
        var run = await db.Set<CanaryRun>().AsNoTracking().SingleOrDefaultAsync(r => r.DeploymentId == id, cancellationToken);
        return TypedResults.Ok(new
        {
            deployment_id = id,
            analysed = run is not null,
            step = run is null ? (int?)null : run.StepIndex + 1,
            step_started_at = run?.StepStartedAt,
            watch_ends_at = run?.WatchEndsAt,
            failure_reason = run?.FailureReason,
            rollback_sent_at = run?.RollbackSentAt,
            rollback_attempts = run?.RollbackAttempts ?? 0,
            rollback_error = run?.RollbackError,
            reports = run?.Reports ?? [],
        });
    }

    public override void Dispose()
    {
        passing.Dispose();
        base.Dispose();
    }
}
