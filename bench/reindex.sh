#!/bin/sh
# reindex.sh - the nightly reindex against the full build, in the same run (issue 5).
#
# Lays out whitehouse (14,277 releases) as one text file per release with a Key: value header in a
# temporary folder, then times with the real binary:
#   build      pressindex reindex on an empty index (every file read)
#   no change  the same again (target: at most 2% of the build)
#   1%/1%/1%   after changing 1% of the files, removing 1% and adding 1% (target: at most 5%)
# and prints both as ratios to the build. The layout itself is not timed.
#
# Usage: bench/reindex.sh   (PRESSINDEX_BIN/PRESSINDEX_LIBDIR: the binary and its library, as
#                             for the other benches; PRESSINDEX_SHARED: the shared folder;
#                             KEEP=1 keeps the temporary folder)
# Like bench/lib.sh, it times the real binary, not libtool's wrapper script in src/cli (a shell
# start-up of ~50 ms here, 6% of the 1% step, that an installed pressindex does not have).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
: "${PRESSINDEX_BIN:=${PRESSINDEX:-$REPO/src/cli/.libs/pressindex}}"
: "${PRESSINDEX_LIBDIR:=$REPO/src/lib/.libs}"
: "${PRESSINDEX_SHARED:=$REPO/../shared}"
PRESSINDEX=$PRESSINDEX_BIN
export LD_LIBRARY_PATH="$PRESSINDEX_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
CORPUS=$PRESSINDEX_SHARED/corpus/whitehouse/releases.jsonl.gz
[ -r "$CORPUS" ] || { echo "reindex bench: no corpus at $CORPUS" >&2; exit 66; }
[ -x "$PRESSINDEX" ] || { echo "reindex bench: build pressindex first ($PRESSINDEX)" >&2; exit 66; }
T=$(mktemp -d /tmp/pi-bench-reindex-XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$T"' EXIT
export PRESSINDEX_DB="$T/index"

python3 - "$CORPUS" "$T/releases" <<'EOF'
import gzip, json, os, sys
src, out = sys.argv[1], sys.argv[2]
n = 0
with gzip.open(src, "rt", encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        d = os.path.join(out, "%02d" % (n // 1000))
        os.makedirs(d, exist_ok=True)
        head = []
        for k in ("date", "title", "source", "url"):
            v = r.get(k)
            if v:
                head.append("%s: %s" % (k.capitalize() if k != "url" else "URL", " ".join(str(v).split())))
        paras = [" ".join(p.split()) for p in r.get("paragraphs", []) if p and p.strip()]
        with open(os.path.join(d, "%05d.txt" % n), "w", encoding="utf-8") as g:
            g.write("\n".join(head) + "\n\n" + "\n\n".join(paras) + "\n")
        n += 1
print("laid out %d releases as text files" % n, file=sys.stderr)
EOF

now() { date +%s.%N; }
timed() { # label command...: runs it, prints the label, seconds and the reindex summary
    local t0 t1 label=$1
    shift
    t0=$(now)
    "$@" >"$T/out.json"
    t1=$(now)
    secs=$(python3 -c "print('%.3f' % ($t1 - $t0))")
    printf '%-28s %8s s   %s\n' "$label" "$secs" "$(cat "$T/out.json")" >&2
}
step() { label=$1; shift; timed "$label" "$PRESSINDEX" reindex --json "$@" "$T/releases"; }

step "build (empty index)"; build=$secs
step "no change"; nochange=$secs

# 1% changed (a paragraph appended), 1% removed, 1% added (copies under new names, reworded).
python3 - "$T/releases" <<'EOF'
import os, sys
root = sys.argv[1]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
k = len(files) // 100
for p in files[0::len(files) // k][:k]:
    with open(p, "a", encoding="utf-8") as f:
        f.write("\nAn update added tonight to this release.\n")
removed = files[50::len(files) // k][:k]
for p in removed:
    os.remove(p)
os.makedirs(os.path.join(root, "new"), exist_ok=True)
for i, p in enumerate(files[25::len(files) // k][:k]):
    if not os.path.exists(p):
        continue
    text = open(p, encoding="utf-8").read()
    with open(os.path.join(root, "new", "n%05d.txt" % i), "w", encoding="utf-8") as f:
        f.write(text + "\nReissued tonight.\n")
print("changed %d, removed %d, added %d files" % (k, len(removed), len(os.listdir(os.path.join(root, "new")))), file=sys.stderr)
EOF
step "1% changed/removed/added"; incr=$secs

python3 - "$build" "$nochange" "$incr" <<'EOF'
import sys
b, n, i = map(float, sys.argv[1:])
print("reindex bench: whitehouse, one text file per release (build %.2f s)" % b)
print("  no change:                %.3f s = %.2f%% of the build (target <= 2%%)  %s" % (n, 100 * n / b, "ok" if n / b <= 0.02 else "MISSED"))
print("  1%% changed/removed/added: %.3f s = %.2f%% of the build (target <= 5%%)  %s" % (i, 100 * i / b, "ok" if i / b <= 0.05 else "MISSED"))
EOF
