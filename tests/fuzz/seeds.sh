#!/bin/sh
# seeds.sh OUT - writes the seed inputs of each fuzz target to OUT/<target>/, from fixtures/
# (releases and bad inputs), the bench's queries and the query rows of tests/test_query.c.
# Used by tests/fuzz.sh (make fuzz) and tests/fuzz-replay.sh (make check). doc/fuzzing.md.
set -eu
out=$1
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fx=${FIXTURES:-$top/fixtures}
for t in text jsonl date query highlight store; do
    rm -rf "${out:?}/$t"
    mkdir -p "$out/$t"
done

# Each line of a file to its own seed (small seeds mutate best). $1 file, $2 folder, $3 name prefix.
split_lines() {
    awk -v dir="$2" -v p="$3" 'NF { f = sprintf("%s/%s-%03d", dir, p, NR); printf "%s", $0 > f; close(f) }' "$1"
}

# text: every text file, good and bad, whole.
for f in "$fx"/releases/*.txt "$fx"/bad/*.txt; do
    cp "$f" "$out/text/$(basename "$f")"
done

# jsonl: every JSON Lines file whole (gzip'd ones decompressed, a truncated one as far as it
# goes), and each of its lines alone.
for f in "$fx"/releases/*.jsonl "$fx"/bad/*.jsonl "$fx"/releases/*.jsonl.gz "$fx"/bad/*.jsonl.gz; do
    [ -f "$f" ] || continue
    b=$(basename "$f" .gz)
    case "$f" in
    *.gz) gzip -dc "$f" >"$out/jsonl/$b" 2>/dev/null || true ;;
    *) cp "$f" "$out/jsonl/$b" ;;
    esac
    split_lines "$out/jsonl/$b" "$out/jsonl" "${b%.jsonl}-line"
done

# date: the dates the fixtures hold, the forms date.c reads, and query date bounds and ranges.
{
    sed -n 's/^[Dd]ate:[[:space:]]*//p; s/^date \([^ ]*\) .*/\1/p' "$fx"/releases/*.txt "$fx"/bad/*.txt | tr -d '\r'
    cat "$out"/jsonl/*.jsonl | grep -ao '"date": *"[^"]*"' | sed 's/.*: *"//; s/"$//'
    cat <<'DATES'
2025-07-30
July 30, 2025
30 July 2025
Jul. 30, 2025
Sept. 3, 2025
1st March 2024
December 22nd, 2024
2025-07-30T12:00:00Z
2025-07-30 12:00
2024-02-29
2023-02-29
2025-13-45
0001-01-01
9999-12-31
2025
2025-07
2024..2025
2024-01..2024-06-30
..2025-07
2025-02..
DATES
} | sort -u | split_lines /dev/stdin "$out/date" date

# query: the bench's queries and the unit tests' query rows (first string of each row).
{
    grep -v '^#' "$top/bench/queries-whitehouse.txt"
    sed -n 's/^ *{"\(\([^"\\]\|\\.\)*\)", .*/\1/p' "$top/tests/test_query.c" | sed 's/\\"/"/g; s/\\\\/\\/g'
} | sort -u | split_lines /dev/stdin "$out/query" query

# highlight: each query, a newline, and a fixture paragraph holding one of its words when there
# is one (else the seed's first paragraph).
paras="$out/paragraphs"
for f in "$fx"/releases/*.txt; do
    tr -d '\r' <"$f" | awk 'length($0) > 80'
done >"$paras"
n=0
for q in "$out"/query/*; do
    n=$((n + 1))
    line=$(cat "$q")
    word=$(printf '%s\n' "$line" | tr -c 'A-Za-z\n' ' ' | tr ' ' '\n' | awk 'length($0) > 3' | head -1)
    para=$( { [ -n "$word" ] && grep -i -m1 -F -- "$word" "$paras"; } || head -1 "$paras")
    printf '%s\n%s\n' "$line" "$para" >"$out/highlight/highlight-$(printf %03d $n)"
done
rm -f "$paras"

# store: passages stores (src/lib/store.h) as the writer lays them out: records with a passage
# map, a positions blob, stopwords' positions, texts (one zstd frame holding a raw block) and a
# release record; a record of other bytes, gaps between docids, and
# an empty store.
python3 - "$out/store" <<'PY'
import struct, sys, zlib
def varint(v):
    b = bytearray()
    while True:
        b.append((v & 0x7f) | (0x80 if v > 0x7f else 0))
        v >>= 7
        if not v:
            return bytes(b)
def blob(terms):  # [(term, [positions])] sorted: format 0, first-byte index, front-coded terms
    firsts, dic, prev = [], bytearray(), b""
    for t, ps in terms:
        if not firsts or firsts[-1][0] != t[0]:
            firsts.append((t[0], len(dic)))
            prev = b""
        shared = 0
        while shared < min(len(prev), len(t)) and prev[shared] == t[shared]:
            shared += 1
        rest = t[shared:]
        dic.append(shared << 4 | len(rest))
        dic += rest
        enc = bytearray(varint(ps[0]))
        for a, b in zip(ps, ps[1:]):
            enc += varint(b - a)
        dic += varint(len(enc)) + enc
        prev = t
    head = bytearray([0]) + varint(len(firsts))
    last = 0
    for byte, at in firsts:
        head += bytes([byte]) + varint(at - last)
        last = at
    return bytes(head + dic)
def pv(passages, terms):  # the passage map (paragraph delta, words, flags, 8-byte hash), the blob
    m = bytearray()
    for para, words in passages:
        m += varint(para) + varint(words) + varint(0) + b"\x11" * 8
    return varint(len(m)) + bytes(m) + blob(terms)
def store(records, uuid=b"0123abcd-4567-89ef-0123-456789abcdef"):
    recs, offs, first = bytearray(), [], min(records) if records else 0
    n = max(records) - first + 1 if records else 0
    for d in range(first, first + n):
        offs.append(len(recs))
        if d in records:
            parts = records[d]
            recs += b"".join(varint(len(p)) for p in parts[:-1]) + b"".join(parts)
    offs.append(len(recs))
    table = b"".join(struct.pack("<Q", o) for o in offs)
    h = bytearray(96)
    h[0:8] = b"PIPSTORE"
    struct.pack_into("<IIII", h, 8, 2, first, n, 0)
    struct.pack_into("<QQ", h, 24, 96 + len(recs), len(recs))
    h[40:76] = uuid
    struct.pack_into("<I", h, 80, zlib.crc32(recs))
    struct.pack_into("<I", h, 84, zlib.crc32(table, zlib.crc32(bytes(h[:84]))))
    return bytes(h) + bytes(recs) + table
out = sys.argv[1]
two = pv([(1, 3), (2, 4)], [(b"census", [1, 70]), (b"colony", [3]), (b"walrus", [2, 68, 69])])
stop = blob([(b"a", [71]), (b"the", [67])])
def zstd_raw(data):  # a zstd frame of one raw block: magic, single segment with a 1-byte size
    return b"\x28\xb5\x2f\xfd" + bytes([0x20, len(data)]) + struct.pack("<I", len(data) << 3 | 1)[:3] + data
texts = zstd_raw(b"Census of walrus colony.\0The census.\0")
record = b"pr-1\x002025-07-30\x00Walrus census\x00Ministry\x00https://example.org/1\x00en\x002\x00" + b"ab" * 16
seeds = {
    "three": store({2: (two, stop, texts, record), 5: (pv([(1, 1)], [(b"calm", [1])]), b"", b"", b""),
                    9: (b"\x05not a value", b"\xff", b"\x28\xb5\x2f\xfd", b"no\x00fields")}),
    "one": store({1: (two, b"", texts, record)}),
    "empty": store({}),
}
for name, data in seeds.items():
    open(f"{out}/store-{name}", "wb").write(data)
PY
