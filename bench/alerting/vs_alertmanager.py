#!/usr/bin/env python3
"""Alert path side by side: POST /api/v2/alerts -> webhook, Vigil against Alertmanager 0.25.

Usage (from the repository root, after `dotnet build Vigil.slnx -c Release`; Debian's
`prometheus-alertmanager` installed):
    python3 bench/alerting/vs_alertmanager.py [ALERTS=100] [ROUNDS=5] [DATABASE=sqlite]

Both systems run on 127.0.0.1 with the same route: group_by [alertname] (each alert its own
group), group_wait 0s, to a webhook served by this script. One alert at a time is posted (a new
alertname each, so each is a new group's first notification) and the next is posted once the
webhook got it, so this measures the path itself, not a queue. Latency is from just before the
POST is written to the moment the webhook request arrives, both on this process's monotonic
clock. Each round runs both systems, in alternating order, ALERTS alerts each; WARMUP alerts per
system (environment variable, default 1000) are sent first and not counted: connection set-up,
and .NET's tiered JIT, which compiles a hot method again with full optimization only after 30
calls and in the background, so that a few dozen alerts measure the JIT, not the path (with 20
warm-up alerts Vigil used 18 ms of CPU per alert, after 1,000 it used 7; Alertmanager, compiled
ahead of time, is the same either way). Vigil runs `vigil serve` on
SQLite in a fresh data directory (or DATABASE as a postgres:// URL). Prints nearest-rank
percentiles per system and the load average, because this machine is shared. On SQLite it also
prints each Vigil's managed heap allocations per alert and how often its GC collected gen0 and
gen1, from the process's own /metrics read before and after each round (as a viewer created with
`vigil admin create` before the start).

VIGIL_DLL_B (environment): a second build of vigil.dll, run as a third system "vigil-b" in the same
rounds (the order rotates from round to round), for a before/after on the same machine load.
VIGIL_B_ENV (environment): KEY=VALUE pairs, space-separated, set for vigil-b only (with
VIGIL_DLL_B unset, vigil-b runs the same build): a runtime setting compared on one build.
LATENCIES (environment): a file to write every system's latencies to (JSON, in the order sent),
to see where the slow ones fall.
"""
import http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

alerts = int(sys.argv[1]) if len(sys.argv) > 1 else 100
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
database = sys.argv[3] if len(sys.argv) > 3 else "sqlite"
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# VIGIL_DLL: another build of vigil.dll (an older commit, for a before/after run).
vigil = os.environ.get("VIGIL_DLL") or os.path.join(root, "src/Vigil/bin/Release/net10.0/vigil.dll")
vigil_b_env = dict(kv.split("=", 1) for kv in os.environ.get("VIGIL_B_ENV", "").split())
vigil_b = os.environ.get("VIGIL_DLL_B") or (vigil if vigil_b_env else None)
TOKEN = "bench-alert-token-0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


arrived = {}  # alertname -> perf_counter at arrival
cond = threading.Condition()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        at = time.perf_counter()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with cond:
            for a in body["alerts"]:
                if a["status"] == "firing":
                    arrived.setdefault(a["labels"]["alertname"], at)
            cond.notify_all()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Listener(ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


receiver = Listener(("127.0.0.1", free_port()), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
hook = f"http://127.0.0.1:{receiver.server_address[1]}"
work = tempfile.mkdtemp(prefix="vigil-bench-am.")


def wait_http(port, path, process, what):
    deadline = time.time() + 120
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with {process.returncode}; see {work}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{what} did not start; see {work}")


def start_alertmanager():
    port = free_port()
    with open(os.path.join(work, "alertmanager.yml"), "w") as f:
        f.write(f"""route:
  receiver: bench
  group_by: [alertname]
  group_wait: 0s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: bench
    webhook_configs:
      - url: {hook}/am
        send_resolved: false
""")
    p = subprocess.Popen(["prometheus-alertmanager", f"--config.file={work}/alertmanager.yml", f"--storage.path={work}/am",
                          f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                         stdout=open(os.path.join(work, "alertmanager.log"), "w"), stderr=subprocess.STDOUT)
    wait_http(port, "/-/ready", p, "alertmanager")
    return p, port, {}


def start_vigil(dll, name, extra_env=None):
    port = free_port()
    with open(os.path.join(work, "alerts.token"), "w") as f:
        f.write(TOKEN)
    with open(os.path.join(work, f"{name}.yaml"), "w") as f:
        f.write(f"""alerting:
  integrations:
    - name: bench
      type: alertmanager
      token_file: alerts.token
routing:
  route:
    receiver: bench
    group_by: [alertname]
    group_wait: 0s
    group_interval: 5m
    repeat_interval: 4h
channels:
  - name: bench
    type: webhook
    url: {hook}/{name}
    rate_limit: 100000
    send_resolved: false
access:
  rate_limits:
    metrics: 1000000
""")
    args = ["dotnet", dll, "serve", "--config", f"{work}/{name}.yaml", "--data", f"{work}/{name}-data", "--urls", f"http://127.0.0.1:{port}"]
    if database != "sqlite":
        if vigil_b:
            sys.exit("VIGIL_DLL_B runs on SQLite only (two builds on one PostgreSQL database would share its state)")
        args += ["--database", database]
    env = dict(os.environ, Logging__LogLevel__Default="Warning", **(extra_env or {}))
    # A viewer's API token, to read the process's own /metrics (allocated bytes, collections) around each round.
    password = f"bench-password-{os.getpid()}"
    if database == "sqlite":
        subprocess.run(["dotnet", dll, "admin", "create", "--username", "bench", "--password-stdin", "--data", f"{work}/{name}-data"],
                       input=password, text=True, check=True, capture_output=True)
    p = subprocess.Popen(args, stdout=open(os.path.join(work, f"{name}.log"), "w"), stderr=subprocess.STDOUT, env=env)
    wait_http(port, "/api/health", p, name)
    if database == "sqlite":
        metrics_tokens[name] = subprocess.run(["python3", os.path.join(root, "bench/lib/token.py"), f"http://127.0.0.1:{port}", "bench", password],
                                              check=True, capture_output=True, text=True).stdout.strip()
    return p, port, {"Authorization": f"Bearer {TOKEN}"}


metrics_tokens = {}


def gc_figures(name, port):
    """Bytes allocated on the managed heap so far, gen0 and gen1 collections, and the seconds the collector paused the process (the process's /metrics); None for Alertmanager."""
    if name not in metrics_tokens:
        return None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {metrics_tokens[name]}"})
    text = conn.getresponse().read().decode()
    conn.close()

    def value(pattern):
        m = re.search(r"^" + pattern + r" (\S+)$", text, re.M)
        return float(m.group(1)) if m else 0.0
    return (value("system_runtime_dotnet_gc_heap_total_allocated"),
            value(r'system_runtime_dotnet_gc_collections\{gc_heap_generation="gen0"\}'),
            value(r'system_runtime_dotnet_gc_collections\{gc_heap_generation="gen1"\}'),
            value(r"system_runtime_dotnet_gc_pause_time\w*"))


def run(system, port, headers, prefix, count):
    """Posts count alerts one after the other; returns each one's latency in ms (and notes the POST's own)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies = []
    for k in range(count):
        name = f"{prefix}_{k:05d}"
        body = json.dumps([{"labels": {"alertname": name, "bench": "am"}, "annotations": {"summary": "bench"}}])
        sent = time.perf_counter()
        conn.request("POST", "/api/v2/alerts", body, {"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        response.read()
        acks[system].append((time.perf_counter() - sent) * 1000)
        if response.status != 200:
            sys.exit(f"{system} answered {response.status} to POST /api/v2/alerts")
        with cond:
            if not cond.wait_for(lambda: name in arrived, timeout=10):
                sys.exit(f"{system}: {name} did not arrive within 10 s")
            latencies.append((arrived[name] - sent) * 1000)
    conn.close()
    return latencies


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (/proc/PID/stat, fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rank(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(-(-p * len(values) // 100)) - 1))]


systems = {"alertmanager": start_alertmanager(), "vigil": start_vigil(vigil, "vigil")}
if vigil_b:
    systems["vigil-b"] = start_vigil(vigil_b, "vigil-b", vigil_b_env)
results = {name: [] for name in systems}
acks = {name: [] for name in systems}
cpu = {name: 0.0 for name in systems}
gc = {name: [0.0, 0.0, 0.0, 0.0] for name in systems}
loads = [os.getloadavg()[0]]
try:
    for name, (_, port, headers) in systems.items():
        run(name, port, headers, f"warm_{name}", int(os.environ.get("WARMUP", "1000")))
        acks[name].clear()
    order = list(systems)
    for r in range(rounds):
        # The order rotates from round to round (with two systems: alternates).
        for name in order[r % len(order):] + order[:r % len(order)]:
            process, port, headers = systems[name]
            before = gc_figures(name, port)
            used = cpu_seconds(process.pid)
            results[name] += run(name, port, headers, f"r{r}_{name}", alerts)
            cpu[name] += cpu_seconds(process.pid) - used
            if before is not None:
                # Read after the CPU, so the /metrics requests' own work is not counted as the alerts'.
                gc[name] = [t + b - a for t, a, b in zip(gc[name], before, gc_figures(name, port))]
            loads.append(os.getloadavg()[0])
finally:
    for p, _, _ in systems.values():
        p.terminate()
        p.wait(30)
    receiver.shutdown()

print(f"POST /api/v2/alerts -> webhook, one alert at a time, group_wait 0s, each alert its own group; "
      f"{rounds} rounds x {alerts} alerts per system, in rotating order; Vigil on {'SQLite' if database == 'sqlite' else 'PostgreSQL'}")
for name, values in results.items():
    print(f"{name:13} p50 {rank(values, 50):6.2f} ms  p90 {rank(values, 90):6.2f} ms  p99 {rank(values, 99):6.2f} ms  max {max(values):6.2f} ms  (n={len(values)}); "
          f"the POST itself answered in p50 {rank(acks[name], 50):.2f} ms, p99 {rank(acks[name], 99):.2f} ms; "
          f"CPU {1000 * cpu[name] / len(values):.2f} ms per alert")
    if name in metrics_tokens:
        allocated, gen0, gen1, paused = gc[name]
        print(f"{'':13} managed heap: {allocated / len(values) / 1024:.0f} KB allocated per alert (and one /metrics read per round); "
              f"a gen0 collection every {len(values) / max(gen0, 1):.0f} alerts, a gen1 every {len(values) / max(gen1, 1):.0f}; "
              f"the collector paused it {1000 * paused / max(gen0 + gen1, 1):.2f} ms per collection")
am = results["alertmanager"]
for name in [n for n in results if n != "alertmanager"]:
    vg = results[name]
    print(f"{name} / alertmanager: p50 {rank(vg, 50) / rank(am, 50):.2f}x, p99 {rank(vg, 99) / rank(am, 99):.2f}x")
if os.environ.get("LATENCIES"):
    with open(os.environ["LATENCIES"], "w") as f:
        json.dump(results, f)
print(f"load average (1 min) during the run: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores")
shutil.rmtree(work, ignore_errors=True)
