#!/usr/bin/env python3
"""End-to-end alert latency: from the rule evaluation at which an alert starts firing to the
webhook receiving it, through the real server (`vigil serve`, Release build, SQLite).

Usage (from the repository root, after `dotnet build Vigil.slnx -c Release`):
    python3 bench/alerting/e2e.py [ALERTS=200] [ROUNDS=10] [GROUP_WAIT_S=0] [GAP_S=5]

The server gets one rule group (interval 1s) of ALERTS alerting rules, `for: 0s`, each
`vector(time()) >= T` with T stepping by GAP_S seconds from round to round, so ALERTS/ROUNDS
alerts start firing together at known evaluations. The route groups by alertname (one
notification per alert) with group_wait GROUP_WAIT_S and sends to a webhook channel on
127.0.0.1 served by this script, which records each arrival. A firing alert's startsAt is the
timestamp of the evaluation at which it fired (Prometheus: ActiveAt, for: 0s), so
latency = arrival - startsAt - group_wait. Prints nearest-rank percentiles and the load average.
"""
import datetime, json, os, shutil, socket, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

alerts = int(sys.argv[1]) if len(sys.argv) > 1 else 200
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
group_wait = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
gap = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
vigil = os.path.join(root, "src/Vigil/bin/Release/net10.0/vigil.dll")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_time(text):
    # RFC 3339 with up to 9 fractional digits; Python takes 6.
    text = text.rstrip("Z")
    if "." in text:
        whole, frac = text.split(".")
        text = whole + "." + (frac + "000000")[:6]
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()


arrivals = {}  # alertname -> (arrival, startsAt)
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        at = time.time()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            for a in body["alerts"]:
                if a["status"] == "firing":
                    arrivals.setdefault(a["labels"]["alertname"], (at, parse_time(a["startsAt"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Listener(ThreadingHTTPServer):
    # Python's default listen backlog is 5: with more simultaneous connections (Vigil sends up to 8
    # groups' notifications to one channel at once) the kernel drops SYNs and the sender retries
    # after 1 s, which no real receiver (Slack, PagerDuty, a webhook behind nginx) makes it do.
    request_queue_size = 128


receiver = Listener(("127.0.0.1", free_port()), Receiver)
threading.Thread(target=receiver.serve_forever, daemon=True).start()

work = tempfile.mkdtemp(prefix="vigil-bench-e2e.")
vigil_port = free_port()
# The first round fires well after the server is up (startup under load takes a while).
t0 = int(time.time()) + 60
per_round = alerts // rounds
with open(os.path.join(work, "rules.yml"), "w") as f:
    f.write("groups:\n  - name: e2e\n    interval: 1s\n    rules:\n")
    for k in range(alerts):
        threshold = t0 + (k // per_round) * gap
        f.write(f"      - alert: E2E_{k:04d}\n        expr: vector(time()) >= {threshold}\n        for: 0s\n"
                f"        labels: {{bench: e2e}}\n")
with open(os.path.join(work, "vigil.yaml"), "w") as f:
    f.write(f"""alerting:
  rule_files: [rules.yml]
routing:
  route:
    receiver: bench
    group_by: [alertname]
    group_wait: {int(group_wait * 1000)}ms
    group_interval: 5m
    repeat_interval: 4h
channels:
  - name: bench
    type: webhook
    url: http://127.0.0.1:{receiver.server_address[1]}/alerts
    rate_limit: 100000
""")
log = open(os.path.join(work, "vigil.log"), "w")
server = subprocess.Popen(["dotnet", vigil, "serve", "--config", os.path.join(work, "vigil.yaml"),
                           "--data", os.path.join(work, "data"), "--urls", f"http://127.0.0.1:{vigil_port}"],
                          stdout=log, stderr=subprocess.STDOUT)
loads = [os.getloadavg()[0]]
try:
    deadline = t0 + rounds * gap + 60
    while time.time() < deadline and len(arrivals) < per_round * rounds:
        if server.poll() is not None:
            sys.exit(f"vigil exited with {server.returncode}; see {work}/vigil.log")
        time.sleep(1)
        loads.append(os.getloadavg()[0])
finally:
    server.terminate()
    server.wait(30)
    receiver.shutdown()

latencies = sorted((at - starts - group_wait) * 1000 for at, starts in arrivals.values())
if not latencies:
    sys.exit(f"no alert arrived; see {work}/vigil.log")


def rank(p):
    return latencies[max(0, min(len(latencies) - 1, int(-(-p * len(latencies) // 100)) - 1))]


print(f"alerts: {len(latencies)} of {per_round * rounds} arrived, {rounds} rounds of {per_round}, {gap:g}s apart; "
      f"rule interval 1s, for 0s, group_wait {group_wait:g}s (subtracted)")
print(f"latency evaluation -> webhook (ms): p50 {rank(50):.0f}, p90 {rank(90):.0f}, p99 {rank(99):.0f}, max {latencies[-1]:.0f}, min {latencies[0]:.0f}")
print(f"load average (1 min) during the run: {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores")
shutil.rmtree(work, ignore_errors=True)
