#!/usr/bin/env python3
"""Failover time of replicas over one PostgreSQL (issue 18, "Speed").

Starts a throwaway PostgreSQL (initdb/pg_ctl from /usr/lib/postgresql/*/bin, as the postgres user
when run as root), a loopback webhook receiver and three `vigil serve` replicas with
cluster.lease_ttl TTL. Then KILLS times: SIGKILL the replica holding the `dispatch` lease, post
a new inbound alert to a survivor at once, and measure until (a) the dispatch lease and the rule
group lease are held by a live replica (the next evaluation runs at the group's next 1 s slot) and
(b) the receiver gets the alert's notification (first delivery by another replica). The killed
replica is restarted before the next round. Prints p50/p99 of both.

Usage: bench/cluster/failover.py [KILLS=10] [TTL_SECONDS=4]
Needs a Release build: dotnet build src/Vigil -c Release. Everything listens on 127.0.0.1 only.
"""
import glob, http.server, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request

KILLS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TTL = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIGIL = os.path.join(ROOT, "src/Vigil/bin/Release/net10.0/vigil.dll")
PGBIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
TOKEN = "bench-failover-0123456789abcdef0123456789abcdef"
received = {}  # alertname -> time first delivered


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = time.monotonic()
        try:
            for alert in json.loads(body).get("alerts", []):
                received.setdefault(alert["labels"].get("alertname"), now)
        except ValueError:
            pass
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def as_postgres(args):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + args
    return args


def psql(port, db, sql):
    out = subprocess.run(as_postgres([f"{PGBIN}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-tAc", sql]),
                         capture_output=True, text=True)
    return out.stdout.strip()


def main():
    work = tempfile.mkdtemp(prefix="vigil-failover-")
    os.chmod(work, 0o777)
    pgdata, pgport = os.path.join(work, "pg"), free_port()
    subprocess.run(as_postgres([f"{PGBIN}/initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "--no-sync"]), check=True, capture_output=True)
    subprocess.run(as_postgres([f"{PGBIN}/pg_ctl", "-D", pgdata, "-l", os.path.join(work, "pg.log"), "-w", "-o",
                                f"-p {pgport} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]), check=True, capture_output=True)
    psql(pgport, "postgres", "CREATE DATABASE vigil")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with open(os.path.join(work, "token"), "w") as f:
        f.write(TOKEN)
    with open(os.path.join(work, "rules.yml"), "w") as f:
        f.write("groups:\n  - name: always\n    interval: 1s\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n")
    config = os.path.join(work, "vigil.yaml")
    with open(config, "w") as f:
        f.write(f"""cluster:
  lease_ttl: {TTL:g}s
channels:
  - {{name: ops, type: webhook, url: "http://127.0.0.1:{server.server_port}/hook", timeout: 5s}}
alerting:
  rule_files: [{work}/rules.yml]
  integrations: [{{name: bench, type: alertmanager, token_file: {work}/token}}]
routing:
  route: {{receiver: ops, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}}
""")
    database = f"postgres://postgres@127.0.0.1:{pgport}/vigil"
    replicas = []  # (process, port)

    def start(index):
        port = free_port()
        log = open(os.path.join(work, f"replica-{index}.log"), "w")
        p = subprocess.Popen(["dotnet", VIGIL, "serve", "--urls", f"http://127.0.0.1:{port}", "--data", os.path.join(work, f"data-{index}"),
                              "--database", database, "--config", config], stdout=log, stderr=subprocess.STDOUT)
        for _ in range(1200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                return p, port
            except Exception:
                time.sleep(0.1)
        log.flush()
        raise SystemExit(f"replica {index} did not start:\n" + open(os.path.join(work, f"replica-{index}.log")).read()[-3000:])

    def post(port, name):
        body = json.dumps([{"labels": {"alertname": name, "severity": "critical"}}]).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/alerts", body, {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        urllib.request.urlopen(req, timeout=10)

    def holder(lease):
        return psql(pgport, "vigil", f"SELECT holder FROM leases WHERE name = '{lease}' AND expires_at > now()")

    def live_holder(lease, procs):
        h = holder(lease)
        return next((p for p, _ in procs if h and f"-{p.pid}-" in h), None)

    try:
        replicas = [start(i) for i in range(3)]
        while "AlwaysFiring" not in received:
            time.sleep(0.1)
        leases, deliveries = [], []
        for k in range(KILLS):
            victim = None
            while victim is None:
                victim = live_holder("dispatch", replicas)
                time.sleep(0.05)
            survivors = [(p, port) for p, port in replicas if p is not victim]
            victim.send_signal(signal.SIGKILL)
            t0 = time.monotonic()
            victim.wait()
            name = f"Failover{k}"
            post(survivors[0][1], name)
            moved = None
            while name not in received or moved is None:
                if moved is None and live_holder("dispatch", survivors) and live_holder("rules/" + os.path.join(work, "rules.yml") + "/always", survivors):
                    moved = time.monotonic() - t0
                if time.monotonic() - t0 > 120:
                    raise SystemExit(f"round {k}: no failover within 120 s; see {work}")
                time.sleep(0.02)
            delivered = received[name] - t0
            leases.append(moved)
            deliveries.append(delivered)
            print(f"kill {k + 1}: leases on a survivor after {moved:.2f} s, first delivery after {delivered:.2f} s", flush=True)
            replicas = survivors + [start(10 + k)]

        def pct(values, q):
            s = sorted(values)
            return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]
        print(f"TTL {TTL:g} s, {KILLS} kills")
        print(f"dispatch and rule-group leases on a survivor: p50 {pct(leases, 0.5):.2f} s, p99 {pct(leases, 0.99):.2f} s")
        print(f"first delivery by a survivor:                p50 {pct(deliveries, 0.5):.2f} s, p99 {pct(deliveries, 0.99):.2f} s")
    finally:
        for p, _ in replicas:
            p.kill()
            p.wait()
        server.shutdown()
        subprocess.run(as_postgres([f"{PGBIN}/pg_ctl", "-D", pgdata, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
