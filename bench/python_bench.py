"""The Python side of bench/python.sh (run it through that script): per-query latency of
Index.search() plus reading each hit's text, release, paragraph and score, against bench/pi-query
timing the same through C, the two alternating in one run."""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import pressindex

FIXTURE_QUERIES = [
    '"Organization of Turkic States"', "Kazakhstan", "Türkiye Kazakhstan cooperation",
    "president", "Sri Lanka economy", "investment OR trade", "Tokayev NEAR Erdogan",
    "title:president", "econom*", "+Kazakhstan -Türkiye", "tourism visitors", "Colombo",
]


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def passes(idx, queries, k, first=0):
    """One pass over the queries, each searched twice in a row: through the binding (search()
    and reading each hit's text, release, paragraph and score, as pi-query reads them), and as
    the C call alone through cffi with nothing read. The second tells what the interpreter
    around the library costs (cache and allocator state) from what the binding's own work does."""
    ffi, lib = pressindex._ffi, pressindex._lib
    so = ffi.new("pressindex_search_options *")
    lib.pressindex_search_options_init_sized(so, ffi.sizeof("pressindex_search_options"))
    so.limit = k
    out = ffi.new("pressindex_results **")
    py, raw = [], []
    for n, q in enumerate(queries):
        cq = ffi.new("char[]", q.encode())
        # in turn first and second: the second search of a query finds its blocks in the cache
        for which in ((0, 1) if (n + first) % 2 else (1, 0)):
            t0 = time.perf_counter()
            if which == 0:
                try:
                    for h in idx.search(q, limit=k):
                        h.text, h.release, h.paragraph, h.score
                except pressindex.Error:
                    pass
            else:
                so.query = cq
                if lib.pressindex_search(idx._h, so, out) == 0:
                    lib.pressindex_results_destroy(out[0])
            (py if which == 0 else raw).append((time.perf_counter() - t0) * 1e6)
    return py, raw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pi-query", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--corpora", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--queries")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--k", type=int, default=10)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    name = a.corpus or "fixtures"
    index = os.path.join(a.out, name + ".index")
    if not os.path.exists(index):
        src = a.fixtures if not a.corpus else os.path.join(a.corpora, a.corpus, "releases.jsonl.gz")
        t0 = time.time()
        with pressindex.Index(index, writable=True) as w:
            s = w.index_path(src)
        print(f"indexed {name}: {s.releases} releases, {s.passages} passages "
              f"({time.time() - t0:.1f} s)", file=sys.stderr)
    qfile = a.queries
    if not qfile:
        qfile = os.path.join(a.out, name + ".queries")
        if a.corpus:
            qs = []
            with open(os.path.join(a.corpora, a.corpus, "queries.tsv"), encoding="utf-8") as f:
                for line in f:
                    text = line.rstrip("\n").split("\t")[-1]
                    # reduced to words as DECISIONS "Measuring" does; the first 50
                    text = re.sub(r"[^\w\s'-]|_", " ", text)
                    text = re.sub(r"\b(AND|OR|NOT|NEAR)\b", lambda m: m.group(0).lower(), text)
                    text = " ".join(text.split()[:40])
                    if text:
                        qs.append(text)
            qs = qs[:50]
        else:
            qs = FIXTURE_QUERIES
        with open(qfile, "w", encoding="utf-8") as f:
            f.write("\n".join(qs) + "\n")
    queries = read_queries(qfile)

    c_lat = {i: [] for i in range(len(queries))}
    py_lat = {i: [] for i in range(len(queries))}
    raw_lat = {i: [] for i in range(len(queries))}
    latf = os.path.join(a.out, "c-lat.tsv")
    with pressindex.Index(index) as idx:
        passes(idx, queries, a.k)  # warm-up, as pi-query's untimed pass
        for _ in range(a.rounds):
            subprocess.run([a.pi_query, "query", index, qfile, "--warmup", "1", "--reps",
                            str(a.reps), "--lat", latf, "--k", str(a.k)], check=True,
                           stderr=subprocess.DEVNULL)
            with open(latf) as f:
                for line in f:
                    q, _, us = line.split("\t")
                    c_lat[int(q) - 1].append(float(us))
            for rep in range(a.reps):
                py, raw = passes(idx, queries, a.k, first=rep)
                for i in range(len(queries)):
                    py_lat[i].append(py[i])
                    raw_lat[i].append(raw[i])

    c_med = [statistics.median(c_lat[i]) for i in range(len(queries))]
    py_med = [statistics.median(py_lat[i]) for i in range(len(queries))]
    raw_med = [statistics.median(raw_lat[i]) for i in range(len(queries))]
    ratios = [p / c for p, c in zip(py_med, c_med) if c > 0]
    print(f"corpus {name}: {len(queries)} queries, {a.rounds} rounds x {a.reps} passes each side, "
          f"k={a.k}")
    print(f"{'query':40} {'C us':>9} {'Python us':>10} {'ratio':>6} {'cffi call alone us':>19}")
    for q, c, p, r in zip(queries, c_med, py_med, raw_med):
        print(f"{q[:40]:40} {c:9.1f} {p:10.1f} {p / c if c else 0:6.2f} {r:19.1f}")
    print(f"median per-query ratio Python/C: {statistics.median(ratios):.3f}")
    print(f"total (sum of medians) ratio Python/C: {sum(py_med) / sum(c_med):.3f} "
          f"({sum(py_med):.0f} us / {sum(c_med):.0f} us; target <= 1.2)")
    own = statistics.median(p - r for p, r in zip(py_med, raw_med))
    print(f"in the same process, the C call alone through cffi (nothing read): total "
          f"{sum(raw_med) / sum(c_med):.3f} of C; search() over it: total "
          f"{sum(py_med) / sum(raw_med):.3f}, {own:.1f} us a query (median)")


if __name__ == "__main__":
    main()
