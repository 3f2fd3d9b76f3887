using Npgsql;
using Vigil.Data;

namespace Vigil.Features.Cluster;

/// <summary>
/// The lease and membership statements of one replica (<paramref name="memberId"/>). On PostgreSQL
/// each is one statement that the database decides on its own clock (<c>now()</c>), so two
/// replicas never both hold a lease and their clocks' skew plays no part. On SQLite there is one
/// process: every lease is held, with token 1, and nothing is read or written.
/// </summary>
public sealed class LeaseStore : IAsyncDisposable
{
    /// <summary>
    /// Takes a free lease, renews one's own, or does nothing (no row returned). The token grows when
    /// the holder changes, and also when one's own lease had lapsed, so writes begun under the lapsed
    /// grant are refused too. <c>@patience</c> lets a replica that is not the lease's preferred owner
    /// take it only once it has been free that long (rule groups spread over the replicas that way).
    /// </summary>
    private const string AcquireSql = """
        INSERT INTO leases (name, holder, token, expires_at) VALUES (@name, @me, 1, now() + @ttl)
        ON CONFLICT (name) DO UPDATE SET
            token = CASE WHEN leases.holder = @me AND leases.expires_at > now() THEN leases.token ELSE leases.token + 1 END,
            holder = @me,
            expires_at = now() + @ttl
        WHERE (leases.holder = @me AND leases.expires_at > now()) OR leases.expires_at <= now() - @patience
        RETURNING token
        """;

    private const string ReleaseSql = "UPDATE leases SET expires_at = now() WHERE name = @name AND holder = @me AND token = @token";

    /// <summary>
    /// The fence: run first in a transaction that writes under a lease. <c>FOR SHARE</c> keeps the row
    /// from changing holder until the transaction ends, so a write is committed under a current token
    /// or not at all, while several writers under the same grant do not wait for each other. A
    /// replica frozen inside such a transaction would keep that lock, and its lease, for ever:
    /// <c>idle_in_transaction_session_timeout</c> (one TTL) makes PostgreSQL end its session instead.
    /// </summary>
    public const string FenceSql = """
        SELECT 1 FROM leases CROSS JOIN LATERAL set_config('idle_in_transaction_session_timeout', @idle, true) AS idle
        WHERE name = @name AND holder = @me AND token = @token AND expires_at > now() FOR SHARE OF leases
        """;

    private const string HeartbeatSql = """
        INSERT INTO cluster_members (id, address, version, started, heartbeat) VALUES (@me, @address, @version, now(), now())
        ON CONFLICT (id) DO UPDATE SET heartbeat = now(), address = @address, version = @version
        """;

    private readonly NpgsqlDataSource? postgres;

    public LeaseStore(DatabaseSettings database, string memberId)
    {
        MemberId = memberId;
        // A lease statement that finds the row locked (by a fenced transaction) gives up after a
        // second rather than wait: it is tried again at the next renewal.
        postgres = database.Provider == DatabaseProvider.Postgres
            ? NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Options = "-c lock_timeout=1000", CommandTimeout = 10 }.ConnectionString)
            : null;
    }

    public string MemberId { get; }

    /// <summary>One process over SQLite: every lease is held and there are no other members.</summary>
    public bool SingleProcess => postgres is null;

    /// <returns>The fencing token of the lease now held by this replica, or null when another holds it.</returns>
    public async Task<long?> AcquireAsync(string name, TimeSpan ttl, TimeSpan patience, CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            return 1;
        }
        await using var command = postgres.CreateCommand(AcquireSql);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("me", MemberId);
        command.Parameters.AddWithValue("ttl", ttl);
        command.Parameters.AddWithValue("patience", patience);
        return await command.ExecuteScalarAsync(cancellationToken) is long token ? token : null;
    }

    /// <summary>Gives the lease up now (at shutdown), so another replica takes it without waiting for the TTL.</summary>
    public async Task ReleaseAsync(string name, long token, CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            return;
        }
        await using var command = postgres.CreateCommand(ReleaseSql);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("me", MemberId);
        command.Parameters.AddWithValue("token", token);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether <paramref name="token"/> is still the current grant of this replica (the fence, outside a transaction).</summary>
    public async Task<bool> IsCurrentAsync(string name, long token, CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            return true;
        }
        await using var connection = await postgres.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = await FenceAsync(connection, transaction, new LeaseGrant(name, token, MemberId), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return current;
    }

    /// <summary>Runs the fence inside <paramref name="transaction"/>: true when the grant is current, and then it stays so until the transaction ends.</summary>
    public static async Task<bool> FenceAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, LeaseGrant grant, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = FenceSql;
        AddParameter(command, "name", grant.Name);
        AddParameter(command, "me", grant.Holder);
        AddParameter(command, "token", grant.Token);
        AddParameter(command, "idle", ((long)(grant.Ttl ?? TimeSpan.FromSeconds(10)).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static void AddParameter(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Registers this replica or renews its heartbeat.</summary>
    public async Task HeartbeatAsync(string address, string version, CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            return;
        }
        await using var command = postgres.CreateCommand(HeartbeatSql);
        command.Parameters.AddWithValue("me", MemberId);
        command.Parameters.AddWithValue("address", address);
        command.Parameters.AddWithValue("version", version);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The members whose heartbeat is younger than <paramref name="ttl"/> (the database's clock), this one always among them.</summary>
    public async Task<IReadOnlyList<string>> LiveMembersAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            return [MemberId];
        }
        await using var command = postgres.CreateCommand("SELECT id FROM cluster_members WHERE heartbeat > now() - @ttl");
        command.Parameters.AddWithValue("ttl", ttl);
        var members = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(reader.GetString(0));
        }
        if (!members.Contains(MemberId, StringComparer.Ordinal))
        {
            members.Add(MemberId);
        }
        members.Sort(StringComparer.Ordinal);
        return members;
    }

    /// <summary>Every member and lease, with the database's clock to judge them by (PostgreSQL only).</summary>
    public async Task<ClusterSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            throw new InvalidOperationException("One process over SQLite keeps no membership.");
        }
        await using var batch = postgres.CreateBatch();
        batch.BatchCommands.Add(new("SELECT now()"));
        batch.BatchCommands.Add(new("SELECT id, address, version, started, heartbeat FROM cluster_members ORDER BY id"));
        batch.BatchCommands.Add(new("SELECT name, holder, token, expires_at FROM leases ORDER BY name"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var now = reader.GetFieldValue<DateTimeOffset>(0);
        await reader.NextResultAsync(cancellationToken);
        var members = new List<ClusterMember>();
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(new() { Id = reader.GetString(0), Address = reader.GetString(1), Version = reader.GetString(2), Started = reader.GetFieldValue<DateTimeOffset>(3), Heartbeat = reader.GetFieldValue<DateTimeOffset>(4) });
        }
        await reader.NextResultAsync(cancellationToken);
        var leases = new List<Lease>();
        while (await reader.ReadAsync(cancellationToken))
        {
            leases.Add(new() { Name = reader.GetString(0), Holder = reader.GetString(1), Token = reader.GetInt64(2), ExpiresAt = reader.GetFieldValue<DateTimeOffset>(3) });
        }
        return new ClusterSnapshot(now, members, leases);
    }

    /// <summary>Removes this replica from the membership (at shutdown), and members gone for long.</summary>
    public async Task LeaveAsync(TimeSpan forgetAfter, CancellationToken cancellationToken)
    {
        if (postgres is null)
        {
            return;
        }
        await using var command = postgres.CreateCommand("DELETE FROM cluster_members WHERE id = @me OR heartbeat < now() - @forget");
        command.Parameters.AddWithValue("me", MemberId);
        command.Parameters.AddWithValue("forget", forgetAfter);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }
}

/// <summary>The members and leases read at <see cref="Now"/> (the database's clock).</summary>
public sealed record ClusterSnapshot(DateTimeOffset Now, IReadOnlyList<ClusterMember> Members, IReadOnlyList<Lease> Leases);

/// <summary>A lease held by <see cref="Holder"/> under <see cref="Token"/>: writes made under it carry it (<see cref="LeaseFence"/>).</summary>
/// <param name="Ttl">The lease's TTL: a transaction fenced by it that stays idle this long is ended by the database.</param>
public sealed record LeaseGrant(string Name, long Token, string Holder, TimeSpan? Ttl = null);
