using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Tests.Support;

namespace Vigil.Tests.Server;

/// <summary>
/// <see cref="AfterCommit"/>: a signal such as "the incidents changed" (which makes the status page
/// render again) fires only once the change is committed, so nothing renders a state a reader
/// cannot see yet, and it never fires for a change that was rolled back.
/// </summary>
public abstract class AfterCommitTests : IAsyncLifetime
{
    private TestServer server = null!;

    protected abstract Task<string?> DatabaseAsync();

    public async Task InitializeAsync() => server = await TestServer.StartAsync(await DatabaseAsync());

    public async Task DisposeAsync() => await server.DisposeAsync();

    private async Task<int> ServicesSeenByAnotherReaderAsync(string name) =>
        await server.QueryAsync(db => db.Set<Service>().CountAsync(s => s.Name == name));

    [Fact]
    public async Task Inside_a_transaction_the_action_runs_when_it_commits_and_sees_the_change()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var seen = new List<int>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Add(new Service { Name = "billing" });
        AfterCommit.Add(db, () => seen.Add(ServicesSeenByAnotherReaderAsync("billing").GetAwaiter().GetResult()));
        await db.SaveChangesAsync();
        Assert.Empty(seen);

        await transaction.CommitAsync();

        Assert.Equal([1], seen);
    }

    [Fact]
    public async Task Without_a_transaction_it_runs_after_the_save_and_never_for_a_rollback()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var runs = 0;
        db.Add(new Service { Name = "search" });
        AfterCommit.Add(db, () => runs++);
        await db.SaveChangesAsync();
        Assert.Equal(1, runs);

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Add(new Service { Name = "ledger" });
            AfterCommit.Add(db, () => runs++);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        await db.SaveChangesAsync();
        Assert.Equal(1, runs);
        Assert.Equal(0, await ServicesSeenByAnotherReaderAsync("ledger"));
    }

    [Fact]
    public async Task An_action_left_by_a_unit_of_work_that_never_saved_does_not_run_when_its_pooled_context_commits_again()
    {
        var runs = 0;
        VigilDbContext left;
        await using (var abandoned = server.Services.CreateAsyncScope())
        {
            left = abandoned.ServiceProvider.GetRequiredService<VigilDbContext>();
            left.Add(new Service { Name = "abandoned" });
            AfterCommit.Add(left, () => runs++);
        }

        // Contexts are pooled: scopes are handed reset ones, this one among them sooner or later.
        for (var i = 0; ; i++)
        {
            Assert.True(i < 5000, "the pool never handed the context back");
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            if (ReferenceEquals(db, left))
            {
                db.Add(new Service { Name = "next" });
                await db.SaveChangesAsync();
                break;
            }
        }

        Assert.Equal(0, runs);
        Assert.Equal(0, await ServicesSeenByAnotherReaderAsync("abandoned"));
        Assert.Equal(1, await ServicesSeenByAnotherReaderAsync("next"));
    }
}

public sealed class AfterCommitOnSqlite : AfterCommitTests
{
    protected override Task<string?> DatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class AfterCommitOnPostgres(PostgresServer postgres) : AfterCommitTests
{
    protected override async Task<string?> DatabaseAsync() => await postgres.CreateDatabaseAsync();
}
