#!/usr/bin/env python3
"""Relevance evaluation for bench/relevance.sh: the judged press-release development set
(../shared/relevance-dev, see its README) and the judged IR collections (docs/DECISIONS.md, "Measuring").

usage:
  releval.py search-dev --pi BIN --db DIR --queries QUERIES.tsv --out RUN.tsv [--limit N]
      Runs every query of QUERIES.tsv (qid TAB query, pressindex's own syntax) through
      `BIN --db DIR search --json --limit N [$PRESSINDEX_SEARCH_OPTS] -- QUERY` (default options:
      the search a reporter gets, collapse on) and writes RUN.tsv: qid TAB pid TAB rank, pid =
      release id '#' 0-based paragraph index (the JSON's paragraph is 1-based). Exit status 69 when
      the index was written by another version (the caller rebuilds it), 0 otherwise; a query the
      engine rejects as malformed (exit 64) is reported on stderr and in RUN.tsv.err and has no
      results (scores 0); any other failure stops the measurement.
  releval.py dev --dev DIR --run RUN.tsv [--per-query]
      nDCG@10 (gain 2^grade - 1, log2 discount, ideal from all judged passages of the query,
      unjudged = 0), P@10 (relevant = grade > 0, over 10 slots) and judged@10 (judged fraction of
      the passages returned in the top 10; queries with no result left out of that mean) per query
      kind (DIR/kinds.tsv), `all` first, for pressindex next to every reference engine of DIR/runs/
      (nDCG@10 by the same code; checked against the README's table). --per-query adds each query's
      nDCG@10 for pressindex and the best reference engine on that query.
  releval.py ir --pi BIN --corpus DIR --work DIR [--rebuild] [COLLECTION...]
      The minimal IR measurement: indexes each collection's releases.jsonl.gz with pressindex into
      WORK/NAME/index (reused unless --rebuild or written by another version), runs every query of
      queries.tsv reduced to words (characters other than letters, digits, space, hyphen and
      apostrophe become spaces; AND/OR/NOT lower-cased) with `search --json --limit 100
      [$PRESSINDEX_SEARCH_OPTS]`, reduces the list to distinct releases in rank order, and prints
      nDCG@10 (gain 1, relevant = grade > 0, queries with no relevant document left out of the
      mean) next to the best peer and plain-Xapian figures of the issues.
  releval.py ir-table --quality RESULTS.tsv
      The same table from bench/quality.sh's results.tsv (its pressindex nDCG@10 over the distinct
      releases of the top 100 passages), with its measured xapian-ref column.

PRESSINDEX_SEARCH_OPTS (environment): extra search options, split on blanks, appended to every
`pressindex search` of this script.
"""
import concurrent.futures
import json
import math
import os
import re
import shutil
import subprocess
import sys

COLLECTIONS = ["time", "npl", "lisa", "cisi", "cranfield", "medline", "adi"]
BEST_PEER = {"time": .708, "npl": .438, "lisa": .392, "cisi": .368, "cranfield": .372,
             "medline": .685, "adi": .457}
PLAIN_XAPIAN = {"time": .659, "npl": .378, "lisa": .333, "cisi": .332, "cranfield": .316,
                "medline": .661, "adi": .374}
EX_USAGE = 64         # pressindex search: malformed query (counted, scores 0)
EX_UNAVAILABLE = 69   # pressindex: the index was written by another version (rebuilt)


def search_opts():
    return os.environ.get("PRESSINDEX_SEARCH_OPTS", "").split()


def fmt(x):
    """.682 style (3 decimals, no leading zero), '-' for None."""
    if x is None:
        return "-"
    s = f"{x:.3f}"
    return s[1:] if s.startswith("0.") else s


def fmt_delta(x):
    s = f"{x:+.3f}"
    return s.replace("+0.", "+.").replace("-0.", "-.")


def table(rows, header, align=None):
    """Plain-text table; align: string of 'l'/'r' per column (default: first left, others right)."""
    cols = len(header)
    align = align or "l" + "r" * (cols - 1)
    width = [max(len(str(r[i])) for r in [header] + rows) for i in range(cols)]
    out = []
    for r in [header] + rows:
        cells = [str(c).ljust(width[i]) if align[i] == "l" else str(c).rjust(width[i])
                 for i, c in enumerate(r)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def run_search(pi, db, query, limit, extra=()):
    """One `pressindex search --json`; returns (status, [(release, paragraph1), ...], stderr)."""
    cmd = [pi, "--db", db, "search", "--json", "--limit", str(limit), *extra, *search_opts(), "--", query]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hits = []
    if p.returncode == 0:
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            line = line.strip()
            if line:
                o = json.loads(line)
                hits.append((o["release"], int(o["paragraph"])))
    return p.returncode, hits, p.stderr.decode("utf-8", "replace").strip()


def parallel(fn, items, workers=2):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, items))


# ---------------------------------------------------------------- development set

def read_tsv_queries(path):
    qs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.strip():
                qid, _, text = line.partition("\t")
                qs.append((qid.strip(), text))
    return qs


def cmd_search_dev(a):
    queries = read_tsv_queries(a["--queries"])
    limit = int(a.get("--limit", 20))

    def one(q):
        return q, run_search(a["--pi"], a["--db"], q[1], limit)

    results = parallel(one, queries)
    errors = []
    with open(a["--out"], "w", encoding="utf-8") as out:
        for (qid, text), (rc, hits, err) in results:
            if rc == EX_UNAVAILABLE:
                print(f"releval: the index {a['--db']} was written by another version: {err}", file=sys.stderr)
                return EX_UNAVAILABLE
            if rc not in (0, 1, EX_USAGE):
                raise SystemExit(f"releval: {qid} {text!r}: pressindex search failed (exit {rc}): {err}")
            if rc == EX_USAGE:
                errors.append(f"{qid}\t{rc}\t{text}\t{err}")
                print(f"releval: {qid} {text!r}: pressindex search exit {rc}: {err}", file=sys.stderr)
            for rank, (rel, par) in enumerate(hits, 1):
                out.write(f"{qid}\t{rel}#{par - 1}\t{rank}\n")
    with open(a["--out"] + ".err", "w", encoding="utf-8") as f:
        f.write("".join(e + "\n" for e in errors))
    return 0


def load_grades(path):
    g = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 4:
                g.setdefault(p[0], {})[p[2]] = int(float(p[3]))
    return g


def load_run(path):
    r = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                r.setdefault(p[0], []).append((int(p[2]), p[1]))
    return {q: [pid for _, pid in sorted(v)] for q, v in r.items()}


def load_kinds(path):
    kinds = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                kinds.append((p[0], int(p[1]), int(p[2])))
    return kinds


def dev_metrics(ranked, grades):
    """nDCG@10, P@10, judged@10 (None when nothing was returned) of one query."""
    top = ranked[:10]
    dcg = sum((2 ** grades.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(top))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    ndcg = dcg / idcg if idcg > 0 else 0.0
    p10 = sum(1 for pid in top if grades.get(pid, 0) > 0) / 10
    judged = sum(1 for pid in top if pid in grades) / len(top) if top else None
    return ndcg, p10, judged


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def readme_table(path):
    """The README's reference nDCG@10 table: {engine: [all, entity, ...]} (empty if not found)."""
    t = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) >= 3 and all(re.fullmatch(r"0?\.\d+", c) for c in cells[1:]):
                    t[cells[0].strip("`")] = [float(c) for c in cells[1:]]
    except OSError:
        pass
    return t


def cmd_dev(a):
    d = a["--dev"]
    grades = load_grades(os.path.join(d, "qrels.txt"))
    queries = read_tsv_queries(os.path.join(d, "queries.tsv"))
    qtext = dict(queries)
    qids = [q for q, _ in queries]
    kinds = load_kinds(os.path.join(d, "kinds.tsv"))
    groups = [("all", qids)]
    kind_of = {}
    for name, lo, hi in kinds:
        members = [q for q in qids if re.search(r"\d", q) and lo <= int(re.sub(r"\D", "", q)) <= hi]
        groups.append((name, members))
        for q in members:
            kind_of[q] = name
    run = load_run(a["--run"])
    rundir = os.path.join(d, "runs")
    engines = sorted(f[:-4] for f in os.listdir(rundir) if f.endswith(".tsv"))
    order = ["xapian", "xapian-lean", "fts5", "lucene", "xapian-context"]
    engines = [e for e in order if e in engines] + [e for e in engines if e not in order]
    refruns = {e: load_run(os.path.join(rundir, e + ".tsv")) for e in engines}

    per = {q: dev_metrics(run.get(q, []), grades.get(q, {})) for q in qids}
    refper = {e: {q: dev_metrics(refruns[e].get(q, []), grades.get(q, {}))[0] for q in qids} for e in engines}

    errs = []
    if os.path.exists(a["--run"] + ".err"):
        errs = [l for l in open(a["--run"] + ".err", encoding="utf-8") if l.strip()]
    noresult = [q for q in qids if not run.get(q)]
    opts = " ".join(search_opts())
    print("Development set (relevance-dev): nDCG@10 (gain 2^grade-1, unjudged = 0), P@10 (grade > 0),")
    print("judged@10 = judged fraction of pressindex's top 10; reference engines: nDCG@10 from runs/*.tsv")
    print(f"pressindex search --json --limit 20 (default options{'; extra: ' + opts if opts else ''})")
    print()
    header = ["kind", "q", "nDCG@10", "P@10", "judged@10"] + engines + ["best ref", "delta"]
    rows, summary = [], {}
    for name, members in groups:
        n = mean([per[q][0] for q in members])
        refs = [mean([refper[e][q] for q in members]) for e in engines]
        best = max(refs) if refs else None
        summary[name] = (n, refs, best)
        rows.append([name, len(members), fmt(n), fmt(mean([per[q][1] for q in members])),
                     fmt(mean([per[q][2] for q in members]))] + [fmt(r) for r in refs]
                    + [fmt(best), fmt_delta(n - best) if best is not None else "-"])
    print(table(rows, header))
    print()
    # The reference engines' figures must reproduce the README's table (else the metric is wrong).
    rt = readme_table(os.path.join(d, "README.md"))
    diffs = []
    for e in engines:
        if e in rt:
            for i, (name, _) in enumerate(groups):
                if i < len(rt[e]):
                    diffs.append(abs(round(summary[name][1][engines.index(e)], 3) - rt[e][i]))
    if diffs:
        md = max(diffs)
        print(f"check: reference engines vs the README's table: {len(diffs)} figures, max |difference| "
              f"{md:.3f} ({'reproduced' if md <= 0.0015 else 'NOT REPRODUCED: the metric code is wrong'})")
    else:
        print("check: the README's reference table was not found; reference figures unchecked")
    # Targets of issue 8.
    n_all, _, best_all = summary["all"]
    lagging = [f"{name} ({fmt_delta(summary[name][0] - summary[name][2])})" for name, _ in groups[1:]
               if summary[name][2] is not None and summary[name][0] < summary[name][2] - 0.02]
    print(f"target (issue 8): all >= .750: {fmt(n_all)} {'met' if n_all >= 0.75 else 'not met'}; "
          f"no kind more than .02 below its best reference: "
          f"{'met' if not lagging else 'not met: ' + ', '.join(lagging)}")
    low = [q for q in qids if per[q][2] is not None and per[q][2] < 0.8]
    if low:
        print(f"note: judged@10 below .8 on {', '.join(low)}: unjudged passages count 0, the figure "
              f"understates such a ranking")
    if noresult:
        print(f"note: no result for {', '.join(noresult)}")
    if errs:
        print(f"WARNING: {len(errs)} queries rejected by pressindex (scored 0): "
              + ", ".join(e.split(chr(9))[0] for e in errs))

    if "--per-query" in a:
        print()
        print("Per query: pressindex nDCG@10 / P@10 / judged@10 and the best reference engine on that query")
        rows = []
        for q in qids:
            be = max(engines, key=lambda e: refper[e][q]) if engines else None
            bv = refper[be][q] if be else None
            rows.append([q, kind_of.get(q, "-"), qtext[q], fmt(per[q][0]), fmt(per[q][1]), fmt(per[q][2]),
                         fmt(bv), be or "-", fmt_delta(per[q][0] - bv) if bv is not None else "-"])
        print(table(rows, ["qid", "kind", "query", "nDCG@10", "P@10", "judged", "best ref", "engine", "delta"],
                    "lllrrrrlr"))
    return 0


# ---------------------------------------------------------------- IR collections

KEEP = re.compile(r"[^\w\s'\u2019-]|_")
OPS = re.compile(r"\b(AND|OR|NOT)\b")


def reduce_query(q):
    """DECISIONS.md: characters other than letters, digits, space, hyphen, apostrophe become spaces;
    AND/OR/NOT lower-cased."""
    q = KEEP.sub(" ", q)
    q = OPS.sub(lambda m: m.group(1).lower(), q)
    return " ".join(q.split())


def load_relevant(path):
    rel = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and float(p[3]) > 0:
                rel.setdefault(p[0], set()).add(p[2])
    return rel


def ndcg10_binary(docs, relevant):
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(docs[:10]) if d in relevant)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return dcg / idcg if idcg else 0.0


def index_ok(pi, db):
    if not os.path.exists(os.path.join(db, ".releval-ok")):
        return False
    p = subprocess.run([pi, "--db", db, "stats"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def build_index(pi, db, inputs, log):
    shutil.rmtree(db, ignore_errors=True)
    with open(log, "w") as lf:
        p = subprocess.run([pi, "--db", db, "index", *inputs], stdout=lf, stderr=subprocess.STDOUT)
    if p.returncode not in (0, 65):
        raise SystemExit(f"releval: pressindex index failed (exit {p.returncode}): see {log}")
    open(os.path.join(db, ".releval-ok"), "w").close()


def ir_one(pi, corpus, work, name, rebuild):
    src = os.path.join(corpus, name)
    w = os.path.join(work, name)
    os.makedirs(w, exist_ok=True)
    db = os.path.join(w, "index")
    if rebuild or not index_ok(pi, db):
        print(f"releval: {name}: indexing", file=sys.stderr)
        build_index(pi, db, [os.path.join(src, "releases.jsonl.gz")], os.path.join(w, "index.log"))
    queries = [(qid, reduce_query(t)) for qid, t in read_tsv_queries(os.path.join(src, "queries.tsv"))]
    queries = [(qid, q) for qid, q in queries if q]
    relevant = load_relevant(os.path.join(src, "qrels.txt"))

    def one(item):
        return item, run_search(pi, db, item[1], 100)

    results = parallel(one, queries)
    runs, errors = {}, 0
    with open(os.path.join(w, "run.tsv"), "w", encoding="utf-8") as out:
        for (qid, q), (rc, hits, err) in results:
            if rc == EX_UNAVAILABLE and not rebuild:
                print(f"releval: {name}: index of another version; rebuilding", file=sys.stderr)
                return ir_one(pi, corpus, work, name, True)
            if rc not in (0, 1, EX_USAGE):
                raise SystemExit(f"releval: {name} {qid} {q!r}: pressindex search failed (exit {rc}): {err}")
            if rc == EX_USAGE:
                errors += 1
                print(f"releval: {name} {qid} {q!r}: exit {rc}: {err}", file=sys.stderr)
            seen, docs = set(), []
            for rank, (rel, par) in enumerate(hits, 1):
                out.write(f"{qid}\t{rel}#{par - 1}\t{rank}\n")
                if rel not in seen:
                    seen.add(rel)
                    docs.append(rel)
            runs[qid] = docs
    scores = [ndcg10_binary(runs.get(qid, []), rel) for qid, rel in relevant.items()]
    return {"queries": len(scores), "ndcg10": sum(scores) / len(scores) if scores else 0.0, "errors": errors}


def ir_print(res, source, measured_base=None):
    opts = " ".join(search_opts())
    print("IR collections: nDCG@10 (gain 1, relevant = grade > 0, queries with no relevant document left out;")
    print("queries reduced to words; result list reduced to distinct releases, top 10)")
    print(f"pressindex: {source}{'; extra search options: ' + opts if opts else ''}")
    print("best peer and plain Xapian: the figures of the issues")
    print()
    header = ["collection", "q", "pressindex", "best peer", "delta", "plain xapian", "delta"]
    if measured_base:
        header.append("xapian-ref (this run)")
    header.append("errors")
    rows, tot = [], [0.0, 0.0, 0.0, 0.0]
    for c in [c for c in COLLECTIONS if c in res] + [c for c in res if c not in COLLECTIONS]:
        r = res[c]
        bp, px = BEST_PEER.get(c), PLAIN_XAPIAN.get(c)
        row = [c, r["queries"], fmt(r["ndcg10"]), fmt(bp), fmt_delta(r["ndcg10"] - bp) if bp else "-",
               fmt(px), fmt_delta(r["ndcg10"] - px) if px else "-"]
        if measured_base:
            row.append(fmt(measured_base.get(c)))
        row.append(r["errors"] or "")
        rows.append(row)
        tot[0] += r["ndcg10"]
        tot[1] += bp or 0
        tot[2] += px or 0
        tot[3] += (measured_base or {}).get(c) or 0
    n = len(res)
    if n:
        m = [t / n for t in tot]
        row = ["mean", "", fmt(m[0]), fmt(m[1]), fmt_delta(m[0] - m[1]), fmt(m[2]), fmt_delta(m[0] - m[2])]
        if measured_base:
            row.append(fmt(m[3]))
        row.append("")
        rows.append(row)
    print(table(rows, header))
    print()
    below_peer = [c for c in COLLECTIONS if c in res and res[c]["ndcg10"] < BEST_PEER[c]]
    below_x = [c for c in COLLECTIONS if c in res and res[c]["ndcg10"] < PLAIN_XAPIAN[c]]
    print("below the best peer (issue 8 target: none): " + (", ".join(below_peer) or "none"))
    print("below plain Xapian (floor): " + (", ".join(below_x) or "none"))
    if any(r["errors"] for r in res.values()):
        print("WARNING: pressindex rejected some queries as malformed (they score 0): see the errors column")


def cmd_ir(a, names):
    names = names or COLLECTIONS
    res = {}
    for c in names:
        res[c] = ir_one(a["--pi"], a["--corpus"], a["--work"], c, "--rebuild" in a)
    with open(os.path.join(a["--work"], "results.json"), "w") as f:
        json.dump(res, f)
    ir_print(res, "pressindex search --json --limit 100, default options (bench/releval.py ir)")
    return 0


def cmd_ir_table(a):
    res, base = {}, {}
    with open(a["--quality"], encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 3:
                continue
            c, e, js = p[0], p[1], json.loads(p[2])
            errs = int(p[3]) if len(p) > 3 and p[3].isdigit() else 0
            if e == "pressindex":
                res[c] = {"queries": js["queries"], "ndcg10": js["ndcg10"], "errors": errs}
            elif e == "xapian-ref":
                base[c] = js["ndcg10"]
    if not res:
        print(f"releval: no pressindex results in {a['--quality']}", file=sys.stderr)
        return 1
    ir_print(res, "bench/quality.sh (bench/pi-query, the library's default search options, top 100 passages)",
             base or None)
    return 0


# ---------------------------------------------------------------- main

def parse(argv):
    a, rest, i = {}, [], 0
    flags = {"--per-query", "--rebuild"}
    while i < len(argv):
        if argv[i] in flags:
            a[argv[i]] = True
        elif argv[i].startswith("--"):
            if i + 1 >= len(argv):
                raise SystemExit(f"releval: {argv[i]} needs a value")
            a[argv[i]] = argv[i + 1]
            i += 1
        else:
            rest.append(argv[i])
        i += 1
    return a, rest


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    cmd = argv[1]
    a, rest = parse(argv[2:])
    need = {"search-dev": ["--pi", "--db", "--queries", "--out"], "dev": ["--dev", "--run"],
            "ir": ["--pi", "--corpus", "--work"], "ir-table": ["--quality"]}
    if cmd not in need:
        print(__doc__, file=sys.stderr)
        return 2
    missing = [k for k in need[cmd] if k not in a]
    if missing:
        print(f"releval {cmd}: missing {' '.join(missing)}", file=sys.stderr)
        return 2
    if cmd == "search-dev":
        return cmd_search_dev(a)
    if cmd == "dev":
        return cmd_dev(a)
    if cmd == "ir":
        return cmd_ir(a, rest)
    return cmd_ir_table(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
