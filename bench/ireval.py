#!/usr/bin/env python3
"""IR evaluation for bench/quality.sh, by the rules of docs/DECISIONS.md ("Measuring").

usage:
  ireval.py reduce QUERIES.tsv OUT.txt OUT.qids
      Reduces every query to words (characters other than letters, digits, space, hyphen and
      apostrophe become spaces; AND/OR/NOT lower-cased; blanks collapsed) and writes one query a
      line to OUT.txt (what the engines run) and, line by line, its qid to OUT.qids. A query that
      reduces to nothing is left out of OUT.txt (it then scores 0 if it has relevant documents).
  ireval.py eval QRELS QIDS TOP.tsv [--json]
      TOP.tsv: query-no TAB rank TAB pid TAB score [TAB ...] (query-no = line of OUT.txt, from 1).
      The result list of a query is reduced to distinct releases in rank order (release id = pid
      before its last '#'; the first passage counts). Relevant = grade > 0; queries with no relevant
      document are left out of the means. Prints: judged queries, nDCG@10 (gain 1), MAP over the top
      100 distinct releases, P@10, the number of judged queries with no result, and nDCG@10 of
      the distinct releases of the top 10 passages only (ndcg10_p10: how the issue's figures were
      measured; lower where releases have several passages, since fewer than 10 releases remain).
"""
import json
import math
import re
import sys

KEEP = re.compile(r"[^\w\s'\u2019-]|_")
OPS = re.compile(r"\b(AND|OR|NOT)\b")


def reduce_query(q):
    q = KEEP.sub(" ", q)
    q = OPS.sub(lambda m: m.group(1).lower(), q)
    return " ".join(q.split())


def cmd_reduce(qfile, out_txt, out_qids):
    n = 0
    with open(qfile, encoding="utf-8") as f, open(out_txt, "w", encoding="utf-8") as ot, \
            open(out_qids, "w", encoding="utf-8") as oq:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            qid, _, text = line.partition("\t")
            r = reduce_query(text)
            if not r or r.startswith("#"):
                print(f"ireval: query {qid} reduces to nothing; scored 0", file=sys.stderr)
                continue
            ot.write(r + "\n")
            oq.write(qid.strip() + "\n")
            n += 1
    return n


def load_qrels(path):
    rel = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) < 4:
                continue
            qid, doc, grade = p[0], p[2], float(p[3])
            if grade > 0:
                rel.setdefault(qid, set()).add(doc)
    return rel


def evaluate(qrels_path, qids_path, top_path):
    rel = load_qrels(qrels_path)
    qids = [l.strip() for l in open(qids_path, encoding="utf-8") if l.strip()]
    ranked = {}
    with open(top_path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 3:
                continue
            qno, rank, pid = int(p[0]), int(p[1]), p[2]
            ranked.setdefault(qno, []).append((rank, pid.rsplit("#", 1)[0]))
    runs, runs10 = {}, {}
    for qno, hits in ranked.items():
        seen, docs, docs10 = set(), [], []
        for rank, doc in sorted(hits):
            if doc not in seen:
                seen.add(doc)
                docs.append(doc)
                if rank <= 10:
                    docs10.append(doc)
        runs[qids[qno - 1]] = docs
        runs10[qids[qno - 1]] = docs10

    def ndcg10(docs, relevant):
        dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(docs[:10]) if d in relevant)
        idcg = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
        return dcg / idcg

    ndcg, ndcg_p10, ap, p10, empty = [], [], [], [], 0
    for qid, relevant in rel.items():   # every judged query, run or not (no run = 0)
        docs = runs.get(qid, [])
        if not docs:
            empty += 1
        ndcg.append(ndcg10(docs, relevant))
        ndcg_p10.append(ndcg10(runs10.get(qid, []), relevant))
        hits, s = 0, 0.0
        for i, d in enumerate(docs[:100]):
            if d in relevant:
                hits += 1
                s += hits / (i + 1)
        ap.append(s / len(relevant))
        p10.append(sum(1 for d in docs[:10] if d in relevant) / 10)
    n = len(ndcg)
    return {"queries": n, "ndcg10": sum(ndcg) / n if n else 0.0, "map": sum(ap) / n if n else 0.0,
            "ndcg10_p10": sum(ndcg_p10) / n if n else 0.0,
            "p10": sum(p10) / n if n else 0.0, "no_result": empty}


def main(argv):
    if len(argv) >= 5 and argv[1] == "reduce":
        cmd_reduce(argv[2], argv[3], argv[4])
        return 0
    if len(argv) >= 5 and argv[1] == "eval":
        r = evaluate(argv[2], argv[3], argv[4])
        if "--json" in argv[5:]:
            print(json.dumps(r))
        else:
            print(f"queries {r['queries']}  nDCG@10 {r['ndcg10']:.4f}  MAP {r['map']:.4f}  "
                  f"P@10 {r['p10']:.4f}  nDCG@10 of the top 10 passages {r['ndcg10_p10']:.4f}  "
                  f"no result {r['no_result']}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
