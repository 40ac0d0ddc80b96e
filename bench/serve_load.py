#!/usr/bin/env python3
"""bench/serve_load.py - the HTTP side of bench/serve.sh: N concurrent clients, each on its own
keep-alive connection, each running M searches through /api/search (the page's request: limit 10,
facets on). Client t takes query (t * M + j) mod Q, as bench/serve-lib's thread t does.

  serve_load.py URL QUERIES.txt --clients N --searches M [--warmup W] [--while-pid PID] [--lat FILE]

--while-pid PID: each client goes round its M searches again and again while process PID (a
reindex, a compaction) runs, at least once. Prints one JSON object: requests, errors (any status
but 200, or a dropped connection), a few error samples, wall_s, throughput (requests/s), p50,
p95, p99 (ms)."""
import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[k]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A finished child not yet reaped is a zombie: count it as done.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("queries")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--searches", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--while-pid", type=int)
    ap.add_argument("--lat")
    a = ap.parse_args()
    queries = [l.rstrip("\r\n") for l in open(a.queries, encoding="utf-8")]
    queries = [q for q in queries if q and not q.startswith("#")]
    u = urllib.parse.urlparse(a.url)
    lat, errors, samples = [], [0], []
    lock = threading.Lock()
    start = threading.Barrier(a.clients + 1)

    def client(t):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

        def get(q):
            nonlocal conn
            path = "/api/search?" + urllib.parse.urlencode({"q": q})
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read()
                return r.status, body
            except Exception as e:  # a dropped connection: a failed request, then a new one
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                return None, repr(e).encode()

        for w in range(a.warmup):
            for k in range(len(queries)):
                get(queries[(t + k) % len(queries)])
        start.wait()
        mine, bad = [], []
        rounds = 0
        while True:
            for s in range(a.searches):
                q = queries[(t * a.searches + s) % len(queries)]
                t0 = time.monotonic()
                status, body = get(q)
                mine.append((time.monotonic() - t0) * 1000)
                if status != 200:
                    bad.append((q, status, body[:200].decode("utf-8", "replace")))
            rounds += 1
            if not a.while_pid or not alive(a.while_pid):
                break
        conn.close()
        with lock:
            lat.extend(mine)
            errors[0] += len(bad)
            samples.extend(bad[:3])

    threads = [threading.Thread(target=client, args=(t,)) for t in range(a.clients)]
    for th in threads:
        th.start()
    start.wait()
    t0 = time.monotonic()
    for th in threads:
        th.join()
    wall = time.monotonic() - t0
    if a.lat:
        with open(a.lat, "w") as f:
            f.writelines(f"{x:.3f}\n" for x in lat)
    print(json.dumps({"requests": len(lat), "errors": errors[0], "error_samples": samples[:5],
                      "wall_s": round(wall, 3), "throughput": round(len(lat) / wall, 1),
                      "p50": round(pct(lat, 50), 2), "p95": round(pct(lat, 95), 2),
                      "p99": round(pct(lat, 99), 2)}))


if __name__ == "__main__":
    main()
