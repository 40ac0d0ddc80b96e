"""The Python binding, through its public API: every method, every exception class, offsets on
non-ASCII text, threads, lifetimes, and memory over 10,000 searches."""
import datetime
import gc
import inspect
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings

import pytest

import pressindex
from conftest import FIXTURES, TOP, WORLD

SEED = '"Organization of Turkic States"'
SEED_ID = "releases/000_7a5d2ef6bf956f73.txt"


# ---- the module ------------------------------------------------------------------------------

def test_version_is_the_headers():
    header = (TOP / "include" / "pressindex.h").read_text()
    m = re.search(r'#define PRESSINDEX_VERSION_STRING "([^"]+)"', header)
    assert pressindex.version() == m.group(1)


def test_loads_the_build_tree():
    """make check tests the just-built library, not an installed one."""
    build, lib = os.environ.get("PYTHON_BUILD"), os.environ.get("LIB_BUILD")
    if not build:
        pytest.skip("not run by make check")
    assert pressindex._pressindex.__file__.startswith(build)
    maps = pathlib.Path("/proc/self/maps").read_text()
    loaded = {line.split()[-1] for line in maps.splitlines() if "libpressindex.so" in line}
    assert loaded and all(p.startswith(os.path.realpath(lib)) or p.startswith(lib) for p in loaded), loaded


# ---- searching -------------------------------------------------------------------------------

def test_search_the_seed_phrase(idx):
    res = idx.search(SEED, since="2025-01", limit=10)
    assert isinstance(res, pressindex.Results)
    # Two passages, and every matching release was read: an exact count.
    assert len(res) == 2 and res.total == 2 and res.exact is True and res.suggestion is None
    assert res.facets is None and res.sequence > 0
    for rank, hit in enumerate(res, 1):
        assert hit.release == SEED_ID
        assert hit.date == datetime.date(2025, 7, 30)
        assert hit.rank == rank and hit.score > 0 and hit.paragraph >= 1
        assert [hit.text[a:b] for a, b in hit.highlights] == ["Organization", "of", "Turkic", "States"]
        assert hit.source is None and hit.title is None  # the seed has neither
        assert hit.before == () and hit.after == ()
    assert res[0].score >= res[1].score
    assert "Results 2" in repr(res) and SEED_ID in repr(res[0])


def test_dates_as_date_or_text(idx):
    assert len(idx.search(SEED, since=datetime.date(2025, 7, 30))) == 2
    assert len(idx.search(SEED, since=datetime.datetime(2025, 7, 30, 12))) == 2
    assert len(idx.search(SEED, since="2025-07-31")) == 0
    assert len(idx.search(SEED, until="2025-06")) == 0
    assert len(idx.search(SEED, until="2025")) == 2
    for bad in ("2025-7", "July 2025", "2025-07-30T00:00"):
        with pytest.raises(pressindex.InvalidArgumentError) as e:
            idx.search(SEED, since=bad)
        assert isinstance(e.value, ValueError)
    with pytest.raises(TypeError):
        idx.search(SEED, since=2025)


def test_undated_hits_have_no_date(idx):
    hits = idx.search("Astana", source="Akorda")
    assert hits and all(h.release == "world/emoji" and h.date is None for h in hits)


def test_filters_sort_paging_context(idx):
    sri = idx.search("president", source="presidential media division, sri lanka", limit=50)
    assert sri and all(h.source == "Presidential Media Division, Sri Lanka" for h in sri)
    by_date = idx.search("president", sort="date", limit=50)
    dates = [h.date or datetime.date.min for h in by_date]
    assert dates == sorted(dates, reverse=True)
    everything = idx.search("Kazakhstan", limit=20)
    page2 = idx.search("Kazakhstan", limit=5, offset=5)
    assert [(h.release, h.paragraph) for h in page2] == \
        [(h.release, h.paragraph) for h in everything[5:10]]
    assert [h.rank for h in page2] == list(range(6, 11))
    one_each = idx.search("Kazakhstan", by_release=True, limit=50)
    assert len({h.release for h in one_each}) == len(one_each)
    assert any(h.collapsed for h in one_each)
    ctx = idx.search(SEED, context=2)
    for h in ctx:
        assert [p for p, _ in h.before] == [h.paragraph - 2, h.paragraph - 1]
        assert [p for p, _ in h.after] == [h.paragraph + 1, h.paragraph + 2]
        assert all(isinstance(t, str) and t for _, t in h.before + h.after)
    assert idx.search("Kazakhstan", limit=0).total > 0
    assert len(idx.search("Kazakhstan", limit=0)) == 0


def test_filter_alone_lists_what_passes(idx):
    res = idx.search("", source="Xinhua", limit=10)
    assert {h.release for h in res} == {"world/zh"}


def test_suggestion(idx):
    res = idx.search("Kazakstan")
    assert res.suggestion and "kazakhstan" in res.suggestion.lower()


def test_facets_exact_counts_and_after_sequence(idx):
    res = idx.search("Tokayev", facets=True, exact=True, all_words=True)
    assert res.exact is True and res.facets["exact"] is True
    for key in ("source", "month", "year"):
        assert sum(c for _, c in res.facets[key]) == res.total, (key, res.facets[key])
    assert res.facets["month"] == [("2025-07", res.total)]
    # Nothing was written after this search's sequence number.
    later = idx.search("Tokayev", after_sequence=res.sequence)
    assert len(later) == 0 and later.total == 0


def test_every_search_option_is_a_keyword():
    """Every field of pressindex_search_options (parsed from the header) is a keyword of search()
    and is documented in its docstring; nothing else is."""
    header = (TOP / "include" / "pressindex.h").read_text()
    body = re.search(r"typedef struct pressindex_search_options \{(.*?)\} pressindex_search_options;",
                     header, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    fields = set()
    for decl in body.split(";"):
        decl = decl.strip()
        if decl:
            for name in decl.split(",")[1:] + [decl.split(",")[0]]:
                fields.add(re.findall(r"\w+", name)[-1])
    fields -= {"size", "query"}
    params = inspect.signature(pressindex.Index.search).parameters
    keywords = {n for n, p in params.items() if p.kind == p.KEYWORD_ONLY}
    assert keywords == fields
    doc = pressindex.Index.search.__doc__
    for name in keywords | {"query"}:
        assert re.search(r"\b%s\b" % name, doc), name


def test_help_documents_search():
    import pydoc
    text = pydoc.render_doc(pressindex.Index.search, renderer=pydoc.plaintext)
    assert "time_limit" in text and "MalformedQueryError" in text


def test_ranking_options_are_passed(idx):
    kw = dict(release_weight=0, adjacency_weight=0.5, title_weight=0.1, boilerplate_weight=1,
              neighbour_weight=0, bm25_k1=1.2, bm25_b=0.75, rerank_depth=5, question_weight=1,
              max_query_bytes=1000, max_query_terms=10, max_wildcard_expansion=10, time_limit=30,
              lang="en", collapse=False)
    plain = idx.search("Kazakhstan president")
    tuned = idx.search("Kazakhstan president", **kw)
    assert tuned and [h.score for h in tuned] != [h.score for h in plain]
    with pytest.raises(pressindex.InvalidArgumentError):
        idx.search("x", sort="newest")
    with pytest.raises(pressindex.InvalidArgumentError):
        idx.search("x", context=pressindex._lib.PRESSINDEX_MAX_CONTEXT + 1)
    with pytest.raises(pressindex.InvalidArgumentError):
        idx.search("x", limit=-1)
    with pytest.raises(pressindex.InvalidArgumentError):
        idx.search("x", limit=2 ** 80)
    with pytest.raises(TypeError):
        idx.search("x", limit="10")


# ---- offsets into str --------------------------------------------------------------------------

OFFSET_ROWS = [  # text, query, the (start, end) of its one highlight in code points
    ("plain ascii quokka", "quokka", (12, 18)),
    ("Türkiye quokka", "quokka", (8, 14)),
    ("🎉 quokka", "quokka", (2, 8)),
    ("🇰🇿🤝🇹🇷 quokka", "quokka", (6, 12)),  # flags: two code points each
    ("東京 quokka 東京", "quokka", (3, 9)),
    ("e\u0301te\u0301 quokka", "quokka", (6, 12)),  # combining accents: code points of their own
    ("“Quoted” quokka, Türkiye’s", "quokka", (9, 15)),  # curly quotes
    ("İstanbul'da quokka", "quokka", (12, 18)),
]


@pytest.fixture(scope="module")
def offsets_index(tmp_path_factory):
    d = tmp_path_factory.mktemp("offsets") / "ix"
    with pressindex.Index(d, writable=True) as w:
        for i, (text, _, _) in enumerate(OFFSET_ROWS):
            w.add(id=f"row/{i}", paragraphs=[text])
        w.commit()
    return d


@pytest.mark.parametrize("row", range(len(OFFSET_ROWS)))
def test_byte_offsets_become_code_points(offsets_index, row):
    text, query, expected = OFFSET_ROWS[row]
    with pressindex.Index(offsets_index) as idx:
        # collapse=False: "🎉 quokka" and "🇰🇿🤝🇹🇷 quokka" are the same words, which collapse
        [hit] = [h for h in idx.search(query, limit=50, collapse=False) if h.release == f"row/{row}"]
    assert hit.text == text
    assert hit.highlights == [expected], (text, hit.highlights)


@pytest.mark.parametrize("query, word, lang", [
    ("Türkiye", "Türkiye", None), ("turkiye", "Türkiye", None), ("Kazakistan", "Kazakistan", "tr"),
    ("istanbul", "İstanbul", None), ("Astana", "Astana", None), ("Tokyo", "Tokyo", None),
    ("Türkiye Kazakhstan", "Türkiye", None),
])
def test_highlights_index_the_str(idx, query, word, lang):
    hits = [h for h in idx.search(query, limit=50, lang=lang) if h.release.startswith("world/")]
    assert hits
    for h in hits:
        words = [h.text[a:b] for a, b in h.highlights]
        assert all(0 <= a < b <= len(h.text) for a, b in h.highlights)
        assert any(w.casefold().startswith(word.casefold()[:5]) for w in words), (h.text, words)


def test_highlights_after_emoji_and_in_cjk(idx):
    [emoji] = [h for h in idx.search("Astana Türkiye") if h.release == "world/emoji"]
    assert {emoji.text[a:b] for a, b in emoji.highlights} == {"Türkiye", "Astana"}
    # Chinese: each Han character is a unit (DECISIONS round 2: findable units), the run typed is
    # the phrase of its characters, and each is highlighted where it stands.
    run = "哈萨克斯坦总统在阿斯塔纳会见土耳其总统"
    [zh] = idx.search(run)
    assert [zh.text[a:b] for a, b in zh.highlights] == list(run)
    [zh] = idx.search("总统")  # a word of two characters inside the run
    assert [zh.text[a:b] for a, b in zh.highlights] == ["总", "统", "总", "统"]
    [tokyo] = idx.search("Tokyo", source="Xinhua")
    assert [tokyo.text[a:b] for a, b in tokyo.highlights] == ["Tokyo"]
    assert tokyo.highlights == [(6, 11)]  # 会议在东京 and a space: six code points, 16 bytes


# ---- releases, stats, check ----------------------------------------------------------------------

def test_release_round_trip(idx):
    r = idx.release("world/tr")
    assert r == pressindex.Release("world/tr", WORLD[0].paragraphs, date=datetime.date(2025, 8, 1),
                                   title="Türkiye haberi", source="Anadolu", lang="tr",
                                   url="https://example.org/tr")
    seed = idx.release(SEED_ID)
    assert len(seed.paragraphs) == 25 and seed.date == datetime.date(2025, 7, 30)
    with pytest.raises(pressindex.NotFoundError) as e:
        idx.release("no/such/release")
    assert isinstance(e.value, FileNotFoundError) and "no/such/release" in str(e.value)


def test_stats_and_sources(idx):
    s = idx.stats()
    assert s.releases == 14 + len(WORLD)
    assert s.passages == 66 + sum(len(r.paragraphs) for r in WORLD)
    assert s.date_min == datetime.date(2021, 3, 11) and s.date_max == datetime.date(2025, 8, 1)
    assert s.sources == idx.sources()
    assert s.sources["Xinhua"] == 3 and s.sources["Akorda"] == 1
    assert s._asdict()["releases"] == s.releases


def test_check(idx):
    report = idx.check()
    assert report.ok and report.problems == [] and report.releases == 14 + len(WORLD)


# ---- opening -------------------------------------------------------------------------------------

def test_opening(tmp_path, index_dir):
    with pytest.raises(pressindex.NotFoundError) as e:
        pressindex.Index(tmp_path / "missing")
    assert isinstance(e.value, FileNotFoundError) and "missing" in e.value.message
    with pytest.raises(pressindex.NotFoundError):
        pressindex.Index(tmp_path / "missing", writable=True, create=False)
    (tmp_path / "notanindex").mkdir()
    (tmp_path / "notanindex" / "mine.txt").write_text("someone's file")
    with pytest.raises(pressindex.NotFoundError):
        pressindex.Index(tmp_path / "notanindex", writable=True)
    assert os.listdir(tmp_path / "notanindex") == ["mine.txt"]
    # writable=True creates a missing index, as the command does
    with pressindex.Index(str(tmp_path / "new"), writable=True, lang="de") as w:
        assert not w.closed and "writable" in repr(w)
        assert w.stats().releases == 0
    assert (tmp_path / "new").is_dir()
    idx = pressindex.Index(index_dir)
    idx.close()
    idx.close()
    assert idx.closed and "closed" in repr(idx)
    with pytest.raises(pressindex.InvalidArgumentError):
        idx.search("x")


def test_locked_by_a_second_writer(writer_dir):
    with pressindex.Index(writer_dir, writable=True):
        t0 = time.monotonic()
        with pytest.raises(pressindex.LockedError) as e:
            pressindex.Index(writer_dir, writable=True, lock_timeout=0.3)
        assert time.monotonic() - t0 >= 0.25
        assert "locked" in str(e.value)
        with pressindex.Index(writer_dir) as reader:  # readers are never blocked
            assert reader.search(SEED)
    with pressindex.Index(writer_dir, writable=True, lock_timeout=0):
        pass


def test_lock_released_when_collected(writer_dir):
    w = pressindex.Index(writer_dir, writable=True)
    del w
    gc.collect()
    pressindex.Index(writer_dir, writable=True, lock_timeout=0).close()


def _set_schema(index_dir, value):
    xapian = pytest.importorskip("xapian", reason="python3-xapian writes the schema version")
    db = xapian.WritableDatabase(str(index_dir / "current"), xapian.DB_OPEN)
    db.set_metadata("pressindex:schema", value)
    db.commit()
    db.close()


def test_older_and_newer_schema(writer_dir):
    _set_schema(writer_dir, "1")
    for writable in (False, True):
        with pytest.raises(pressindex.VersionError) as e:
            pressindex.Index(writer_dir, writable=writable)
        assert "older index schema" in str(e.value) and "rebuild" in str(e.value)
    _set_schema(writer_dir, "99")
    with pytest.raises(pressindex.VersionError) as e:
        pressindex.Index(writer_dir)
    assert "newer" in str(e.value)


def test_corrupt(writer_dir):
    db = writer_dir / "current"
    for f in ("postlist.glass", "docdata.glass", "termlist.glass"):
        p = db / f
        if p.exists():
            data = bytearray(p.read_bytes())
            for i in range(0, len(data), 7):
                data[i] ^= 0x5A
            p.write_bytes(bytes(data))
    with pytest.raises(pressindex.CorruptError) as e:
        with pressindex.Index(writer_dir) as idx:
            idx.search("Kazakhstan president")
            if idx.check().ok:
                pytest.fail("a scribbled index passes check")
            raise pressindex.CorruptError("check found problems")
    assert e.value.status == pressindex._lib.PRESSINDEX_ERR_CORRUPT


# ---- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, char", [
    ('Türkiye "abc', '"'),
    ('🇰🇿🤝 (Astana', "("),
    ('東京 AND', "A"),
    ("title: Astana", "t"),
])
def test_malformed_query_position(idx, query, char):
    with pytest.raises(pressindex.MalformedQueryError) as e:
        idx.search(query)
    err = e.value
    assert err.position is not None and 0 <= err.position < len(query)
    assert query[err.position] == char, (query, err.position, str(err))
    assert err.query == query
    assert str(err).startswith("malformed query at character %d" % (err.position + 1))


def test_bad_date_range_has_no_position(idx):
    with pytest.raises(pressindex.MalformedQueryError) as e:
        idx.search(SEED, since="2025-08", until="2025-01")
    assert e.value.position is None


def test_limits(idx):
    with pytest.raises(pressindex.LimitError):
        idx.search("one two three four", max_query_terms=2)
    with pytest.raises(pressindex.LimitError):
        idx.search("Kazakhstan", max_query_bytes=4)
    with pytest.raises(pressindex.LimitError):
        idx.search("t*", max_wildcard_expansion=2)
    assert idx.search("one two three four", max_query_terms=0) is not None


def test_timeout(idx):
    with pytest.raises(pressindex.TimeoutError) as e:
        for _ in range(200):  # the deadline is checked between steps: some searches finish first
            idx.search("t* OR s* OR p* OR k*", time_limit=1e-9, max_wildcard_expansion=0,
                       limit=1000)
    assert isinstance(e.value, TimeoutError) and isinstance(e.value, pressindex.Error)


def test_unknown_language(idx):
    with pytest.raises(pressindex.InvalidArgumentError):
        idx.search("Astana", lang="klingon")


def test_every_status_has_its_class():
    lib = pressindex._lib
    bases = {lib.PRESSINDEX_ERR_NOT_FOUND: FileNotFoundError,
             lib.PRESSINDEX_ERR_INVALID_ARGUMENT: ValueError,
             lib.PRESSINDEX_ERR_NO_MEMORY: MemoryError, lib.PRESSINDEX_ERR_TIMEOUT: TimeoutError,
             lib.PRESSINDEX_ERR_IO: OSError}
    seen = set()
    for status in range(1, lib.PRESSINDEX_STATUS_LAST):
        exc = pressindex._error(status, "")
        assert type(exc) is not pressindex.Error and isinstance(exc, pressindex.Error)
        assert type(exc).status == status == exc.status
        assert type(exc).__name__ in pressindex.__all__
        assert str(exc)  # the library's own words when there is no message
        named = pressindex._error(status, "the message")
        assert str(named) == named.message == "the message" and named.args == ("the message",)
        if isinstance(named, OSError):
            assert named.errno is None and named.strerror is None
        if status in bases:
            assert isinstance(exc, bases[status])
        seen.add(type(exc))
    assert len(seen) == lib.PRESSINDEX_STATUS_LAST - 1
    assert type(pressindex._error(lib.PRESSINDEX_STATUS_LAST + 5, "x")) is pressindex.Error


# ---- writing ------------------------------------------------------------------------------------------

def test_add_delete_commit_compact(writer_dir):
    with pressindex.Index(writer_dir, writable=True, lock_timeout=30) as w:
        w.add(pressindex.Release("akorda/2025-07-30", ["Quokka diplomacy begins in Astana."],
                                 date="2025-07-30", title="Quokkas", source="Akorda"))
        w.add(id="akorda/2025-07-31", paragraphs=["A second quokka."], date=datetime.date(2025, 7, 31))
        with pressindex.Index(writer_dir) as r:
            assert not r.search("quokka")  # not before commit
        w.commit()
        with pressindex.Index(writer_dir) as r:
            assert {h.release for h in r.search("quokka")} == {"akorda/2025-07-30", "akorda/2025-07-31"}
        w.add(pressindex.Release("akorda/2025-07-30", ["Quokka diplomacy, revised."]))  # replaces
        w.delete("akorda/2025-07-31")
        w.delete("never/there")
        w.commit()
        w.compact()
        with pressindex.Index(writer_dir) as r:
            [h] = r.search("quokka")
            assert h.text == "Quokka diplomacy, revised." and h.date is None
        w.add(id="lost", paragraphs=["uncommitted quokka"])
    with pressindex.Index(writer_dir) as r:  # closing discarded it
        assert [h.release for h in r.search("quokka")] == ["akorda/2025-07-30"]


def test_add_warns_on_repairs(writer_dir):
    with pressindex.Index(writer_dir, writable=True) as w:
        with pytest.warns(pressindex.DataWarning, match="2025-13-45"):
            w.add(id="bad/date", paragraphs=["an impossible date"], date="2025-13-45")
        with pytest.warns(pressindex.DataWarning, match="klingon"):
            w.add(id="bad/lang", paragraphs=["an unknown language"], lang="klingon")
        with warnings.catch_warnings():
            warnings.simplefilter("error", pressindex.DataWarning)
            with pytest.raises(pressindex.DataWarning):
                w.add(id="bad/date2", paragraphs=["x"], date="2024-02-30")
        w.commit()
        assert w.release("bad/date").date is None
    with pytest.raises(pressindex.InvalidArgumentError):
        with pressindex.Index(writer_dir, writable=True) as w:
            w.add(id="", paragraphs=["no id"])
    with pytest.raises(TypeError):
        with pressindex.Index(writer_dir, writable=True) as w:
            w.add(pressindex.Release("a", ["b"]), id="c")


def test_read_only_refuses_writes(idx):
    for call in (lambda: idx.add(id="x", paragraphs=["y"]), lambda: idx.delete("x"),
                 idx.compact, lambda: idx.index_path(FIXTURES / "releases")):
        with pytest.raises(pressindex.InvalidArgumentError):
            call()


def test_index_path_reports_problems(tmp_path):
    with pressindex.Index(tmp_path / "ix", writable=True) as w:
        s = w.index_path([FIXTURES / "bad", tmp_path / "nowhere"])
        assert isinstance(s, pressindex.IndexSummary) and not s.ok
        files = {pathlib.Path(p.file).name for p in s.problems}
        assert {"malformed.jsonl", "empty.txt", "invalid_utf8.txt", "nowhere"} <= files
        assert any(p.line == 4 and "malformed.jsonl" in p.file for p in s.problems)
        assert s.skipped > 0 and s.releases > 0 and s.added == s.releases and s.replaced == 0
        assert all(str(p) for p in s.problems)
        again = w.index_path(str(FIXTURES / "releases" / "sample.jsonl"), format="jsonl")
        assert again.ok and again.releases == 5
        with pytest.raises(pressindex.InvalidArgumentError):
            w.index_path(FIXTURES / "releases", format="xml")


def test_index_text(tmp_path):
    with pressindex.Index(tmp_path / "ix", writable=True) as w:
        s = w.index_text("Date: 2025-07-30\nTitle: Memo\n\nFirst paragraph about quokkas.\n\nSecond.\n",
                         "memo.txt")
        assert s.ok and s.releases == 1 and s.passages == 2
        s = w.index_text(b'{"id": "j1", "paragraphs": ["quokka json"]}\nnot json\n', "feed.jsonl")
        assert not s.ok and s.releases == 1 and s.problems[0].line == 2
        [h] = w.search('"quokka json"')
        assert h.release == "j1"
        assert w.release("memo.txt").title == "Memo"


def _many(n):
    return "".join(f'{{"id": "m{i}", "paragraphs": ["wombat number {i}", "second of {i}"]}}\n'
                   for i in range(n))


def test_on_progress(tmp_path):
    calls = []
    with pressindex.Index(tmp_path / "ix", writable=True) as w:
        s = w.index_path(FIXTURES / "releases", on_progress=lambda *c: calls.append(c))
        assert s.ok and calls[-1] == (s.releases, s.passages, s.bytes)
        calls.clear()
        s = w.index_text(_many(600), "many.jsonl", on_progress=lambda *c: calls.append(c))
        assert s.ok and s.releases == 600
        releases = [c[0] for c in calls]
        assert releases[:2] == [256, 512] and releases == sorted(releases)
        assert all(p == 2 * r for r, p, _ in calls)
        with pytest.raises(TypeError):
            w.index_path(FIXTURES / "releases", on_progress=42)


def test_on_progress_exception_comes_after_the_run(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_many(600))
    seen = []

    def stop(releases, passages, nbytes):
        seen.append(releases)
        raise KeyboardInterrupt("enough")

    with pressindex.Index(tmp_path / "ix", writable=True) as w:
        with pytest.raises(KeyboardInterrupt, match="enough"):
            w.index_path(feed, on_progress=stop)
        assert seen == [256]  # not called again once it raised
        assert w.stats().releases == 600  # the run itself went on and committed


def test_index_path_stdin_id(tmp_path):
    code = ("import sys, pressindex\n"
            "with pressindex.Index(sys.argv[1], writable=True) as w:\n"
            "    print(w.index_path('-', id=sys.argv[2]).releases)\n"
            "    print(w.release(sys.argv[2]).title)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ix"), "wire/2025-08-01"],
                         input="Title: From a pipe\n\nA paragraph about numbats.\n", text=True,
                         capture_output=True, check=True).stdout.split("\n")
    assert out[:2] == ["1", "From a pipe"]


def test_reindex(tmp_path):
    src = tmp_path / "akorda"
    shutil.copytree(FIXTURES / "releases", src)
    ix = tmp_path / "ix"
    with pressindex.Index(ix, writable=True) as w:
        first = w.reindex(src)
        assert first.ok and first.added == 14 and first.deleted == 0
        assert {c.kind for c in first.changes} == {"added"}
        (src / "lk_pmd_2024-10-01-en-6ef958.txt").unlink()
        dry = w.reindex([src], dry_run=True)
        assert [c.kind for c in dry.changes] == ["deleted"] and dry.deleted == 1
        assert w.release("akorda/lk_pmd_2024-10-01-en-6ef958.txt")
        done = w.reindex(src)
        assert done.deleted == 1 and done.unchanged == 13
        with pytest.raises(pressindex.NotFoundError):
            w.release("akorda/lk_pmd_2024-10-01-en-6ef958.txt")
        for f in src.iterdir():
            f.unlink()
        refused = w.reindex(src)
        assert not refused.ok and refused.deleted == 0 and refused.problems
    with pressindex.Index(ix) as r:
        dry = r.reindex(src, dry_run=True)  # allowed read-only; the refusal is reported
        assert dry.refused == 13 and not dry.ok and "refusing" in dry.problems[0].message


# ---- lifetimes, garbage collection, threads, memory ---------------------------------------------------

def test_results_outlive_the_index(index_dir):
    idx = pressindex.Index(index_dir)
    res = idx.search(SEED, context=1)
    rel = idx.release(SEED_ID)
    stats = idx.stats()
    idx.close()
    del idx
    gc.collect()
    assert [h.text[a:b] for h in res for a, b in h.highlights][:4] == \
        ["Organization", "of", "Turkic", "States"]
    assert res[0].before and rel.paragraphs[0] and stats.releases


@pytest.mark.parametrize("order", ["index first", "results first", "cycle"])
def test_garbage_collection_order(index_dir, order):
    idx = pressindex.Index(index_dir)
    res = idx.search("Kazakhstan", limit=50, context=1)
    hits = list(res)
    if order == "index first":
        del idx
        gc.collect()
        assert all(h.text and h.release for h in res)
        del res
        gc.collect()
    elif order == "results first":
        del res
        gc.collect()
        assert idx.search("Kazakhstan")
        del idx
        gc.collect()
    else:
        loop = [idx, res]
        loop.append(loop)
        res.hits.append(loop)  # a cycle through the results and the index
        del idx, res, loop
        gc.collect()
    assert all(h.text[a:b] for h in hits for a, b in h.highlights)


def test_gil_is_released_during_calls(writer_dir):
    """A thread waiting in the library (for the writer lock, 2 s) does not stop Python threads:
    the main thread's loop keeps turning all along."""
    holder = pressindex.Index(writer_dir, writable=True)
    failures = []

    def wait_for_lock():
        try:
            pressindex.Index(writer_dir, writable=True, lock_timeout=2.0)
        except pressindex.LockedError as e:
            failures.append(e)

    t = threading.Thread(target=wait_for_lock)
    t.start()
    last, longest = time.monotonic(), 0.0
    while t.is_alive():
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    t.join()
    holder.close()
    assert failures, "the second writer got the lock"
    assert longest < 1.0, f"the main thread stood still {longest:.2f} s during a C call"


def test_gil_release_in_generated_code():
    """cffi's API mode wraps each call in Py_BEGIN/END_ALLOW_THREADS; check the generated C."""
    build = os.environ.get("PYTHON_BUILD")
    src = pathlib.Path(build or "", "pressindex", "_pressindex.c")
    if not src.exists():
        pytest.skip("generated C not at hand")
    c = src.read_text()
    for fn in ("pressindex_search", "pressindex_index_paths", "pressindex_open",
               "pressindex_add_release", "pressindex_commit", "pressindex_reindex"):
        m = re.search(r"_cffi_f_%s\(PyObject.*?\n}\n" % fn, c, re.S)
        assert m, fn
        body = m.group(0)
        call = body.index("{ result = %s(" % fn)
        assert body.rindex("Py_BEGIN_ALLOW_THREADS", 0, call) < call < body.index("Py_END_ALLOW_THREADS", call), fn


def test_writer_and_readers_in_threads(writer_dir):
    """A writer adds and commits in batches while three readers, one Index each, search: each
    reader sees only committed states, so its count of matches never goes down, and all of them
    once the writer is done."""
    errors, seen = [], {}
    done = threading.Event()

    def writer():
        try:
            with pressindex.Index(writer_dir, writable=True) as w:
                for i in range(20):
                    w.add(id=f"thread/{i}", paragraphs=[f"Wombat bulletin number {i}."],
                          date="2025-09-01")
                    if i % 4 == 3:
                        w.commit()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            done.set()

    def reader(name):
        counts = seen[name] = []
        try:
            with pressindex.Index(writer_dir) as r:  # one Index per thread
                while True:
                    finished = done.is_set()
                    counts.append(len(r.search("wombat", limit=100)))
                    assert len(r.search(SEED)) == 2
                    if finished:
                        break
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=writer)] + \
        [threading.Thread(target=reader, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    for counts in seen.values():
        assert counts == sorted(counts) and counts[-1] == 20
        assert all(c % 4 == 0 for c in counts)  # whole commits only


def test_one_index_shared_by_threads_is_serialised(idx):
    """Against pressindex(3)'s rule, but safe: the Index's own lock serialises the calls."""
    out = []
    ts = [threading.Thread(target=lambda: out.append(len(idx.search(SEED)))) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == [2] * 8


def _rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_ten_thousand_searches_in_flat_memory(idx):
    queries = [SEED, "Kazakhstan president", "Türkiye", "阿斯塔纳", "t*", "Kazakstan"]
    for i in range(1000):  # warm up: caches, allocator pools
        idx.search(queries[i % len(queries)], context=i % 2)
    gc.collect()
    before = _rss_kb()
    for i in range(10000):
        res = idx.search(queries[i % len(queries)], context=i % 2)
        for h in res:
            h.highlights
        if i % 997 == 0:
            try:
                idx.search('"unbalanced')
            except pressindex.MalformedQueryError:
                pass
    gc.collect()
    grown = _rss_kb() - before
    assert grown < 4096, f"RSS grew by {grown} kB over 10,000 searches"


# ---- the example -------------------------------------------------------------------------------------

def test_markdown_example(tmp_path):
    example = TOP / "examples" / "markdown_search.py"
    out = subprocess.run([sys.executable, str(example), "--index", str(tmp_path / "ix"),
                          str(FIXTURES / "releases"), SEED, "--since", "2025-01"],
                         check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ)).stdout
    assert out.startswith("# ")
    assert "**Organization** **of** **Turkic** **States**" in out
    assert "2025-07-30" in out
    out2 = subprocess.run([sys.executable, str(example), "--index", str(tmp_path / "ix"),
                           str(FIXTURES / "releases"), "Colombo"], check=True,
                          stdout=subprocess.PIPE, text=True).stdout
    assert re.search(r"\[[^\]]+\]\(https?://[^)]+\)", out2), out2
