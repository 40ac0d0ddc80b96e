"""The HTTP API of pressindex serve against a real server on an ephemeral loopback port, with a
real HTTP client (http.client and raw sockets): every endpoint, every error status, the CSV parsed
back, hostile parameters, a reindex and a compaction picked up while it runs, SIGTERM.

Run by tests/serve.sh (environment: PRESSINDEX, FIXTURES, SERVE_TMP, SERVE_SLOW)."""
import csv
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

PRESSINDEX = os.environ["PRESSINDEX"]
FIXTURES = os.environ["FIXTURES"]
TMP = os.environ["SERVE_TMP"]
# Under the sanitizers every request is slower: DECISIONS allows 10 s there, 1 s otherwise.
FAST = 10.0 if os.environ.get("SERVE_SLOW") else 1.0
SEED = "releases/000_7a5d2ef6bf956f73.txt"
HOSTILE = "hostile/script-payload.txt"


def cli(*args, check=True):
    p = subprocess.run([PRESSINDEX, *args], capture_output=True, text=True, timeout=300)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"pressindex {args}: exit {p.returncode}: {p.stderr}")
    return p


class Server:
    """pressindex serve --listen 127.0.0.1:0 on db; the first stdout line is its address."""

    def __init__(self, db, *extra):
        self.proc = subprocess.Popen([PRESSINDEX, "--db", db, "serve", "--listen", "127.0.0.1:0", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("http://127.0.0.1:"):
            self.proc.kill()
            raise AssertionError(f"no address on the first line: {line!r} {self.proc.stderr.read()}")
        self.url = line.strip()
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def request(self, path, method="GET", timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        t = time.monotonic()
        c.request(method, path)
        r = c.getresponse()
        body = r.read()
        r.elapsed = time.monotonic() - t
        r.body = body
        c.close()
        return r

    def json(self, path, status=200):
        r = self.request(path)
        assert r.status == status, f"{path}: HTTP {r.status}, expected {status}: {r.body[:300]!r}"
        assert r.getheader("Content-Type", "").startswith("application/json"), r.getheader("Content-Type")
        return json.loads(r.body)

    def up(self):
        return self.proc.poll() is None and self.json("/api/health")["status"] == "ok"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode


def q(**params):
    return urllib.parse.urlencode(params)


def make_index(name):
    """An index kept by reindex of two folders (copies of the fixtures), as a newsroom keeps one."""
    base = os.path.join(TMP, name)
    os.makedirs(base)
    shutil.copytree(os.path.join(FIXTURES, "releases"), os.path.join(base, "releases"))
    shutil.copytree(os.path.join(FIXTURES, "hostile"), os.path.join(base, "hostile"))
    db = os.path.join(base, "index")
    cli("--db", db, "reindex", os.path.join(base, "releases"), os.path.join(base, "hostile"))
    return base, db


def error_of(r, status):
    assert r.status == status, f"HTTP {r.status}, expected {status}: {r.body[:300]!r}"
    e = json.loads(r.body)["error"]
    assert e["status"] == status, e
    assert isinstance(e["message"], str) and e["message"], e
    return e


class Api(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base, cls.db = make_index("main")
        cls.srv = Server(cls.db, "--threads", "3")

    @classmethod
    def tearDownClass(cls):
        assert cls.srv.stop() == 0

    def test_health_and_stats(self):
        h = self.srv.json("/api/health")
        stats = json.loads(cli("--db", self.db, "stats", "--json").stdout)
        self.assertEqual(h["status"], "ok")
        self.assertEqual((h["releases"], h["passages"]), (stats["releases"], stats["passages"]))
        self.assertEqual(self.srv.json("/api/stats"), stats)  # stats --json's object, the same
        error_of(self.srv.request("/api/stats?x=1"), 400)

    def test_search_is_search_json_plus_snippet(self):
        query = '"Organization of Turkic States"'
        b = self.srv.json("/api/search?" + q(q=query))
        lines = cli("--db", self.db, "search", "--json", query).stdout.splitlines()
        want = [json.loads(line) for line in lines]
        self.assertEqual(len(b["results"]), 2)
        self.assertEqual(b["total"], 2)
        self.assertIs(type(b["exact"]), bool)
        self.assertIsNone(b["suggestion"])
        self.assertEqual(b["query"], query)
        for got, exp in zip(b["results"], want):
            html = got.pop("snippet_html")
            self.assertEqual(got, exp)
            self.assertEqual(got["release"], SEED)
            self.assertIn("<mark>Organization</mark> <mark>of</mark> <mark>Turkic</mark> <mark>States</mark>", html)
            # Highlights are byte offsets into the UTF-8 text.
            raw = got["text"].encode()
            self.assertEqual([raw[s:e].decode() for s, e in got["highlights"]],
                             ["Organization", "of", "Turkic", "States"])

    def test_snippet_html_escapes_release_text(self):
        b = self.srv.json("/api/search?" + q(q="zanzibarpayload"))
        self.assertEqual({r["release"] for r in b["results"]}, {HOSTILE})
        for r in b["results"]:
            html = r["snippet_html"]
            self.assertNotIn("<script", html)
            self.assertNotIn("<img", html)
            self.assertNotIn("</mark><script", html)
            self.assertIn("<mark>zanzibarpayload</mark>", html)
            # Nothing but <mark> is markup: remove it and no '<' or '"' is left.
            bare = html.replace("<mark>", "").replace("</mark>", "")
            self.assertNotIn("<", bare)
            self.assertNotIn('"', bare)
            self.assertIn("&lt;script&gt;", html)
            self.assertIn("<script>", r["text"])  # the JSON text is the release's, as written
        second = [r for r in b["results"] if "closes the highlight" in r["text"]][0]["snippet_html"]
        self.assertIn("&lt;/mark&gt;&lt;script&gt;", second)
        self.assertIn("&#39;quotes&#39; &amp; ampersands &amp;lt;b&amp;gt;", second)

    def test_paging_filters_sort_options(self):
        two = self.srv.json("/api/search?" + q(q="Turkic", limit=2))["results"]
        second = self.srv.json("/api/search?" + q(q="Turkic", limit=1, offset=1))
        self.assertEqual(second["results"][0]["rank"], 2)
        self.assertEqual(second["results"][0]["release"], two[1]["release"])
        self.assertEqual(second["results"][0]["paragraph"], two[1]["paragraph"])
        self.assertEqual((second["offset"], second["limit"]), (1, 1))
        # Filters: dates, source; sort by date; one per release; context.
        for r in self.srv.json("/api/search?" + q(q="president", since="2024-10", until="2024-10-31"))["results"]:
            self.assertTrue("2024-10-01" <= r["date"] <= "2024-10-31", r)
        src = self.srv.json("/api/stats")["sources"][0]["source"]
        got = self.srv.json("/api/search?" + q(q="the", source=src, limit=20))["results"]
        self.assertTrue(got)
        self.assertEqual({r["source"] for r in got}, {src})
        dates = [r["date"] or "" for r in self.srv.json("/api/search?" + q(q="president", sort="date", limit=20))["results"]]
        self.assertEqual([d for d in dates if d], sorted([d for d in dates if d], reverse=True))
        rel = [r["release"] for r in self.srv.json("/api/search?" + q(q="Turkic", by_release=1, limit=50))["results"]]
        self.assertEqual(len(rel), len(set(rel)))
        ctx = self.srv.json("/api/search?" + q(q='"Organization of Turkic States"', context=1))["results"][0]
        self.assertEqual([p["paragraph"] for p in ctx["before"]], [ctx["paragraph"] - 1])
        self.assertEqual([p["paragraph"] for p in ctx["after"]], [ctx["paragraph"] + 1])
        # A filter alone lists what it lets through; weights are taken.
        self.assertTrue(self.srv.json("/api/search?" + q(since="2025"))["results"])
        self.assertEqual(self.srv.json("/api/search?" + q(q="Turkic", release_weight=0, bm25_b="0.75"))["query"], "Turkic")
        # Facets: matching passages by source and month, with the total; checked against every
        # matching passage listed (collapse=0: each passage once).
        for query in ("Turkic", "president", "zanzibarpayload"):
            b = self.srv.json("/api/search?" + q(q=query, limit=0))
            every = self.srv.json("/api/search?" + q(q=query, limit=100, collapse=0))["results"]
            f = b["facets"]
            self.assertIs(type(f["exact"]), bool)
            self.assertTrue(f["exact"] and b["exact"], (query, b))  # a handful of releases: counted
            self.assertEqual(b["total"], len(every), query)
            months, sources = {}, {}
            for r in every:
                months[(r["date"] or "")[:7]] = months.get((r["date"] or "")[:7], 0) + 1
                sources[r["source"]] = sources.get(r["source"], 0) + 1
            self.assertEqual({m["value"]: m["count"] for m in f["month"]}, months, query)
            self.assertEqual({m["value"]: m["count"] for m in f["source"]}, sources, query)
            dated = [m["value"] for m in f["month"] if m["value"]]
            self.assertEqual(dated, sorted(dated))  # time order, for the chart
        self.assertNotIn("facets", self.srv.json("/api/search?" + q(q="Turkic", facets=0)))
        self.assertTrue(self.srv.json("/api/search?" + q(q="Turkic", exact=1, facets="false"))["exact"])

    def test_csv_is_search_csv(self):
        r = self.srv.request("/api/search.csv?" + q(q="president", limit=50))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"), "text/csv; charset=utf-8")
        self.assertIn("attachment", r.getheader("Content-Disposition"))
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
        want = list(csv.reader(io.StringIO(cli("--db", self.db, "search", "--csv", "--limit", "50", "president").stdout,
                                           newline="")))
        self.assertEqual(rows[0], ["rank", "score", "date", "source", "title", "url", "release", "paragraph", "text"])
        self.assertEqual(rows, want)
        self.assertGreater(len(rows), 3)
        # The hostile release's text reads back byte for byte (quotes, commas, markup).
        rows = list(csv.DictReader(io.StringIO(self.srv.request("/api/search.csv?" + q(q="zanzibarpayload")).body
                                               .decode("utf-8"), newline="")))
        texts = cli("--db", self.db, "show", "--json", HOSTILE).stdout
        self.assertEqual({r["text"] for r in rows}, {p["text"] for p in json.loads(texts)["paragraphs"]})
        error_of(self.srv.request("/api/search.csv?" + q(q="(Turkic")), 400)

    def test_release(self):
        got = self.srv.json("/api/release?" + q(id=SEED))
        self.assertEqual(got, json.loads(cli("--db", self.db, "show", "--json", SEED).stdout))
        self.assertEqual(len(got["paragraphs"]), 25)
        e = error_of(self.srv.request("/api/release?" + q(id="no/such/release")), 404)
        self.assertIn("no/such/release", e["message"])
        error_of(self.srv.request("/api/release"), 400)
        error_of(self.srv.request("/api/release?" + q(id="")), 400)

    def test_malformed_queries_are_400_with_position(self):
        for query, pos in [('"Organization of Turkic', 0), ("trade)", 5), ("Erdoğan AND", 9),
                           ("Türk “Organization of", 6), ("Tokayev NEAR/x ceremony", 8)]:
            e = error_of(self.srv.request("/api/search?" + q(q=query)), 400)
            self.assertEqual(e["position"], pos, (query, e))
            self.assertIn("malformed query at character", e["message"])
        # Errors that are not the query's shape have no position.
        for params in [dict(q="Turkic", since="2025-13"), dict(q="Turkic", limit=101), dict(q="Turkic", limit="x"),
                       dict(q="Turkic", offset=-1), dict(q="Turkic", sort="random"), dict(q="Turkic", bm25_b=2),
                       dict(q="Turkic", title_weight="nan"), dict(q="Turkic", by_release="yes"),
                       dict(q="Turkic", context=11), dict(q="Turkic", lang="klingon"), dict(qq="Turkic"),
                       dict(q=" ... "), dict(), dict(q="a " * 300)]:
            e = error_of(self.srv.request("/api/search?" + q(**params)), 400)
            self.assertNotIn("position", e, params)
        for nul in ("q=a%00b", "q=Turkic%00", "q=%c0%80"):
            self.assertIn("NUL", error_of(self.srv.request("/api/search?" + nul), 400)["message"])
        self.assertIn("UTF-8", error_of(self.srv.request("/api/search?q=%ff"), 400)["message"])
        e = error_of(self.srv.request("/api/search?q=Turkic&q=trade"), 400)
        self.assertIn("twice", e["message"])
        e = error_of(self.srv.request("/api/search?q"), 400)
        self.assertIn("no value", e["message"])

    def test_unknown_paths_and_methods(self):
        error_of(self.srv.request("/api/nothing"), 404)
        error_of(self.srv.request("/etc/passwd"), 404)
        error_of(self.srv.request("/../../etc/passwd"), 404)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = self.srv.request("/api/search?q=Turkic", method=method)
            error_of(r, 405)
            self.assertEqual(r.getheader("Allow"), "GET, HEAD")
        r = self.srv.request("/api/search?q=Turkic", method="HEAD")
        self.assertEqual((r.status, r.body), (200, b""))

    def test_page(self):
        r = self.srv.request("/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertIn(b"<title>pressindex</title>", r.body)
        self.assertIn("script-src 'self'", r.getheader("Content-Security-Policy"))
        self.assertEqual(r.getheader("X-Content-Type-Options"), "nosniff")
        # Nothing is fetched from elsewhere: every src and href of the page is this server's.
        self.assertNotIn(b"http://", r.body.replace(b"http://www.w3.org", b""))
        self.assertNotIn(b"https://", r.body)
        js = self.srv.request("/app.js")
        self.assertEqual((js.status, js.getheader("Content-Type")), (200, "text/javascript; charset=utf-8"))
        self.assertNotIn(b"https://", js.body)
        self.assertEqual(self.srv.request("/app.css").status, 200)
        self.assertEqual(self.srv.request("/?q=Turkic").status, 200)  # a shared link

    def test_oversize_requests(self):
        # Past the bound of path + parameters: 414 (ours, or libmicrohttpd's past its memory).
        for n in (9000, 100000, 1000000):
            t = time.monotonic()
            try:
                r = self.srv.request("/api/search?q=" + "a" * n)
                self.assertEqual(r.status, 414, n)
            except (ConnectionResetError, BrokenPipeError):
                pass  # a megabyte may be cut off while it is still being sent: refused either way
            self.assertLess(time.monotonic() - t, FAST, n)
        e = error_of(self.srv.request("/api/search?q=" + "a" * 9000), 414)
        self.assertIn("8192", e["message"])
        # A value past 4096 bytes, a query past the library's bounds, too many parameters: 400.
        e = error_of(self.srv.request("/api/search?" + q(q="a" * 5000)), 400)
        self.assertIn("4096", e["message"])
        e = error_of(self.srv.request("/api/search?" + "&".join(f"p{i}=1" for i in range(40))), 400)
        self.assertIn("too many", e["message"])
        self.assertTrue(self.srv.up())

    def test_hostile_parameters(self):
        hostile = [
            "q=a%00b", "q=%00", "q=%ff%fe", "q=%c0%af", "q=%ed%a0%80", "q=%f4%90%80%80", "q=%e2%80",
            "q=%zz", "q=%", "q=%%", "q=%2", "q=%u0041", "q=%252e%252e%252f", "q=Turkic&limit=%00",
            "q=Turkic&limit=1e9", "q=Turkic&limit=99999999999999999999", "q=Turkic&offset=18446744073709551616",
            "q=Turkic&release_weight=1e400", "q=Turkic&release_weight=-0", "q=Turkic&release_weight=inf",
            "q=Turkic&%00=1", "q=Turkic&=1", "q=Turkic&a%ffb=1", "%71=Turkic",
            "q=" + urllib.parse.quote("(" * 2000 + "Turkic" + ")" * 2000),
            "q=" + urllib.parse.quote(" ".join(f"w{i}*" for i in range(600))),
            "q=" + urllib.parse.quote("a* " * 300),
            "q=" + urllib.parse.quote('"' * 3000),
            "q=" + urllib.parse.quote("Turkic NEAR/99999 States"),
            "q=" + urllib.parse.quote("date:0000-00-00..9999-99-99 Turkic"),
            "q=" + urllib.parse.quote("source:" + "x" * 3000),
            "q=" + urllib.parse.quote("title:(" * 500),
            "q=" + urllib.parse.quote("\u202e\ufeff\u0000".replace("\u0000", "") + "Turkic"),
            "q=" + urllib.parse.quote("Turkic " + "OR " * 1000),
        ]
        for query in hostile:
            r = self.srv.request("/api/search?" + query)
            self.assertLess(r.elapsed, FAST, query[:60])
            self.assertTrue(r.status in (200, 400, 414), (query[:60], r.status, r.body[:200]))
            body = json.loads(r.body)  # always JSON, valid UTF-8
            if r.status != 200:
                self.assertEqual(body["error"]["status"], r.status)
        for path in ["/api/release?id=%00", "/api/release?id=%ff", "/api/release?id=" + "x" * 4000,
                     "/%2e%2e/%2e%2e/etc/passwd", "/api/search%00?q=Turkic", "/api/%ff"]:
            r = self.srv.request(path)
            self.assertLess(r.elapsed, FAST, path)
            self.assertIn(r.status, (400, 404), path)
            json.loads(r.body)
        self.assertTrue(self.srv.up())

    def test_raw_protocol_garbage(self):
        """Malformed HTTP from a socket: answered (or closed) at once, the server still up."""
        # A raw NUL ends the request line where it is (libmicrohttpd reads "GET /"): any answer will do.
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
        s.sendall(b"GET /\x00<script> HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertRegex(s.recv(64), rb"^HTTP/1\.[01] \d\d\d ")
        s.close()
        for raw in [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"GET /api/search?q=Turkic HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"y" * 70000 + b"\r\n\r\n",
                    b"GET /api/search?q=Turkic HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                    b"\xff\xfe\xfd\r\n\r\n", b"GET /api/health HTTP/1.1\r\n" + b"H: v\r\n" * 5000 + b"\r\n"]:
            t = time.monotonic()
            s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
            try:
                s.sendall(raw)
                head = s.recv(64)
            except (ConnectionResetError, BrokenPipeError):
                head = b""
            finally:
                s.close()
            self.assertLess(time.monotonic() - t, FAST, raw[:40])
            if head:
                self.assertRegex(head, rb"^HTTP/1\.[01] [45]\d\d ", raw[:40])
        self.assertTrue(self.srv.up())


class Unavailable(unittest.TestCase):
    """503: past the time budget; a damaged index. The server stays up and says why."""

    def test_time_budget(self):
        base, db = make_index("budget")
        srv = Server(db, "--time-limit", "0.000001")
        try:
            r = srv.request("/api/search?" + q(q="Turkic OR president OR the"))
            e = error_of(r, 503)
            self.assertIn("time", e["message"])
            self.assertLess(r.elapsed, FAST)
            self.assertTrue(srv.up())
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_damaged_index(self):
        base, db = make_index("damaged")
        srv = Server(db, "--threads", "1")
        try:
            self.assertEqual(srv.json("/api/search?" + q(q="Turkic"))["total"] > 0, True)
            damaged = 0
            for root, _, files in os.walk(db):
                for f in files:
                    if f.endswith(".glass"):
                        p = os.path.join(root, f)
                        size = os.path.getsize(p)
                        with open(p, "r+b") as fh:  # in place: the server's open files see it
                            fh.write(bytes((i * 37 + 11) % 256 for i in range(size)))
                        damaged += 1
            self.assertGreater(damaged, 0)
            for path in ["/api/search?" + q(q="president"), "/api/release?" + q(id=SEED), "/api/stats"]:
                r = srv.request(path)
                e = error_of(r, 503)
                self.assertLess(r.elapsed, FAST)
            self.assertEqual(srv.proc.poll(), None)
            error_of(srv.request("/api/health"), 503)
        finally:
            self.assertEqual(srv.stop(), 0)

    def test_no_index_is_refused_at_start(self):
        p = subprocess.run([PRESSINDEX, "--db", os.path.join(TMP, "nothing-here"), "serve", "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 66)
        self.assertEqual(p.stdout, "")
        self.assertIn("nothing-here", p.stderr)

    def test_address_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            p = subprocess.run([PRESSINDEX, "--db", os.path.join(TMP, "main", "index"), "serve", "--listen",
                                f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 69)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, f"pressindex: serve: cannot listen on 127.0.0.1:{port}: Address already in use\n")

    def test_usage_errors(self):
        for args in (["--listen", "nowhere"], ["--listen", "127.0.0.1:99999"], ["--threads", "0"],
                     ["--time-limit", "-1"], ["extra"]):
            p = subprocess.run([PRESSINDEX, "--db", os.path.join(TMP, "main", "index"), "serve", *args],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 64, args)
            self.assertTrue(p.stderr, args)


class LiveIndex(unittest.TestCase):
    """The nightly reindex's commits and a compaction, while requests keep coming: picked up
    without a restart, and no request fails."""

    def test_reindex_and_compaction_under_load(self):
        base, db = make_index("live")
        srv = Server(db, "--threads", "2")
        failures, done = [], threading.Event()
        counts = [0]

        def hammer():
            paths = ["/api/search?" + q(q="Turkic"), "/api/search?" + q(q="president", limit=5),
                     "/api/release?" + q(id=SEED), "/api/stats", "/api/search.csv?" + q(q="Turkic")]
            i = 0
            while not done.is_set():
                path = paths[i % len(paths)]
                i += 1
                try:
                    r = srv.request(path)
                    if r.status != 200:
                        failures.append((path, r.status, r.body[:200]))
                except Exception as e:  # a dropped connection is a failed request too
                    failures.append((path, repr(e)))
                counts[0] += 1

        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for t in threads:
            t.start()
        try:
            new = os.path.join(base, "releases", "zz-new-release.txt")
            with open(new, "w") as f:
                f.write("Title: A new release\nDate: 2025-09-01\n\nThe quokkaword appears in tonight's delivery.\n")
            self.assertEqual(srv.json("/api/search?" + q(q="quokkaword"))["results"], [])
            cli("--db", db, "reindex", os.path.join(base, "releases"), os.path.join(base, "hostile"))
            got = srv.json("/api/search?" + q(q="quokkaword"))["results"]
            self.assertEqual([r["release"] for r in got], ["releases/zz-new-release.txt"])
            before = srv.json("/api/search?" + q(q="Turkic", limit=20))["results"]
            cli("--db", db, "compact")
            after = srv.json("/api/search?" + q(q="Turkic", limit=20))["results"]
            self.assertEqual(after, before)
            os.remove(new)
            cli("--db", db, "reindex", os.path.join(base, "releases"), os.path.join(base, "hostile"))
            self.assertEqual(srv.json("/api/search?" + q(q="quokkaword"))["results"], [])
            cli("--db", db, "compact")
            time.sleep(0.3)
        finally:
            done.set()
            for t in threads:
                t.join()
            rc = srv.stop()
        self.assertEqual(failures, [])
        self.assertGreater(counts[0], 20)
        self.assertEqual(rc, 0)


class Shutdown(unittest.TestCase):
    def test_sigterm_while_a_client_is_connected(self):
        base, db = make_index("shutdown")
        srv = Server(db)
        idle = socket.create_connection(("127.0.0.1", srv.port))  # a keep-alive client, idle
        self.assertEqual(srv.json("/api/search?" + q(q="Turkic"))["query"], "Turkic")
        t = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        rc = srv.proc.wait(15)
        self.assertLess(time.monotonic() - t, 3)
        self.assertEqual(rc, 0)
        idle.close()
        srv.stop()
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
