#!/usr/bin/env python3
"""Dashboard benchmark (bench/web/run.sh): everything on 127.0.0.1, bounded in time.

1. /api/state requests/s with wrk (1 thread, 8 connections, 5 s), against the baseline of
   Python's ThreadingHTTPServer serving a static copy of the same JSON: the ratio says what
   rendering the live state inside the run loop costs next to a plain static file server.
2. SSE clients: N event streams held open (and read), for N in 0, 100, 500; per step the
   gateway's RSS, the events each client received per second, and the CAN frames and Benchlab
   telemetry messages the broker saw per second, as ratios against N = 0.
"""
import argparse, json, os, re, selectors, shutil, socket, subprocess, sys, tempfile, threading, time
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def wait_port(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close(); return True
        except OSError:
            time.sleep(0.1)
    return False

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"): return int(line.split()[1])
    return 0

def wrk(url, seconds=5):
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", url], capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else 0.0

class Counter:
    """mosquitto_sub on a topic filter, counting messages."""
    def __init__(self, port, topic):
        self.count = 0
        self.proc = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-F", "x"],
                                     stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
    def _read(self):
        for _ in self.proc.stdout: self.count += 1
    def stop(self): self.proc.kill()

class StreamClients:
    """N sockets on /events, read without blocking; counts the events each received."""
    def __init__(self, port, n):
        self.sel = selectors.DefaultSelector()
        self.events = 0
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n")
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ)
            self.socks.append(s)
    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            for key, _ in self.sel.select(timeout=0.1):
                try: data = key.fileobj.recv(65536)
                except BlockingIOError: continue
                self.events += data.count(b"\ndata: ")
    def close(self):
        for s in self.socks: s.close()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--clients", default="0,100,500")
    ap.add_argument("--seconds", type=float, default=5)
    args = ap.parse_args()
    if not shutil.which("wrk"): sys.exit("bench/web: wrk is missing (apt-get install wrk; toolchain/packages.sh has it)")
    work = tempfile.mkdtemp(prefix="bench-web-")
    procs = []
    try:
        port, web = free_port(), free_port()
        with open(f"{work}/m.conf", "w") as f: f.write(f"user root\nlistener {port} 127.0.0.1\nallow_anonymous true\n")
        procs.append(subprocess.Popen(["mosquitto", "-c", f"{work}/m.conf"], stderr=subprocess.DEVNULL))
        wait_port(port)
        slcan = subprocess.Popen([sys.executable, "tools/slcan-sim.py", "--quiet", "--every", "0.001",
                                  "--frame", "t1238DEADBEEF01020304"],
                                 stdout=subprocess.PIPE, text=True)
        procs.append(slcan)
        bench = subprocess.Popen([sys.executable, "tools/benchlab-sim.py", "--count", "2"], stdout=subprocess.PIPE, text=True)
        procs.append(bench)
        slcan_tty = slcan.stdout.readline().split()[-1]
        ttys = [bench.stdout.readline().split()[-1] for _ in range(2)]
        # Keep reading what the simulators print, so a full pipe never stalls them.
        for p in (slcan, bench):
            threading.Thread(target=lambda f=p.stdout: [None for _ in f], daemon=True).start()
        data = f"{work}/data"; os.makedirs(data)
        cfg = {"node.name": "bench", "console.device": "none", "rpc.port": str(free_port()),
               "can.enabled": "true", "can.bus": "slcan", "can.slcan_device": slcan_tty,
               "benchlab.enabled": "true", "benchlab.ports": ",".join(ttys), "benchlab.poll_s": "1",
               "web.enabled": "true", "web.port": str(web), "web.max_clients": "1024"}
        for k, v in cfg.items():
            subprocess.run([args.binary, "config", "set", k, v, "--data", data], check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, MQTT_BROKER="127.0.0.1", MQTT_PORT=str(port), LOG_LEVEL="info")
        gw = subprocess.Popen([args.binary, "run", "--data", data], env=env,
                              stdout=open(f"{work}/gw.log", "w"), stderr=subprocess.STDOUT)
        procs.append(gw)
        if not wait_port(web, timeout=20):
            sys.exit(f"bench/web: the dashboard did not come up (gateway exit status {gw.poll()}); its log:\n"
                     + open(f"{work}/gw.log").read()[-2000:])
        time.sleep(2)

        state = subprocess.run(["curl", "-s", f"http://127.0.0.1:{web}/api/state"], capture_output=True).stdout
        static_dir = f"{work}/static"; os.makedirs(static_dir)
        with open(f"{static_dir}/state.json", "wb") as f: f.write(state)
        handler = lambda *a, **k: SimpleHTTPRequestHandler(*a, directory=static_dir, **k)
        SimpleHTTPRequestHandler.log_message = lambda *a: None
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.handle_error = lambda *a: None  # wrk closes connections mid-reply at the end
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_rps = wrk(f"http://127.0.0.1:{server.server_address[1]}/state.json")
        server.shutdown()
        gw_rps = wrk(f"http://127.0.0.1:{web}/api/state")
        print(f"/api/state ({len(state)} bytes of live state): {gw_rps:,.0f} requests/s; "
              f"Python http.server, static copy: {base_rps:,.0f}/s; ratio {gw_rps / max(base_rps, 1):.1f}x")
        metrics_rps = wrk(f"http://127.0.0.1:{web}/metrics")
        print(f"/metrics: {metrics_rps:,.0f} requests/s ({metrics_rps / max(base_rps, 1):.1f}x the static baseline)")

        baseline = None
        for n in [int(x) for x in args.clients.split(",")]:
            clients = StreamClients(web, n)
            clients.pump(1.5)  # connect, first event
            can, tele = Counter(port, "can/#"), Counter(port, "clients/+/links/+/benchlabs/+/telemetry")
            time.sleep(0.5)
            c0, t0, e0, start = can.count, tele.count, clients.events, time.time()
            clients.pump(args.seconds)
            elapsed = time.time() - start
            can_rate, tele_rate = (can.count - c0) / elapsed, (tele.count - t0) / elapsed
            per_client = (clients.events - e0) / elapsed / n if n else 0.0
            rss = rss_kib(gw.pid)
            can.stop(); tele.stop()
            if baseline is None: baseline = (can_rate, tele_rate, rss)
            print(f"{n:4d} SSE clients: {per_client:4.2f} events/s each; CAN {can_rate:,.0f} frames/s "
                  f"({can_rate / max(baseline[0], 1e-9):.2f}x), Benchlab {tele_rate:.1f} msgs/s "
                  f"({tele_rate / max(baseline[1], 1e-9):.2f}x); RSS {rss:,} KiB "
                  f"(+{(rss - baseline[2]) / max(n, 1):.1f} KiB per client)")
            clients.close()
            time.sleep(1)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try: p.wait(timeout=5)
            except subprocess.TimeoutExpired: p.kill()
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
