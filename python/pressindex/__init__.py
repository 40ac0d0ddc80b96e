"""pressindex: full-text search of press releases, paragraph by paragraph.

A Python binding of libpressindex (cffi, API mode). The model, the query language and the rules
are the C library's: see pressindex(3), pressindex(1) and doc/python.md.

    import pressindex
    with pressindex.Index("archive") as idx:
        for hit in idx.search('"Organization of Turkic States"', since="2025-01"):
            print(hit.date, hit.release, hit.paragraph, hit.text)

Lifetime: every result is copied into Python objects before search() returns, so results,
releases and summaries hold no C memory and stay valid after the index is closed, in any order of
garbage collection, and may be handed to other threads.

Threads: the GIL is released during every call into the library (searching, indexing, opening,
waiting for the writer lock), so threads search in parallel. As pressindex(3) says, use one Index
per thread; an Index used from two threads at once is not undefined behaviour here (each Index
serialises its calls with a lock), only no faster.
"""
import datetime as _dt
import re as _re
import threading as _threading
import warnings as _warnings
import builtins as _builtins
import os as _os

from ._pressindex import ffi as _ffi, lib as _lib

__all__ = [
    "Index", "Release", "Hit", "Results", "Stats", "IndexSummary", "ReindexSummary", "CheckReport",
    "Problem", "Change", "DataWarning", "version",
    "Error", "NotFoundError", "LockedError", "CorruptError", "VersionError", "MalformedQueryError",
    "DataError", "InvalidArgumentError", "ModifiedError", "InputOutputError", "NoMemoryError",
    "InternalError", "LimitError", "TimeoutError",
]

__version__ = "0.1.0"


def version():
    """The version of the libpressindex actually loaded, e.g. "0.1.0"."""
    return _ffi.string(_lib.pressindex_version()).decode()


# ---------------------------------------------------------------------------------------------
# Errors: one class per status.

class Error(Exception):
    """A libpressindex failure. .status is the C status (an int), .message the library's message,
    worded as the pressindex command prints it."""

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class _OSErrorKind:
    """For the classes that are also OSErrors: OSError's constructor reads two arguments as
    (errno, strerror); give it the message alone (errno stays None, str() the message)."""

    def __new__(cls, message, status=None, **extra):
        return super().__new__(cls, message)


class NotFoundError(_OSErrorKind, Error, FileNotFoundError):
    """No index (or no release, or no input) at that name: PRESSINDEX_ERR_NOT_FOUND."""


class LockedError(Error):
    """Another writer holds the index's lock (after lock_timeout): PRESSINDEX_ERR_LOCKED."""


class CorruptError(Error):
    """The index is damaged: PRESSINDEX_ERR_CORRUPT."""


class VersionError(Error):
    """The index was written by an older or newer schema: PRESSINDEX_ERR_VERSION. The message
    says how to rebuild it (older) or to upgrade pressindex (newer)."""


class MalformedQueryError(Error):
    """The query is malformed: PRESSINDEX_ERR_BAD_QUERY. .position is the 0-based index into the
    query str (code points) where the problem is, or None when the message names none (a bad date
    range, an error from Xapian's parser); .query is the query."""

    def __init__(self, message, status=None, query=None, position=None):
        super().__init__(message, status)
        self.query = query
        self.position = position


class DataError(Error):
    """Input data had problems: PRESSINDEX_ERR_DATA. Never raised by add() (it warns, see
    DataWarning) nor by index_path()/reindex() (problems are in their summaries)."""


class InvalidArgumentError(Error, ValueError):
    """An argument out of range, or a read-only Index written to: PRESSINDEX_ERR_INVALID_ARGUMENT."""


class ModifiedError(Error):
    """The index changed under a reader too often to answer: PRESSINDEX_ERR_MODIFIED."""


class InputOutputError(_OSErrorKind, Error, OSError):
    """Reading or writing files failed: PRESSINDEX_ERR_IO."""


class NoMemoryError(Error, MemoryError):
    """An allocation failed in the library: PRESSINDEX_ERR_NO_MEMORY."""


class InternalError(Error):
    """A bug in libpressindex (please report the message): PRESSINDEX_ERR_INTERNAL."""


class LimitError(Error):
    """The query is past a size bound (max_query_bytes, max_query_terms, max_wildcard_expansion):
    PRESSINDEX_ERR_LIMIT. Refused before any work."""


class TimeoutError(_OSErrorKind, Error, _builtins.TimeoutError):  # noqa: A001 - the status's name
    """The search took longer than its time_limit: PRESSINDEX_ERR_TIMEOUT. No partial results;
    try a narrower query later. Also a builtin TimeoutError."""


class DataWarning(UserWarning):
    """add() repaired a release (invalid UTF-8, an unknown language, an impossible date) and
    added it all the same: the message names each repair."""


_ERRORS = {
    _lib.PRESSINDEX_ERR_NOT_FOUND: NotFoundError,
    _lib.PRESSINDEX_ERR_LOCKED: LockedError,
    _lib.PRESSINDEX_ERR_CORRUPT: CorruptError,
    _lib.PRESSINDEX_ERR_VERSION: VersionError,
    _lib.PRESSINDEX_ERR_BAD_QUERY: MalformedQueryError,
    _lib.PRESSINDEX_ERR_DATA: DataError,
    _lib.PRESSINDEX_ERR_INVALID_ARGUMENT: InvalidArgumentError,
    _lib.PRESSINDEX_ERR_MODIFIED: ModifiedError,
    _lib.PRESSINDEX_ERR_IO: InputOutputError,
    _lib.PRESSINDEX_ERR_NO_MEMORY: NoMemoryError,
    _lib.PRESSINDEX_ERR_INTERNAL: InternalError,
    _lib.PRESSINDEX_ERR_LIMIT: LimitError,
    _lib.PRESSINDEX_ERR_TIMEOUT: TimeoutError,
}
for _status, _cls in _ERRORS.items():
    _cls.status = _status


def _error(status, message, **extra):
    if not message:
        message = _ffi.string(_lib.pressindex_status_to_string(status)).decode()
    cls = _ERRORS.get(status, Error)
    exc = cls(message, status, **extra)
    return exc


def _str(p):
    """A C string owned by the library, as str ("" for NULL). Invalid UTF-8 cannot come out of
    the library (it repairs input), but never fail on it."""
    return _ffi.string(p).decode("utf-8", "replace") if p != _ffi.NULL else ""


def _opt(p):
    """A C string, None when NULL or empty (absent metadata)."""
    if p == _ffi.NULL:
        return None
    s = _ffi.string(p)
    return s.decode("utf-8", "replace") if s else None


# ---------------------------------------------------------------------------------------------
# Dates.

_DATE_RE = _re.compile(r"\d{4}(-\d{2}(-\d{2})?)?\Z")


def _date_arg(value, name, partial=True):
    """A date argument as the library's text: datetime.date (or datetime) or "YYYY[-MM[-DD]]"."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat().encode()
    if isinstance(value, str):
        if not partial:
            # Release dates are whole days; the library repairs an impossible one (a warning).
            return value.encode() if value else None
        if not _DATE_RE.match(value):
            raise InvalidArgumentError(f"bad date {value!r} for {name} (use a datetime.date, "
                                       "\"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\")",
                                       _lib.PRESSINDEX_ERR_INVALID_ARGUMENT)
        return value.encode()
    raise TypeError(f"{name}: a datetime.date or a \"YYYY[-MM[-DD]]\" string, not "
                    f"{type(value).__name__}")


_date_cache = {}


def _date_str(s):
    """A "YYYY-MM-DD" str as datetime.date, None when undated ("")."""
    if not s:
        return None
    d = _date_cache.get(s)
    if d is None:
        try:
            d = _dt.date.fromisoformat(s)
        except ValueError:
            return None
        if len(_date_cache) < 65536:
            _date_cache[s] = d
    return d


def _date(p):
    """A "YYYY-MM-DD" C string (or char array) as datetime.date, None when undated."""
    return None if p == _ffi.NULL else _date_str(_ffi.string(p).decode("ascii", "replace"))


# ---------------------------------------------------------------------------------------------
# Value objects (plain Python: no C memory behind them).

class Hit:
    """One result: a passage (paragraph) of a release.

    text          the paragraph (str)
    highlights    [(start, end), ...]: code-point offsets into text, so text[start:end] is a
                  matched word
    release       the release's id;  paragraph: its number in the release, from 1
    date          datetime.date, or None when the release is undated
    title, source, url, lang: the release's metadata (None when absent)
    score         the ranking score (higher is better);  rank: 1-based over the whole list
    collapsed     how many other passages were collapsed into this one (identical text, or with
                  by_release the release's other matching passages)
    before, after the context paragraphs asked for with context=N, as (paragraph, text) tuples
                  in paragraph order (fewer at the start or end of the release)
    """

    __slots__ = ("text", "highlights", "release", "paragraph", "date", "title", "source", "url",
                 "lang", "score", "rank", "collapsed", "before", "after")

    def __repr__(self):
        return (f"<Hit {self.rank}: {self.release}#{self.paragraph} {self.date} "
                f"score={self.score:.3f} {self.text[:40]!r}>")


class Results:
    """What search() returns: iterable (and indexable) Hits, with

    total       the number of matching passages in the whole index (before paging)
    exact       whether total is an exact count (False: an estimate, within about 10%)
    suggestion  "did you mean": the query with unknown words replaced, or None
    query       the query searched
    facets      with search(facets=True): {"source"|"month"|"year": [(value, count)...],
                "exact": bool}; else None
    sequence    the index's sequence number when the search ran (a saved search passes it
                later as after_sequence)
    """

    __slots__ = ("hits", "total", "exact", "suggestion", "query", "facets", "sequence")

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]

    def __bool__(self):
        return bool(self.hits)

    def __repr__(self):
        return f"<Results {len(self.hits)} of {'' if self.exact else 'about '}{self.total} for {self.query!r}>"


class Release:
    """A press release: what add() takes and release() returns.

    id (required), date (datetime.date or "YYYY-MM-DD"; None: undated), title, source, url,
    lang (an ISO 639-1 code; None: the index default), paragraphs (a list of str).
    """

    __slots__ = ("id", "date", "title", "source", "url", "lang", "paragraphs")

    def __init__(self, id, paragraphs=(), *, date=None, title=None, source=None, url=None,
                 lang=None):
        self.id = id
        self.date = date
        self.title = title
        self.source = source
        self.url = url
        self.lang = lang
        self.paragraphs = list(paragraphs)

    def __eq__(self, other):
        if not isinstance(other, Release):
            return NotImplemented
        return all(getattr(self, a) == getattr(other, a) for a in self.__slots__)

    def __repr__(self):
        return (f"Release(id={self.id!r}, date={self.date!r}, title={self.title!r}, "
                f"{len(self.paragraphs)} paragraphs)")


class _Record:
    """A plain record: fields as attributes, a readable repr, equality by value."""

    __slots__ = ()

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, a) == getattr(other, a) for a in self.__slots__)

    def __repr__(self):
        fields = ", ".join(f"{a}={getattr(self, a)!r}" for a in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def _asdict(self):
        return {a: getattr(self, a) for a in self.__slots__}


class Problem(_Record):
    """A problem in the input: file, line (0 when not applicable), message."""
    __slots__ = ("file", "line", "message")

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}" if self.line else \
            f"{self.file}: {self.message}"


class Change(_Record):
    """What reindex() did (or would do) to a release: kind ("added", "changed", "deleted"), id,
    file."""
    __slots__ = ("kind", "id", "file")


class Stats(_Record):
    """stats(): releases, passages, date_min, date_max (datetime.date, None when nothing is
    dated), sources ({name: passages}, in the order of their folded names)."""
    __slots__ = ("releases", "passages", "date_min", "date_max", "sources")


class IndexSummary(_Record):
    """What index_path() or index_text() did: files, releases (added + replaced), added,
    replaced, passages, bytes, skipped, and problems (a list of Problem). .ok is True when
    nothing was skipped, repaired or missing."""
    __slots__ = ("files", "releases", "added", "replaced", "passages", "bytes", "skipped",
                 "problems", "ok")


class ReindexSummary(_Record):
    """What reindex() did: added, changed, deleted, unchanged, skipped, files, files_read,
    refused, seconds, problems (Problem list), changes (Change list), ok."""
    __slots__ = ("added", "changed", "deleted", "unchanged", "skipped", "files", "files_read",
                 "refused", "seconds", "problems", "changes", "ok")


class CheckReport(_Record):
    """check(): releases, passages, files looked at; problems (Problem list); ok (no problem)."""
    __slots__ = ("releases", "passages", "files", "problems", "ok")


# ---------------------------------------------------------------------------------------------
# Callbacks from C (extern "Python": cffi takes the GIL back for them).

@_ffi.def_extern()
def _pi_problem_cb(user, file, line, message):
    _ffi.from_handle(user)["problems"].append(
        Problem(file=_str(file), line=int(line), message=_str(message)))


@_ffi.def_extern()
def _pi_progress_cb(user, releases, passages, nbytes):
    acc = _ffi.from_handle(user)
    if acc["progress_error"] is None:
        try:
            acc["progress"](int(releases), int(passages), int(nbytes))
        except BaseException as e:  # raised again after the run: see _progress_raise
            acc["progress_error"] = e


@_ffi.def_extern()
def _pi_source_cb(user, source, passages):
    _ffi.from_handle(user)[_str(source)] = int(passages)


_CHANGE_KINDS = {_lib.PRESSINDEX_CHANGE_ADDED: "added", _lib.PRESSINDEX_CHANGE_CHANGED: "changed",
                 _lib.PRESSINDEX_CHANGE_DELETED: "deleted"}


@_ffi.def_extern()
def _pi_change_cb(user, kind, id, file):
    _ffi.from_handle(user)["changes"].append(
        Change(kind=_CHANGE_KINDS.get(kind, str(int(kind))), id=_str(id), file=_str(file)))


# ---------------------------------------------------------------------------------------------

_SORTS = {"relevance": _lib.PRESSINDEX_SORT_RELEVANCE, "date": _lib.PRESSINDEX_SORT_DATE}
_FORMATS = {"auto": _lib.PRESSINDEX_FORMAT_AUTO, "text": _lib.PRESSINDEX_FORMAT_TEXT,
            "jsonl": _lib.PRESSINDEX_FORMAT_JSONL}
_SEARCH_OPTIONS_SIZE = _ffi.sizeof("pressindex_search_options")


def _text(value, name):
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    raise TypeError(f"{name}: a str, not {type(value).__name__}")


def _path(value):
    return _os.fsencode(value)


class Index:
    """An index directory, open for reading or (writable=True) for writing.

    Index(path, writable=False, *, create=None, lock_timeout=30.0, lang=None)

    path          the index directory (str or os.PathLike)
    writable      take the writer lock (one writer per index at a time, across processes)
    create        with writable: create the index if it does not exist (default: writable, as
                  the pressindex command does); a directory that is not an index is never
                  turned into one (NotFoundError)
    lock_timeout  seconds a writer waits for the lock before LockedError (default 30)
    lang          default stemming language of releases that name none (default "en")

    Raises NotFoundError (no index), LockedError, CorruptError, VersionError (older or newer
    schema: the message says what to do), InputOutputError. Use it as a context manager, or call
    close(): a writer's uncommitted changes are discarded on close (commit() first).
    """

    def __init__(self, path, writable=False, *, create=None, lock_timeout=30.0, lang=None):
        self.path = _os.fspath(path)
        self.writable = bool(writable)
        self._lock = _threading.Lock()
        self._h = None
        opts = _ffi.new("pressindex_open_options *")
        _lib.pressindex_open_options_init_sized(opts, _ffi.sizeof("pressindex_open_options"))
        opts.writable = 1 if writable else 0
        opts.create = 1 if (writable if create is None else create) else 0
        if lock_timeout is not None:
            opts.lock_timeout = float(lock_timeout)
        lang_c = _text(lang, "lang")
        if lang_c is not None:
            lang_c = _ffi.new("char[]", lang_c)  # alive until open returns
            opts.lang = lang_c
        out = _ffi.new("pressindex **")
        st = _lib.pressindex_open(_path(path), opts, out)
        if st != _lib.PRESSINDEX_OK:
            raise _error(st, _str(_lib.pressindex_open_error()))
        # The handle is destroyed by close(), or when this object is collected (ffi.gc), never
        # both: close() detaches the finaliser first.
        self._h = _ffi.gc(out[0], _lib.pressindex_destroy)

    # -- life -----------------------------------------------------------------------------
    def close(self):
        """Closes the index (idempotent). A writer's uncommitted changes are discarded and its
        lock released. Results already returned stay valid."""
        with self._lock:
            h, self._h = self._h, None
            if h is not None:
                _ffi.release(h)  # runs pressindex_destroy now, and never again

    @property
    def closed(self):
        return self._h is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._h is None else ("writable" if self.writable else "read-only")
        return f"<pressindex.Index {self.path!r} {state}>"

    def _handle(self):
        if self._h is None:
            raise InvalidArgumentError(f"{self.path}: the index is closed",
                                       _lib.PRESSINDEX_ERR_INVALID_ARGUMENT)
        return self._h

    def _fail(self, st, **extra):
        return _error(st, _str(_lib.pressindex_last_error(self._h)), **extra)

    # -- searching --------------------------------------------------------------------------
    def search(self, query, *, limit=10, offset=0, since=None, until=None, source=None,
               lang=None, sort="relevance", by_release=False, collapse=True, context=0,
               release_weight=None, adjacency_weight=None, title_weight=None,
               boilerplate_weight=None, neighbour_weight=None, bm25_k1=None, bm25_b=None,
               rerank_depth=None, question_weight=None, max_query_bytes=None,
               max_query_terms=None, max_wildcard_expansion=None, time_limit=None,
               exact=False, facets=False, all_words=False, after_sequence=0,
               sample_total=False):
        """Searches the index; returns Results (iterate for Hits; .total, .exact, .suggestion).

        query       the query (str), in pressindex(1)'s language: words, "a phrase", +must,
                    -not, AND, OR, NOT, NEAR, (groups), wild*, title:, source:, date:A..B.
                    An empty query with a filter (since, until, source) lists what passes it.
        limit       results to return (default 10; at most 100,000,000)
        offset      results to skip, for paging (default 0)
        since       only passages of releases dated on or after: datetime.date or
                    "YYYY", "YYYY-MM", "YYYY-MM-DD" (a month or year means its first day)
        until       on or before, same forms (a month or year means its last day)
        source      only releases from this source (case and diacritics ignored)
        lang        stemming language of the query (ISO 639-1 code); default: every language
                    the index holds; an unknown one is InvalidArgumentError
        sort        "relevance" (default) or "date" (newest first, then relevance)
        by_release  True: only the best passage of each release
        collapse    True (default): identical paragraphs collapse into one (Hit.collapsed)
        context     fetch this many paragraphs before and after each hit (Hit.before,
                    Hit.after; at most 100)

        Ranking (None keeps the library's default; doc/ranking.md has the measurements):
        release_weight      weight of the release's evidence in a passage's score (0.3)
        adjacency_weight    boost of plain query words side by side and in order (0: off)
        title_weight        weight of query words found in the release's title (0.5)
        boilerplate_weight  factor on boilerplate paragraphs' scores; 1 = no demotion (0.1)
        neighbour_weight    weight of query words the paragraph lacks and the one before it
                            holds (0.3)
        bm25_k1, bm25_b     BM25's parameters (1.0, 0.5)
        rerank_depth        how many best passages the evidence above is judged over (20)
        question_weight     factor on a briefing's "Q " paragraphs' scores; 1 = none (0.7)

        Bounds (None keeps the default; 0 lifts the bound; past one, LimitError at once):
        max_query_bytes         the query's length in UTF-8 bytes (16384)
        max_query_terms         words searched (256)
        max_wildcard_expansion  index words one wildcard may stand for (1024)
        time_limit              seconds the search may take (default: no limit); past it,
                                TimeoutError and no results

        Counting (pressindex(3)):
        exact           True: .total counts every matching passage (.exact True); slower on
                        common words. Default: an estimate (.exact False, see sample_total)
                        unless the whole match was read
        facets          True: .facets holds the matching passages by "source", "month" and
                        "year" (lists of (value, count); "" = none/undated) and "exact"
        all_words       True: every word outside OR groups and exclusions in the passage
        sample_total    True: .total estimated from an even sample of the matching releases,
                        within about 10% (about 1.5x the work); False (default): a rough
                        figure from the releases the page read, at no extra cost
        after_sequence  only passages of releases written after this index sequence number
                        (.sequence of an earlier search: saved searches); 0 = all

        Raises MalformedQueryError (.position: 0-based index into query), LimitError,
        TimeoutError, InvalidArgumentError (a ValueError: bad date, sort, lang, limit...),
        ModifiedError, CorruptError, InputOutputError, NoMemoryError, InternalError.
        The GIL is released while the library searches.
        """
        q = _text(query, "query")
        if q is None:
            raise TypeError("query: a str, not None")
        so = _ffi.new("pressindex_search_options *")
        _lib.pressindex_search_options_init_sized(so, _SEARCH_OPTIONS_SIZE)
        qc = _ffi.new("char[]", q)
        keep = [qc]  # C strings the struct points to, alive until the call returns
        so.query = qc
        for name, value in (("since", _date_arg(since, "since")),
                            ("until", _date_arg(until, "until")),
                            ("source", _text(source, "source")), ("lang", _text(lang, "lang"))):
            if value is not None:
                value = _ffi.new("char[]", value)
                keep.append(value)
                setattr(so, name, value)
        try:
            so.sort = _SORTS[sort]
        except (KeyError, TypeError):
            raise InvalidArgumentError(f"sort: \"relevance\" or \"date\", not {sort!r}",
                                       _lib.PRESSINDEX_ERR_INVALID_ARGUMENT) from None
        try:
            so.limit = _count(limit, "limit")
            so.offset = _count(offset, "offset")
            so.context = _count(context, "context")
            so.by_release = 1 if by_release else 0
            so.collapse = 1 if collapse else 0
            so.exact = 1 if exact else 0
            so.facets = 1 if facets else 0
            so.all_words = 1 if all_words else 0
            so.after_sequence = _count(after_sequence, "after_sequence")
            so.sample_total = 1 if sample_total else 0
            for name, value in (("release_weight", release_weight),
                                ("adjacency_weight", adjacency_weight),
                                ("title_weight", title_weight),
                                ("boilerplate_weight", boilerplate_weight),
                                ("neighbour_weight", neighbour_weight), ("bm25_k1", bm25_k1),
                                ("bm25_b", bm25_b), ("question_weight", question_weight),
                                ("time_limit", time_limit)):
                if value is not None:
                    setattr(so, name, float(value))
            for name, value in (("rerank_depth", rerank_depth),
                                ("max_query_bytes", max_query_bytes),
                                ("max_query_terms", max_query_terms),
                                ("max_wildcard_expansion", max_wildcard_expansion)):
                if value is not None:
                    setattr(so, name, _count(value, name))
        except OverflowError as e:
            raise InvalidArgumentError(str(e), _lib.PRESSINDEX_ERR_INVALID_ARGUMENT) from None
        out = _ffi.new("pressindex_results **")
        with self._lock:
            h = self._handle()
            st = _lib.pressindex_search(h, so, out)
            if st != _lib.PRESSINDEX_OK:
                if st == _lib.PRESSINDEX_ERR_BAD_QUERY:
                    # The library's byte offset into the UTF-8 query, as an index into the str.
                    at = _lib.pressindex_last_error_position(h)
                    pos = None if at < 0 else len(query.encode("utf-8", "surrogateescape")[:at]
                                                  .decode("utf-8", "ignore"))
                    raise self._fail(st, query=query, position=pos)
                raise self._fail(st)
        res = out[0]
        try:
            r = Results()
            r.query = query
            ex = _ffi.new("int *")
            r.total = int(_lib.pressindex_results_total(res, ex))
            r.exact = bool(ex[0])
            r.sequence = int(_lib.pressindex_results_sequence(res))
            r.facets = None
            if facets:
                r.facets = {"exact": bool(_lib.pressindex_results_facets_exact(res))}
                cnt = _ffi.new("uint64_t *")
                for key, f in (("source", _lib.PRESSINDEX_FACET_SOURCE),
                               ("month", _lib.PRESSINDEX_FACET_MONTH),
                               ("year", _lib.PRESSINDEX_FACET_YEAR)):
                    r.facets[key] = [
                        (_ffi.string(_lib.pressindex_results_facet_value(res, f, i, cnt)).decode(
                            "utf-8", "replace"), int(cnt[0]))
                        for i in range(_lib.pressindex_results_facet_count(res, f))]
            r.suggestion = _opt(_lib.pressindex_results_suggestion(res))
            r.hits = _hits(res, so.context)
            return r
        finally:
            _lib.pressindex_results_destroy(res)

    def release(self, id):
        """The release with this id, as a Release (date a datetime.date or None, paragraphs in
        order). Raises NotFoundError (also a FileNotFoundError) when there is none."""
        out = _ffi.new("pressindex_results **")
        with self._lock:
            st = _lib.pressindex_get_release(self._handle(), _text(id, "id"), out)
            if st != _lib.PRESSINDEX_OK:
                raise self._fail(st)
        res = out[0]
        try:
            hits = _hits(res, 0)
        finally:
            _lib.pressindex_results_destroy(res)
        first = hits[0] if hits else None
        return Release(id=id, paragraphs=[h.text for h in hits],
                       date=first.date if first else None, title=first.title if first else None,
                       source=first.source if first else None, url=first.url if first else None,
                       lang=first.lang if first else None)

    def stats(self):
        """Stats: releases, passages, date_min, date_max, sources ({name: passages})."""
        st_c = _ffi.new("pressindex_stats *")
        with self._lock:
            st = _lib.pressindex_get_stats(self._handle(), st_c)
            if st != _lib.PRESSINDEX_OK:
                raise self._fail(st)
        sources = self.sources()
        return Stats(releases=int(st_c.releases), passages=int(st_c.passages),
                     date_min=_date(st_c.date_min), date_max=_date(st_c.date_max),
                     sources=sources)

    def sources(self):
        """The sources (publishers) in the index: {name as first written: passages}, in the
        order of their folded names."""
        found = {}
        user = _ffi.new_handle(found)
        with self._lock:
            st = _lib.pressindex_get_sources(self._handle(), _lib._pi_source_cb, user)
            if st != _lib.PRESSINDEX_OK:
                raise self._fail(st)
        return found

    def check(self):
        """Checks the index (Xapian's own check, then pressindex's invariants); repairs nothing.
        Returns a CheckReport whose problems list what is wrong (ok is False then): damage is
        the answer, not an exception. Raises only when the check itself cannot run."""
        acc = {"problems": []}
        user = _ffi.new_handle(acc)
        cs = _ffi.new("pressindex_check_stats *")
        with self._lock:
            st = _lib.pressindex_check(self._handle(), _lib._pi_problem_cb, user, cs)
            if st not in (_lib.PRESSINDEX_OK, _lib.PRESSINDEX_ERR_CORRUPT):
                raise self._fail(st)
        return CheckReport(releases=int(cs.releases), passages=int(cs.passages),
                           files=int(cs.files), problems=acc["problems"],
                           ok=st == _lib.PRESSINDEX_OK and not acc["problems"])

    # -- writing ----------------------------------------------------------------------------
    def add(self, release=None, **fields):
        """Adds a release (a Release, or its fields as keywords: id=..., paragraphs=[...], ...),
        replacing a release with the same id. Visible to searches after commit().

        A release the library repairs (invalid UTF-8, an unknown lang, an impossible date) is
        added all the same, with a DataWarning naming each repair (warnings.warn: turn it into
        an error with warnings.simplefilter("error", pressindex.DataWarning)).
        Raises InvalidArgumentError (no id, a read-only Index), InputOutputError, CorruptError.
        """
        if release is None:
            release = Release(**fields)
        elif fields:
            raise TypeError("add(): a Release or keywords, not both")
        if not release.id:
            raise InvalidArgumentError("add(): a release needs an id",
                                       _lib.PRESSINDEX_ERR_INVALID_ARGUMENT)
        r = _ffi.new("pressindex_release *")
        keep = []

        def c(value, name):
            b = _text(value, name)
            if b is None:
                return _ffi.NULL
            p = _ffi.new("char[]", b)
            keep.append(p)
            return p

        r.id = c(release.id if isinstance(release.id, str) else str(release.id), "id")
        d = _date_arg(release.date, "date", partial=False)
        dc = _ffi.NULL if d is None else _ffi.new("char[]", d)
        keep.append(dc)
        r.date = dc
        r.title = c(release.title, "title")
        r.source = c(release.source, "source")
        r.url = c(release.url, "url")
        r.lang = c(release.lang, "lang")
        paras = [_ffi.new("char[]", _text(p, "paragraph")) for p in release.paragraphs]
        arr = _ffi.new("char *[]", paras) if paras else _ffi.NULL
        r.paragraphs = arr
        r.n_paragraphs = len(paras)
        with self._lock:
            st = _lib.pressindex_add_release(self._handle(), r)
            if st == _lib.PRESSINDEX_ERR_DATA:
                msg = _str(_lib.pressindex_last_error(self._h))
            elif st != _lib.PRESSINDEX_OK:
                raise self._fail(st)
        if st == _lib.PRESSINDEX_ERR_DATA:
            _warnings.warn(msg, DataWarning, stacklevel=2)

    def delete(self, id):
        """Deletes the release with this id and its passages (an unknown id is not an error).
        Visible after commit()."""
        with self._lock:
            st = _lib.pressindex_delete_release(self._handle(), _text(id, "id"))
            if st != _lib.PRESSINDEX_OK:
                raise self._fail(st)

    def commit(self):
        """Makes every change since the last commit durable and visible, atomically."""
        with self._lock:
            st = _lib.pressindex_commit(self._handle())
            if st != _lib.PRESSINDEX_OK:
                raise self._fail(st)

    def compact(self):
        """Rewrites the index compactly and swaps it in (commits pending changes first)."""
        with self._lock:
            st = _lib.pressindex_compact(self._handle())
            if st != _lib.PRESSINDEX_OK:
                raise self._fail(st)

    def index_path(self, paths, *, format="auto", on_progress=None, id=None):
        """Indexes files or folders (one path, or a list of paths as one run), committing in
        batches and at the end. Ids are as pressindex(3) describes: a text file's id is its
        folder argument's name, a slash, and its path under it. "-" reads this process's
        standard input; id (a str) names a text release read that way (else "stdin-" and a hash
        of its bytes).

        Bad input is not raised: it is skipped or repaired, and each problem (file, line,
        message) is in the returned IndexSummary's problems, ok False. A path that does not
        exist is such a problem too (the others are indexed). format: "auto", "text", "jsonl".
        on_progress(releases, passages, bytes), if given, is called now and then with the
        counts so far (about every 256 releases, and once at the end of a run without
        problems); an exception it raises stops the
        calls and is raised again once the run has finished (what it committed stays).
        Raises InvalidArgumentError (two folders of one name, a read-only Index),
        InputOutputError, NoMemoryError, InternalError.
        """
        if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
            paths = [paths]
        cpaths = [_ffi.new("char[]", _path(p)) for p in paths]
        arr = _ffi.new("char *[]", cpaths)
        opts, acc, keep = _index_options(format, on_progress)
        cid = None
        if id is not None:
            cid = _ffi.new("char[]", _text(id, "id"))
            opts.id = cid
        summ = _ffi.new("pressindex_index_summary *")
        _lib.pressindex_index_summary_init_sized(summ, _ffi.sizeof("pressindex_index_summary"))
        with self._lock:
            st = _lib.pressindex_index_paths(self._handle(), arr, len(cpaths), opts, summ)
            if st not in (_lib.PRESSINDEX_OK, _lib.PRESSINDEX_ERR_DATA,
                          _lib.PRESSINDEX_ERR_NOT_FOUND):
                raise self._fail(st)
        _progress_raise(acc)
        return IndexSummary(files=int(summ.files), releases=int(summ.releases),
                            added=int(summ.added), replaced=int(summ.replaced),
                            passages=int(summ.passages), bytes=int(summ.bytes),
                            skipped=int(summ.skipped), problems=acc["problems"],
                            ok=st == _lib.PRESSINDEX_OK)

    def index_text(self, data, name, *, format="auto", on_progress=None):
        """Indexes releases held in memory: data (str or bytes) in the text or JSON Lines format,
        name standing for its file name (a text release's id, and in problems). Commits at the
        end. Returns an IndexSummary (added and replaced are None: the library does not tell
        them apart here). on_progress as for index_path()."""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        opts, acc, keep = _index_options(format, on_progress)
        stats = _ffi.new("pressindex_index_stats *")
        with self._lock:
            st = _lib.pressindex_index_buffer(self._handle(), data, len(data),
                                              _text(name, "name"), opts, stats)
            if st not in (_lib.PRESSINDEX_OK, _lib.PRESSINDEX_ERR_DATA):
                raise self._fail(st)
        _progress_raise(acc)
        return IndexSummary(files=int(stats.files), releases=int(stats.releases), added=None,
                            replaced=None, passages=int(stats.passages), bytes=int(stats.bytes),
                            skipped=int(stats.skipped), problems=acc["problems"],
                            ok=st == _lib.PRESSINDEX_OK)

    def reindex(self, folders, *, dry_run=False, allow_deletions=False):
        """Brings the index to exactly what the folders hold now (pressindex(3),
        pressindex_reindex): new releases added, changed ones replaced, those whose file is gone
        deleted, with its safety refusals unless allow_deletions. dry_run=True decides and
        reports (changes) without changing anything (allowed on a read-only Index).
        Returns a ReindexSummary; problems and refusals are in it (ok False), not raised."""
        if isinstance(folders, (str, bytes)) or hasattr(folders, "__fspath__"):
            folders = [folders]
        cf = [_ffi.new("char[]", _path(p)) for p in folders]
        arr = _ffi.new("char *[]", cf)
        acc = {"problems": [], "changes": []}
        user = _ffi.new_handle(acc)
        opts = _ffi.new("pressindex_reindex_options *")
        _lib.pressindex_reindex_options_init_sized(opts, _ffi.sizeof("pressindex_reindex_options"))
        opts.dry_run = 1 if dry_run else 0
        opts.allow_deletions = 1 if allow_deletions else 0
        opts.on_problem = _lib._pi_problem_cb
        opts.on_change = _lib._pi_change_cb
        opts.user = user
        rs = _ffi.new("pressindex_reindex_stats *")
        with self._lock:
            st = _lib.pressindex_reindex(self._handle(), arr, len(cf), opts, rs)
            if st not in (_lib.PRESSINDEX_OK, _lib.PRESSINDEX_ERR_DATA,
                          _lib.PRESSINDEX_ERR_NOT_FOUND):
                raise self._fail(st)
            if st != _lib.PRESSINDEX_OK and not acc["problems"]:
                # A refusal or a missing folder is said in the message, not (always) a callback.
                acc["problems"].append(Problem(file=", ".join(map(_os.fsdecode, folders)), line=0,
                                               message=_str(_lib.pressindex_last_error(self._h))))
        return ReindexSummary(added=int(rs.added), changed=int(rs.changed),
                              deleted=int(rs.deleted), unchanged=int(rs.unchanged),
                              skipped=int(rs.skipped), files=int(rs.files),
                              files_read=int(rs.files_read), refused=int(rs.refused),
                              seconds=float(rs.seconds), problems=acc["problems"],
                              changes=acc["changes"], ok=st == _lib.PRESSINDEX_OK)


def _count(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: an int, not {type(value).__name__}")
    if value < 0:
        raise InvalidArgumentError(f"{name}: {value} is negative",
                                   _lib.PRESSINDEX_ERR_INVALID_ARGUMENT)
    return value


def _index_options(format, on_progress=None):
    try:
        fmt = _FORMATS[format]
    except (KeyError, TypeError):
        raise InvalidArgumentError(f"format: \"auto\", \"text\" or \"jsonl\", not {format!r}",
                                   _lib.PRESSINDEX_ERR_INVALID_ARGUMENT) from None
    if on_progress is not None and not callable(on_progress):
        raise TypeError(f"on_progress must be callable, not {type(on_progress).__name__}")
    acc = {"problems": [], "progress": on_progress, "progress_error": None}
    user = _ffi.new_handle(acc)
    opts = _ffi.new("pressindex_index_options *")
    _lib.pressindex_index_options_init_sized(opts, _ffi.sizeof("pressindex_index_options"))
    opts.format = fmt
    opts.on_problem = _lib._pi_problem_cb
    if on_progress is not None:
        opts.on_progress = _lib._pi_progress_cb
    opts.user = user
    return opts, acc, user


def _progress_raise(acc):
    """Raises what the caller's on_progress raised, once the C run is over (an exception cannot
    cross the C library's frames)."""
    if acc["progress_error"] is not None:
        err, acc["progress_error"] = acc["progress_error"], None
        raise err


def _hits(res, context):
    """Copies every result of res into Hits (res is destroyed by the caller right after).
    The hot path of search(): two C calls copy every field and convert every highlight offset
    (pi_py_pack in pressindex_build.py), one decode and one split make the strings, and a
    release's metadata is made once per result list."""
    n = _lib.pressindex_results_count(res)
    if not n:
        return []
    n_offs = _ffi.new("size_t *")
    size = _lib.pi_py_pack_size(res, n, n_offs)
    buf = _ffi.new("char[]", size)
    scores = _ffi.new("double[]", n)
    nums = _ffi.new("size_t[]", 4 * n)
    k_all = n_offs[0]
    cps = _ffi.new("size_t[]", k_all or 1)
    _lib.pi_py_pack(res, n, buf, scores, nums, cps)
    fields = _ffi.unpack(buf, size).decode("utf-8", "replace").split("\0")
    scores = _ffi.unpack(scores, n)
    nums = _ffi.unpack(nums, 4 * n)
    cps = _ffi.unpack(cps, k_all) if k_all else ()
    pos = 0
    hits = []
    meta = {}
    para = _ffi.new("unsigned *") if context else None
    for i in range(n):
        f = 7 * i
        hit = Hit()
        hit.text = fields[f]
        k = 2 * nums[4 * i + 3]
        if k:
            offs = cps[pos:pos + k]
            pos += k
            hit.highlights = list(zip(offs[0::2], offs[1::2]))
        else:
            hit.highlights = []
        key = (fields[f + 1], fields[f + 2], fields[f + 3], fields[f + 4], fields[f + 5],
               fields[f + 6])
        m = meta.get(key)
        if m is None:
            m = meta[key] = (key[0], _date_str(key[1]), key[2] or None, key[3] or None,
                             key[4] or None, key[5] or None)
        hit.release, hit.date, hit.title, hit.source, hit.url, hit.lang = m
        hit.paragraph = nums[4 * i]
        hit.rank = nums[4 * i + 1]
        hit.collapsed = nums[4 * i + 2]
        hit.score = scores[i]
        if context:
            before, after = [], []
            for d in range(-context, context + 1):
                if d == 0:
                    continue
                p = _lib.pressindex_result_context(res, i, d, para)
                if p != _ffi.NULL:
                    (before if d < 0 else after).append((para[0], _str(p)))
            hit.before = before
            hit.after = after
        else:
            hit.before = hit.after = ()
        hits.append(hit)
    return hits
