/*
 * xc.cc - the C binding of Xapian declared in xc.h (the only C++ of pressindex).
 *
 * Every extern "C" entry point wraps its body in try { ... } catch (...) { return xc_fail(); }.
 * xc_fail() rethrows the exception in flight inside its own try and classifies it in one place,
 * storing "ClassName: message" in a thread-local string that xc_last_error() returns.
 * Successful calls leave that message untouched: it describes the last *failure* of this thread,
 * as xc.h documents ("valid until the next failing xc_ call").
 */
#include "xc.h"

#include <xapian.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>
#include <exception>
#include <cxxabi.h>
#include <typeinfo>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <unistd.h>
#include <sstream>

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

namespace {

thread_local std::string last_error = "no error";
thread_local xc_status last_status = XC_OK;

/* Everything here is noexcept, and builds its strings inside a try: xc_fail() is noexcept, and an
 * allocation failing while the message of another failure is being written must not terminate. */
xc_status set_error(xc_status st, const char *cls, const char *msg) noexcept
{
    last_status = st;
    try {
        last_error.assign(cls).append(": ").append(msg);
    } catch (...) {
        /* No memory for the message: the class name alone, cut to what the string already holds
         * (clear() keeps the capacity, so nothing is allocated), never a stale message. */
        last_error.clear();
        last_error.append(cls, std::min(std::strlen(cls), last_error.capacity()));
    }
    return st;
}

xc_status xapian_error(xc_status st, const Xapian::Error &e) noexcept
{
    try {
        std::string msg = e.get_msg();
        if (e.get_context() != std::string()) {
            msg += " (context: " + e.get_context() + ")";
        }
        if (e.get_error_string() != nullptr) {
            msg += std::string(" (") + e.get_error_string() + ")";
        }
        return set_error(st, e.get_type(), msg.c_str());
    } catch (...) {
        return set_error(st, e.get_type(), "(no memory for the message)");
    }
}

/* Classifies the exception being handled. Must only be called from inside a catch block. Derived
 * classes come before their bases (DatabaseLockError and DatabaseVersionError derive from
 * DatabaseOpeningError, DatabaseNotFoundError too, and they all from DatabaseError). */
xc_status xc_fail() noexcept
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return xapian_error(XC_ERR_LOCKED, e);
    } catch (const Xapian::DatabaseVersionError &e) {
        return xapian_error(XC_ERR_VERSION, e);
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return xapian_error(XC_ERR_NOT_FOUND, e);
    } catch (const Xapian::DatabaseOpeningError &e) {
        return xapian_error(XC_ERR_NOT_FOUND, e);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return xapian_error(XC_ERR_MODIFIED, e);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return xapian_error(XC_ERR_CORRUPT, e);
    } catch (const Xapian::DatabaseError &e) {
        return xapian_error(XC_ERR_IO, e);
    } catch (const Xapian::QueryParserError &e) {
        return xapian_error(XC_ERR_BAD_QUERY, e);
    } catch (const Xapian::DocNotFoundError &e) {
        return xapian_error(XC_ERR_DOC_NOT_FOUND, e);
    } catch (const Xapian::InvalidArgumentError &e) {
        return xapian_error(XC_ERR_INVALID, e);
    } catch (const Xapian::InvalidOperationError &e) {
        return xapian_error(XC_ERR_INVALID, e);
    } catch (const Xapian::UnimplementedError &e) {
        return xapian_error(XC_ERR_INVALID, e);
    } catch (const Xapian::RangeError &e) {
        return xapian_error(XC_ERR_INVALID, e);
    } catch (const Xapian::Error &e) {
        return xapian_error(XC_ERR_OTHER, e);
    } catch (const std::bad_alloc &e) {
        return set_error(XC_ERR_NO_MEMORY, "std::bad_alloc", e.what());
    } catch (const std::exception &e) {
        return set_error(XC_ERR_OTHER, "std::exception", e.what());
    } catch (...) {
        return set_error(XC_ERR_OTHER, "unknown exception", "(not a std::exception)");
    }
}

/* Argument checks throw, so that they go through the same classification. */
void need(bool cond, const char *what)
{
    if (!cond) {
        throw Xapian::InvalidArgumentError(what);
    }
}

std::string str_of(const char *s, size_t len)
{
    return s ? std::string(s, len) : std::string();
}

char *malloc_copy(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p) {
        throw std::bad_alloc();
    }
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

} // namespace

/* ------------------------------------------------------------------------------------------ */
/* Opaque structures                                                                           */

struct xc_db {
    Xapian::Database *db = nullptr;          /* the reader, or wdb for a writer */
    Xapian::WritableDatabase *wdb = nullptr; /* NULL for a reader */
    void *user = nullptr;                    /* the caller's (xc_db_set_user) */
};

/* Keys, terms: a TermIterator range (metadata keys, allterms, query terms). The source object
 * (a database handle or a query copy) is kept so that the iterator outlives nothing it uses. */
struct xc_keylist {
    Xapian::Database db;
    Xapian::Query query;
    Xapian::TermIterator it, end;
    bool started = false;
    bool terms = false; /* the database's terms: stepped by skip_to() (xc_keylist_next) */
    std::string cur;
};

struct xc_postlist {
    Xapian::Database db;
    Xapian::PostingIterator it, end;
    bool started = false;
};

struct xc_doc {
    Xapian::Document doc;
    std::string buf;
};

struct xc_stem {
    Xapian::Stem stem;
    std::string buf;
};

struct xc_termgen {
    Xapian::TermGenerator tg;
};

struct xc_query {
    Xapian::Query q;
};

struct xc_qp {
    Xapian::QueryParser qp;
    /* A bad date seen by the date processors during the current parse (see DateFieldProcessor):
     * xc_qp_parse turns it into a QueryParserError once parse_query has returned. */
    bool date_error = false;
    std::string date_error_msg;
};

struct xc_enquire {
    Xapian::Enquire enq;
    explicit xc_enquire(const Xapian::Database &db) : enq(db) { }
};

struct xc_mset {
    Xapian::MSet ms;
};

/* ------------------------------------------------------------------------------------------ */
/* Status                                                                                      */

extern "C" const char *xc_status_name(xc_status st)
{
    switch (st) {
    case XC_OK: return "ok";
    case XC_ERR_LOCKED: return "locked";
    case XC_ERR_MODIFIED: return "modified";
    case XC_ERR_CORRUPT: return "corrupt";
    case XC_ERR_NOT_FOUND: return "not found";
    case XC_ERR_VERSION: return "version";
    case XC_ERR_BAD_QUERY: return "bad query";
    case XC_ERR_INVALID: return "invalid";
    case XC_ERR_DOC_NOT_FOUND: return "document not found";
    case XC_ERR_IO: return "i/o";
    case XC_ERR_NO_MEMORY: return "no memory";
    case XC_ERR_OTHER: return "other";
    }
    return "unknown status";
}

extern "C" const char *xc_last_error(void)
{
    return last_error.c_str();
}

extern "C" xc_status xc_set_error(xc_status st, const char *msg)
{
    try {
        last_error = msg ? msg : "";
    } catch (...) {
        /* keep the old text: out of memory is said by the status */
    }
    last_status = st;
    return st;
}

extern "C" xc_status xc_last_status(void)
{
    return last_status;
}

/* ------------------------------------------------------------------------------------------ */
/* Databases                                                                                   */

namespace {

Xapian::WritableDatabase &writer(xc_db *db)
{
    need(db != nullptr, "NULL database");
    if (!db->wdb) {
        throw Xapian::InvalidOperationError("database is open read-only");
    }
    return *db->wdb;
}

Xapian::Database &reader(xc_db *db)
{
    need(db != nullptr, "NULL database");
    return *db->db;
}

} // namespace

namespace {

/* Xapian 1.4's glass backend writes a value slot's last chunk from a destructor
 * (glass_values.cc, ~ValueUpdater): a block write failing there, or again there while the first
 * failure unwinds, reaches std::terminate, past every catch of this shim. The process cannot go
 * on; it can still say why, as a failed write it is, and end with the status a failed write has
 * (EX_IOERR) instead of an abort. Only for a terminate with Xapian's write error in flight, or
 * none but errno saying the disk refused; anything else (an allocation failure meeting the same
 * destructor, test_faults' sweep) goes on to the previous handler as it would have. */
std::mutex fatal_mu;
char fatal_path[4096];
std::terminate_handler fatal_prev;

[[noreturn]] void fatal_write()
{
    int e = errno;
    std::string what;
    bool disk = false;
    /* The type first, without catching: a handler that goes on (an allocation failure, a bug)
     * must find the exception as it was. Only Xapian's own "Error writing block N (errno)", a
     * DatabaseError of that exact type carrying an errno, is a failed write: a
     * DatabaseCorruptError thrown from that destructor while a std::bad_alloc unwinds is not. */
    const std::type_info *t = abi::__cxa_current_exception_type();
    if (t && *t == typeid(Xapian::DatabaseError)) {
        try {
            std::rethrow_exception(std::current_exception());
        } catch (const Xapian::DatabaseError &err) {
            if (err.get_error_string()) {
                what = err.get_msg() + " (" + err.get_error_string() + ")";
                disk = true;
            }
        } catch (...) {
        }
    } else if (!t && (e == ENOSPC || e == EIO || e == EDQUOT || e == EFBIG)) {
        what = std::strerror(e);
        disk = true;
    }
    if (disk && fatal_path[0]) {
        std::fprintf(stderr, "%s: cannot write to the index at %s: %s; it keeps what was committed before\n",
                     program_invocation_short_name, fatal_path, what.c_str());
        std::fflush(stderr);
        _exit(74); /* EX_IOERR */
    }
    if (fatal_prev)
        fatal_prev();
    std::abort();
}

} // namespace

extern "C" void xc_fatal_write_path(const char *path)
{
    std::lock_guard<std::mutex> lock(fatal_mu);
    std::snprintf(fatal_path, sizeof fatal_path, "%s", path ? path : "");
    if (!fatal_prev) {
        std::terminate_handler was = std::set_terminate(fatal_write);
        fatal_prev = was != fatal_write ? was : nullptr;
    }
}

extern "C" xc_status xc_db_open(const char *path, int mode, xc_db **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(path != nullptr, "NULL path");
        xc_db *h = new xc_db;
        try {
            if (mode == XC_DB_READ) {
                h->db = new Xapian::Database(path);
            } else {
                int action;
                switch (mode & ~XC_DB_NO_SYNC) {
                case XC_DB_CREATE_OR_OPEN: action = Xapian::DB_CREATE_OR_OPEN; break;
                case XC_DB_CREATE: action = Xapian::DB_CREATE; break;
                case XC_DB_OPEN: action = Xapian::DB_OPEN; break;
                default: throw Xapian::InvalidArgumentError("unknown database open mode");
                }
                if (mode & XC_DB_NO_SYNC)
                    action |= Xapian::DB_NO_SYNC;
                h->wdb = new Xapian::WritableDatabase(path, action);
                h->db = h->wdb;
                /* Work inside a transaction so that closing never commits implicitly (close()
                 * cancels an open transaction). It must be a *flushed* transaction: with
                 * begin_transaction(false), commit_transaction() only moves the changes to the
                 * pending (uncommitted) state and they would be lost at close. */
                h->wdb->begin_transaction(true);
            }
        } catch (...) {
            delete h->db; /* == wdb when writable */
            delete h;
            throw;
        }
        *out = h;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_db_free(xc_db *db)
{
    if (!db) {
        return;
    }
    try {
        /* close() with a transaction open cancels it: pending changes are dropped. */
        db->db->close();
    } catch (...) {
        (void)xc_fail();
    }
    delete db->db; /* == wdb for a writer; the destructor has nothing left to commit */
    delete db;
}

extern "C" int xc_db_is_writable(const xc_db *db)
{
    return db && db->wdb ? 1 : 0;
}

extern "C" xc_status xc_db_reopen(xc_db *db, int *changed)
{
    try {
        if (changed) {
            *changed = 0;
        }
        bool c = reader(db).reopen();
        if (changed) {
            *changed = c ? 1 : 0;
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_commit(xc_db *db)
{
    try {
        Xapian::WritableDatabase &w = writer(db);
        try {
            w.commit_transaction();
        } catch (...) {
            /* A failed commit ends the transaction: start another, so that later changes are
             * still discarded on close unless committed (the contract of xc_db_free). */
            xc_status st = xc_fail();
            try {
                w.begin_transaction(true);
            } catch (...) {
            }
            return st;
        }
        w.begin_transaction(true);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_cancel(xc_db *db)
{
    try {
        Xapian::WritableDatabase &w = writer(db);
        w.cancel_transaction();
        w.begin_transaction(true);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_doccount(xc_db *db, uint64_t *out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = 0;
        *out = reader(db).get_doccount();
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_revision(xc_db *db, uint64_t *rev)
{
    try {
        need(rev != nullptr, "NULL rev");
        *rev = reader(db).get_revision();
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_uuid(xc_db *db, char out[37])
{
    try {
        need(out != nullptr, "NULL out");
        out[0] = '\0';
        std::string u = reader(db).get_uuid();
        need(u.size() == 36, "a database without a UUID");
        memcpy(out, u.data(), 36);
        out[36] = '\0';
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_docids(xc_db *db, unsigned **out, size_t *n)
{
    unsigned *a = nullptr;
    try {
        need(out != nullptr && n != nullptr, "NULL out");
        *out = nullptr;
        *n = 0;
        Xapian::Database &d = reader(db);
        size_t cap = d.get_doccount(), k = 0;
        if (!cap)
            cap = 1;
        a = static_cast<unsigned *>(malloc(cap * sizeof *a));
        if (!a)
            throw std::bad_alloc();
        for (Xapian::PostingIterator it = d.postlist_begin(std::string()); it != d.postlist_end(std::string()); ++it) {
            if (k == cap) { /* a writer's uncommitted view can hold more than it said */
                unsigned *g = static_cast<unsigned *>(realloc(a, 2 * cap * sizeof *a));
                if (!g)
                    throw std::bad_alloc();
                a = g;
                cap *= 2;
            }
            a[k++] = *it;
        }
        *out = a;
        *n = k;
        return XC_OK;
    } catch (...) {
        free(a);
        return xc_fail();
    }
}

extern "C" void xc_db_set_user(xc_db *db, void *user)
{
    if (db)
        db->user = user;
}

extern "C" void *xc_db_user(const xc_db *db)
{
    return db ? db->user : nullptr;
}

extern "C" xc_status xc_db_check(const char *path, uint64_t *errors, char **report)
{
    try {
        need(path != nullptr && errors != nullptr && report != nullptr, "NULL argument");
        *errors = 0;
        *report = nullptr;
        std::ostringstream out;
        *errors = Xapian::Database::check(std::string(path), 0, &out);
        std::string r = out.str();
        *report = static_cast<char *>(std::malloc(r.size() + 1));
        if (!*report)
            throw std::bad_alloc();
        std::memcpy(*report, r.c_str(), r.size() + 1);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_avlength(xc_db *db, double *out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = 0;
        *out = reader(db).get_avlength();
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_termfreq(xc_db *db, const char *term, size_t len, uint64_t *out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = 0;
        *out = reader(db).get_termfreq(str_of(term, len));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_collfreq(xc_db *db, const char *term, size_t len, uint64_t *out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = 0;
        *out = reader(db).get_collection_freq(str_of(term, len));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_positions(xc_db *db, unsigned docid, const char *term, size_t len,
                                     unsigned **pos, size_t *n)
{
    unsigned *p = nullptr;
    try {
        need(pos != nullptr && n != nullptr, "NULL out");
        *pos = nullptr;
        *n = 0;
        Xapian::Database &d = reader(db);
        std::string t = str_of(term, len);
        Xapian::PositionIterator it = d.positionlist_begin(docid, t), end = d.positionlist_end(docid, t);
        size_t cap = 0, k = 0;
        for (; it != end; ++it) {
            if (k == cap) {
                cap = cap ? 2 * cap : 16;
                unsigned *g = static_cast<unsigned *>(std::realloc(p, cap * sizeof *g));
                if (!g) {
                    throw std::bad_alloc();
                }
                p = g;
            }
            p[k++] = *it;
        }
        *pos = p;
        *n = k;
        return XC_OK;
    } catch (...) {
        std::free(p);
        return xc_fail();
    }
}

extern "C" xc_status xc_db_doc_terms(xc_db *db, unsigned docid, const char *prefix, size_t max,
                                     char **out, size_t *n)
{
    try {
        need(out != nullptr && n != nullptr && prefix != nullptr, "NULL argument");
        *out = nullptr;
        *n = 0;
        Xapian::Database &d = reader(db);
        std::string p(prefix), all;
        size_t k = 0;
        Xapian::TermIterator it = d.termlist_begin(docid), end = d.termlist_end(docid);
        it.skip_to(p);
        for (; it != end && (!max || k < max); ++it) {
            std::string t = *it;
            if (t.compare(0, p.size(), p) != 0) {
                break;
            }
            all.append(t);
            all.push_back('\0');
            k++;
        }
        if (k) {
            char *buf = static_cast<char *>(std::malloc(all.size()));
            if (!buf) {
                throw std::bad_alloc();
            }
            std::memcpy(buf, all.data(), all.size());
            *out = buf;
        }
        *n = k;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_value(xc_db *db, unsigned docid, unsigned slot, char **out, size_t *len)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        if (len) {
            *len = 0;
        }
        Xapian::Document doc = reader(db).get_document(docid, Xapian::DOC_ASSUME_VALID);
        std::string v = doc.get_value(slot);
        *out = malloc_copy(v);
        if (len) {
            *len = v.size();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_values(xc_db *db, unsigned slot, const unsigned *docids, size_t n,
                                  xc_value_fn fn, void *ctx)
{
    try {
        need(fn != nullptr && (docids != nullptr || n == 0), "NULL argument");
        Xapian::Database &d = reader(db);
        Xapian::ValueIterator it = d.valuestream_begin(slot), end = d.valuestream_end(slot);
        for (size_t i = 0; i < n && it != end; i++) {
            if (it.get_docid() < docids[i])
                it.skip_to(docids[i]);
            if (it == end)
                break;
            if (it.get_docid() == docids[i]) {
                const std::string v = *it;
                xc_status st = fn(ctx, i, v.data(), v.size());
                if (st != XC_OK)
                    return st;
            }
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_data(xc_db *db, unsigned docid, char **out, size_t *len)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        if (len) {
            *len = 0;
        }
        Xapian::Document doc = reader(db).get_document(docid, Xapian::DOC_ASSUME_VALID);
        std::string v = doc.get_data();
        *out = malloc_copy(v);
        if (len) {
            *len = v.size();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_term_exists(xc_db *db, const char *term, size_t len, int *out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = 0;
        *out = reader(db).term_exists(str_of(term, len)) ? 1 : 0;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_value_bounds(xc_db *db, unsigned slot, char **lower, char **upper)
{
    char *lo = nullptr;
    try {
        need(lower != nullptr && upper != nullptr, "NULL out");
        *lower = *upper = nullptr;
        Xapian::Database &d = reader(db);
        lo = malloc_copy(d.get_value_lower_bound(slot));
        char *hi = malloc_copy(d.get_value_upper_bound(slot));
        *lower = lo;
        *upper = hi;
        return XC_OK;
    } catch (...) {
        std::free(lo);
        return xc_fail();
    }
}

extern "C" xc_status xc_db_set_metadata(xc_db *db, const char *key, const char *value, size_t vlen)
{
    try {
        need(key != nullptr, "NULL key");
        writer(db).set_metadata(key, str_of(value, vlen));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_get_metadata(xc_db *db, const char *key, char **value, size_t *vlen)
{
    try {
        need(value != nullptr, "NULL out");
        *value = nullptr;
        if (vlen) {
            *vlen = 0;
        }
        need(key != nullptr, "NULL key");
        std::string v = reader(db).get_metadata(key);
        if (!v.empty()) {
            *value = malloc_copy(v);
            if (vlen) {
                *vlen = v.size();
            }
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

namespace {

/* A keylist over the database's metadata keys or its terms starting with prefix. */
xc_status db_keylist(xc_db *db, const char *prefix, bool metadata, xc_keylist **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        Xapian::Database &d = reader(db);
        xc_keylist *kl = new xc_keylist;
        try {
            kl->db = d;
            std::string p = prefix ? prefix : "";
            kl->it = metadata ? kl->db.metadata_keys_begin(p) : kl->db.allterms_begin(p);
            kl->end = metadata ? kl->db.metadata_keys_end(p) : kl->db.allterms_end(p);
            kl->terms = !metadata;
        } catch (...) {
            delete kl;
            throw;
        }
        *out = kl;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

} // namespace

extern "C" xc_status xc_db_metadata_keys(xc_db *db, const char *prefix, xc_keylist **out)
{
    return db_keylist(db, prefix, true, out);
}

extern "C" xc_status xc_db_allterms(xc_db *db, const char *prefix, xc_keylist **out)
{
    return db_keylist(db, prefix, false, out);
}

extern "C" int xc_keylist_next(xc_keylist *kl, const char **key, size_t *len)
{
    try {
        need(kl != nullptr, "NULL keylist");
        if (kl->started) {
            if (kl->it == kl->end) {
                return 0;
            }
            /* Glass's ++ on a term list steps over every chunk of the term's postings, reading
             * each leaf block they fill (a language's L term at 10x: 80 blocks a search); the
             * next term is the first at or after term + NUL, one descent of the B-tree away. */
            if (kl->terms) {
                kl->it.skip_to(kl->cur + std::string(1, '\0'));
            } else {
                ++kl->it;
            }
        }
        kl->started = true;
        if (kl->it == kl->end) {
            return 0;
        }
        kl->cur = *kl->it;
        if (key) {
            *key = kl->cur.c_str();
        }
        if (len) {
            *len = kl->cur.size();
        }
        return 1;
    } catch (...) {
        (void)xc_fail();
        return -1;
    }
}

extern "C" void xc_keylist_free(xc_keylist *kl)
{
    try {
        delete kl;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_db_postlist(xc_db *db, const char *term, size_t len, xc_postlist **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        Xapian::Database &d = reader(db);
        xc_postlist *pl = new xc_postlist;
        try {
            pl->db = d;
            std::string t = str_of(term, len);
            pl->it = pl->db.postlist_begin(t);
            pl->end = pl->db.postlist_end(t);
        } catch (...) {
            delete pl;
            throw;
        }
        *out = pl;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" int xc_postlist_next(xc_postlist *pl, unsigned *docid)
{
    try {
        need(pl != nullptr, "NULL postlist");
        if (pl->started) {
            if (pl->it == pl->end) {
                return 0;
            }
            ++pl->it;
        }
        pl->started = true;
        if (pl->it == pl->end) {
            return 0;
        }
        if (docid) {
            *docid = *pl->it;
        }
        return 1;
    } catch (...) {
        (void)xc_fail();
        return -1;
    }
}

extern "C" int xc_postlist_skip_to(xc_postlist *pl, unsigned target, unsigned *docid)
{
    try {
        need(pl != nullptr, "NULL postlist");
        pl->started = true;
        if (pl->it == pl->end) {
            return 0;
        }
        pl->it.skip_to(target);
        if (pl->it == pl->end) {
            return 0;
        }
        if (docid) {
            *docid = *pl->it;
        }
        return 1;
    } catch (...) {
        (void)xc_fail();
        return -1;
    }
}

extern "C" xc_status xc_postlist_get(xc_postlist *pl, unsigned *wdf, unsigned *doclen)
{
    try {
        need(pl != nullptr, "NULL postlist");
        need(pl->started && pl->it != pl->end, "postlist not on a posting");
        if (wdf) {
            *wdf = pl->it.get_wdf();
        }
        if (doclen) {
            *doclen = pl->it.get_doclength();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_postlist_free(xc_postlist *pl)
{
    try {
        delete pl;
    } catch (...) {
        (void)xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Documents                                                                                   */

namespace {

Xapian::Document &document(xc_doc *doc)
{
    need(doc != nullptr, "NULL document");
    return doc->doc;
}

} // namespace

extern "C" xc_status xc_doc_new(xc_doc **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new xc_doc;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_doc_free(xc_doc *doc)
{
    try {
        delete doc;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_doc_add_posting(xc_doc *doc, const char *term, size_t len, unsigned pos)
{
    try {
        document(doc).add_posting(str_of(term, len), pos, 1);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_add_term(xc_doc *doc, const char *term, size_t len, unsigned wdfinc)
{
    try {
        document(doc).add_term(str_of(term, len), wdfinc);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_add_boolean_term(xc_doc *doc, const char *term, size_t len)
{
    try {
        document(doc).add_boolean_term(str_of(term, len));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_set_value(xc_doc *doc, unsigned slot, const char *value, size_t len)
{
    try {
        document(doc).add_value(slot, str_of(value, len));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_set_data(xc_doc *doc, const char *data, size_t len)
{
    try {
        document(doc).set_data(str_of(data, len));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_clear(xc_doc *doc)
{
    try {
        Xapian::Document &d = document(doc);
        d.clear_terms();
        d.clear_values();
        d.set_data(std::string());
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_get_document(xc_db *db, unsigned docid, xc_doc **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        Xapian::Document d = reader(db).get_document(docid);
        xc_doc *h = new xc_doc;
        h->doc = d;
        *out = h;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_get_data(xc_doc *doc, const char **data, size_t *len)
{
    try {
        need(data != nullptr, "NULL out");
        *data = nullptr;
        if (len) {
            *len = 0;
        }
        Xapian::Document &d = document(doc);
        doc->buf = d.get_data();
        *data = doc->buf.c_str();
        if (len) {
            *len = doc->buf.size();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_doc_get_value(xc_doc *doc, unsigned slot, const char **value, size_t *len)
{
    try {
        need(value != nullptr, "NULL out");
        *value = nullptr;
        if (len) {
            *len = 0;
        }
        Xapian::Document &d = document(doc);
        doc->buf = d.get_value(slot);
        *value = doc->buf.c_str();
        if (len) {
            *len = doc->buf.size();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_add_document(xc_db *db, xc_doc *doc, unsigned *docid)
{
    try {
        if (docid) {
            *docid = 0;
        }
        Xapian::docid id = writer(db).add_document(document(doc));
        if (docid) {
            *docid = id;
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_replace_document_by_term(xc_db *db, const char *term, size_t len,
                                                    xc_doc *doc, unsigned *docid)
{
    try {
        if (docid) {
            *docid = 0;
        }
        need(term != nullptr && len > 0, "empty unique term");
        Xapian::docid id = writer(db).replace_document(str_of(term, len), document(doc));
        if (docid) {
            *docid = id;
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_replace_document(xc_db *db, unsigned docid, xc_doc *doc)
{
    try {
        writer(db).replace_document(docid, document(doc));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_delete_document(xc_db *db, unsigned docid)
{
    try {
        writer(db).delete_document(docid);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_delete_documents_by_term(xc_db *db, const char *term, size_t len)
{
    try {
        need(term != nullptr && len > 0, "empty term");
        writer(db).delete_document(str_of(term, len));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_add_spelling(xc_db *db, const char *word, size_t len, unsigned freqinc)
{
    try {
        writer(db).add_spelling(str_of(word, len), freqinc);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_remove_spelling(xc_db *db, const char *word, size_t len,
                                           unsigned freqdec)
{
    try {
        writer(db).remove_spelling(str_of(word, len), freqdec);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_db_spelling_suggestion(xc_db *db, const char *word,
                                               unsigned max_edit_distance, char **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(word != nullptr, "NULL word");
        std::string s = reader(db).get_spelling_suggestion(word, max_edit_distance);
        if (!s.empty()) {
            *out = malloc_copy(s);
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Stemming and term generation                                                                */

extern "C" xc_status xc_stem_new(const char *language, xc_stem **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(language != nullptr, "NULL language");
        /* Xapian::Stem throws InvalidArgumentError for an unknown language; "none" is a no-op. */
        Xapian::Stem s{std::string(language)};
        xc_stem *h = new xc_stem;
        h->stem = s;
        *out = h;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_stem_free(xc_stem *stem)
{
    try {
        delete stem;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_stem_word(xc_stem *stem, const char *word, size_t len, const char **out,
                                  size_t *outlen)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        if (outlen) {
            *outlen = 0;
        }
        need(stem != nullptr, "NULL stemmer");
        stem->buf = stem->stem(str_of(word, len));
        *out = stem->buf.c_str();
        if (outlen) {
            *outlen = stem->buf.size();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" const char *xc_stem_languages(void)
{
    try {
        /* Initialised once (thread-safe static initialisation); never changes afterwards. */
        static const std::string langs = Xapian::Stem::get_available_languages();
        return langs.c_str();
    } catch (...) {
        (void)xc_fail();
        return "";
    }
}

namespace {

Xapian::TermGenerator::stem_strategy tg_strategy(int strategy)
{
    switch (strategy) {
    case XC_STEM_NONE: return Xapian::TermGenerator::STEM_NONE;
    case XC_STEM_SOME: return Xapian::TermGenerator::STEM_SOME;
    case XC_STEM_ALL: return Xapian::TermGenerator::STEM_ALL;
    case XC_STEM_ALL_Z: return Xapian::TermGenerator::STEM_ALL_Z;
    }
    throw Xapian::InvalidArgumentError("unknown stemming strategy");
}

Xapian::QueryParser::stem_strategy qp_strategy(int strategy)
{
    switch (strategy) {
    case XC_STEM_NONE: return Xapian::QueryParser::STEM_NONE;
    case XC_STEM_SOME: return Xapian::QueryParser::STEM_SOME;
    case XC_STEM_ALL: return Xapian::QueryParser::STEM_ALL;
    case XC_STEM_ALL_Z: return Xapian::QueryParser::STEM_ALL_Z;
    }
    throw Xapian::InvalidArgumentError("unknown stemming strategy");
}

} // namespace

extern "C" xc_status xc_termgen_new(xc_termgen **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new xc_termgen;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_termgen_free(xc_termgen *tg)
{
    try {
        delete tg;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_termgen_set_stemmer(xc_termgen *tg, xc_stem *stem, int strategy)
{
    try {
        need(tg != nullptr, "NULL termgen");
        Xapian::TermGenerator::stem_strategy st = tg_strategy(strategy);
        tg->tg.set_stemmer(stem ? stem->stem : Xapian::Stem());
        tg->tg.set_stemming_strategy(st);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_termgen_set_document(xc_termgen *tg, xc_doc *doc)
{
    try {
        need(tg != nullptr, "NULL termgen");
        /* Document is a reference-counted handle: tg now writes into the same document. */
        tg->tg.set_document(document(doc));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_termgen_index_text(xc_termgen *tg, const char *text, size_t len,
                                           const char *prefix)
{
    try {
        need(tg != nullptr, "NULL termgen");
        tg->tg.index_text(str_of(text, len), 1, prefix ? prefix : "");
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_termgen_increase_termpos(xc_termgen *tg, unsigned delta)
{
    try {
        need(tg != nullptr, "NULL termgen");
        tg->tg.increase_termpos(delta);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                     */

namespace {

xc_query *new_query(const Xapian::Query &q)
{
    xc_query *h = new xc_query;
    h->q = q;
    return h;
}

} // namespace

extern "C" xc_status xc_query_term(const char *term, size_t len, xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new_query(Xapian::Query(str_of(term, len)));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_query_term_at(const char *term, size_t len, unsigned pos, xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new_query(Xapian::Query(str_of(term, len), 1, pos));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_query_match_all(xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new_query(Xapian::Query::MatchAll);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_query_combine(int op, xc_query *const *subs, size_t n, unsigned window,
                                      xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(subs != nullptr || n == 0, "NULL subqueries");
        Xapian::Query::op xop;
        switch (op) {
        case XC_OP_AND: xop = Xapian::Query::OP_AND; break;
        case XC_OP_OR: xop = Xapian::Query::OP_OR; break;
        case XC_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
        case XC_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case XC_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
        case XC_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
        case XC_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
        case XC_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
        case XC_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
        case XC_OP_MAX: xop = Xapian::Query::OP_MAX; break;
        case XC_OP_XOR: xop = Xapian::Query::OP_XOR; break;
        default: throw Xapian::InvalidArgumentError("unknown query operator");
        }
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            need(subs[i] != nullptr, "NULL subquery");
            v.push_back(subs[i]->q);
        }
        Xapian::termcount param = 0;
        if (xop == Xapian::Query::OP_NEAR || xop == Xapian::Query::OP_PHRASE) {
            param = window;
        }
        *out = new_query(Xapian::Query(xop, v.begin(), v.end(), param));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_query_scale(const xc_query *q, double factor, xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(q != nullptr, "NULL query");
        *out = new_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_query_wildcard(const char *prefix, unsigned max_expansion, xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(prefix != nullptr, "NULL prefix");
        /* Xapian 1.4 takes max_expansion 0 with WILDCARD_LIMIT_MOST_FREQUENT literally (the 0
         * most frequent terms: nothing matches), so "no limit" uses the default limit type. */
        int limit_type = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                                       : Xapian::Query::WILDCARD_LIMIT_ERROR;
        *out = new_query(Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(prefix),
                                       max_expansion, limit_type));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_query_value_range(unsigned slot, const char *lo, const char *hi,
                                          xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        Xapian::Query q;
        if (lo && hi) {
            q = Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, std::string(lo), std::string(hi));
        } else if (lo) {
            q = Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string(lo));
        } else if (hi) {
            q = Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, std::string(hi));
        } else {
            /* Both ends open: every document having a value in the slot. */
            q = Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string());
        }
        *out = new_query(q);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" int xc_query_is_empty(const xc_query *q)
{
    try {
        return !q || q->q.empty() ? 1 : 0;
    } catch (...) {
        (void)xc_fail();
        return 1;
    }
}

extern "C" char *xc_query_describe(const xc_query *q)
{
    try {
        need(q != nullptr, "NULL query");
        return malloc_copy(q->q.get_description());
    } catch (...) {
        (void)xc_fail();
        return nullptr;
    }
}

extern "C" void xc_query_free(xc_query *q)
{
    try {
        delete q;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_query_terms(const xc_query *q, int unique, xc_keylist **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(q != nullptr, "NULL query");
        xc_keylist *kl = new xc_keylist;
        try {
            kl->query = q->q;
            kl->it = unique ? kl->query.get_unique_terms_begin() : kl->query.get_terms_begin();
            kl->end = unique ? kl->query.get_unique_terms_end() : kl->query.get_terms_end();
        } catch (...) {
            delete kl;
            throw;
        }
        *out = kl;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Date ranges                                                                                 */

namespace {

struct ymd {
    int y, m, d;
};

bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

int key(const ymd &a)
{
    return a.y * 10000 + a.m * 100 + a.d;
}

bool digits(const std::string &s, size_t pos, size_t n, int *v)
{
    if (pos + n > s.size()) {
        return false;
    }
    int r = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return true;
}

/* Parses YYYY, YYYY-MM or YYYY-MM-DD; a year or month as an upper bound means its last day, as a
 * lower bound its first. Returns false (with *why set) if malformed or out of range. */
bool parse_date(const std::string &s, bool upper, ymd *out, std::string *why)
{
    ymd r{0, 1, 1};
    if (!(s.size() == 4 || s.size() == 7 || s.size() == 10) || !digits(s, 0, 4, &r.y)) {
        *why = "expected YYYY, YYYY-MM or YYYY-MM-DD";
        return false;
    }
    if (s.size() == 4) {
        r.m = upper ? 12 : 1;
        r.d = upper ? 31 : 1;
        *out = r;
        return true;
    }
    if (s[4] != '-' || !digits(s, 5, 2, &r.m)) {
        *why = "expected YYYY, YYYY-MM or YYYY-MM-DD";
        return false;
    }
    if (r.m < 1 || r.m > 12) {
        *why = "month out of range";
        return false;
    }
    if (s.size() == 7) {
        r.d = upper ? days_in_month(r.y, r.m) : 1;
        *out = r;
        return true;
    }
    if (s[7] != '-' || !digits(s, 8, 2, &r.d)) {
        *why = "expected YYYY, YYYY-MM or YYYY-MM-DD";
        return false;
    }
    if (r.d < 1 || r.d > days_in_month(r.y, r.m)) {
        *why = "day out of range for its month";
        return false;
    }
    *out = r;
    return true;
}

std::string pad(int v, int width)
{
    std::string s = std::to_string(v);
    if (static_cast<int>(s.size()) < width) {
        s.insert(0, static_cast<size_t>(width) - s.size(), '0');
    }
    return s;
}

struct date_prefixes {
    std::string year, month, day;
    int min_year, max_year;
};

/* The result of a date range computation: either a query or the reason it is invalid. */
struct date_cover {
    bool ok;
    std::string why;
    Xapian::Query query;
};

/* The exact cover of [lo, hi] (either may be empty for an open end) by the fewest Y/M/D terms:
 * walking from lo, take a whole year when lo is on Jan 1 and the year ends within hi, else a whole
 * month when lo is on the 1st and the month ends within hi, else a single day. Because years,
 * months and days nest, this greedy walk is minimal. The result is a weightless OR of the terms
 * (an empty range, possible only with an open end outside [min_year, max_year], matches nothing).
 */
date_cover cover_date_range(const std::string &lo_s, const std::string &hi_s,
                            const date_prefixes &p)
{
    date_cover res{false, std::string(), Xapian::Query()};
    ymd lo{p.min_year, 1, 1}, hi{p.max_year, 12, 31};
    std::string why;
    if (!lo_s.empty() && !parse_date(lo_s, false, &lo, &why)) {
        res.why = "bad start date '" + lo_s + "': " + why;
        return res;
    }
    if (!hi_s.empty() && !parse_date(hi_s, true, &hi, &why)) {
        res.why = "bad end date '" + hi_s + "': " + why;
        return res;
    }
    if (key(lo) > key(hi)) {
        if (!lo_s.empty() && !hi_s.empty()) {
            res.why = "reversed date range '" + lo_s + ".." + hi_s + "'";
            return res;
        }
        res.ok = true; /* open end beyond the configured years: nothing matches */
        res.query = Xapian::Query::MatchNothing;
        return res;
    }
    /* No release is dated outside [min_year, max_year] (the index's own bounds), so the cover need
     * not walk there: date:0001..9999 would otherwise be an OR of 9,999 year terms, seconds of
     * lookups for terms that do not exist. */
    if (key(lo) < key(ymd{p.min_year, 1, 1}))
        lo = ymd{p.min_year, 1, 1};
    if (key(hi) > key(ymd{p.max_year, 12, 31}))
        hi = ymd{p.max_year, 12, 31};
    if (key(lo) > key(hi)) {
        res.ok = true; /* the whole range lies outside the index's years */
        res.query = Xapian::Query::MatchNothing;
        return res;
    }
    std::vector<Xapian::Query> terms;
    ymd cur = lo;
    while (key(cur) <= key(hi)) {
        if (cur.m == 1 && cur.d == 1 && key(ymd{cur.y, 12, 31}) <= key(hi)) {
            terms.emplace_back(p.year + pad(cur.y, 4));
            cur = ymd{cur.y + 1, 1, 1};
            continue;
        }
        int dim = days_in_month(cur.y, cur.m);
        if (cur.d == 1 && key(ymd{cur.y, cur.m, dim}) <= key(hi)) {
            terms.emplace_back(p.month + pad(cur.y, 4) + pad(cur.m, 2));
            cur.d = dim; /* advanced past below */
        } else {
            terms.emplace_back(p.day + pad(cur.y, 4) + pad(cur.m, 2) + pad(cur.d, 2));
        }
        if (++cur.d > dim) {
            cur.d = 1;
            if (++cur.m > 12) {
                cur.m = 1;
                ++cur.y;
            }
        }
    }
    res.ok = true;
    res.query = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                              Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()), 0.0);
    return res;
}

/* A query that matches nothing but is not empty (an empty Query returned by a range processor
 * means "not mine" to the parser). */
Xapian::Query nothing()
{
    return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll,
                         Xapian::Query::MatchAll);
}

/* The date processors do not throw QueryParserError through Xapian's parser: Xapian 1.4.22
 * leaks parser state (72 bytes per error, seen with valgrind) when a FieldProcessor throws.
 * Instead they record the problem in the owning xc_qp and return a placeholder query;
 * xc_qp_parse raises the QueryParserError after parse_query() returns. The processors are
 * owned (reference counted) by the xc_qp's QueryParser, so the xc_qp outlives them. */
void date_error(xc_qp *owner, const std::string &why)
{
    if (!owner->date_error) { /* keep the first */
        owner->date_error = true;
        owner->date_error_msg = why;
    }
}

/* field:A..B. RangeProcessor's check_range() requires and strips the "field:" prefix on the start
 * (and, with RP_REPEATED, optionally on the end) before calling operator(). */
class DateRangeProcessor : public Xapian::RangeProcessor {
    date_prefixes p;
    xc_qp *owner;

  public:
    DateRangeProcessor(const std::string &field, const date_prefixes &p_, xc_qp *owner_)
        : Xapian::RangeProcessor(Xapian::BAD_VALUENO, field + ":", Xapian::RP_REPEATED), p(p_),
          owner(owner_) { }

    Xapian::Query operator()(const std::string &begin, const std::string &end) override
    {
        date_cover c = cover_date_range(begin, end, p);
        if (!c.ok) {
            date_error(owner, c.why);
            return nothing();
        }
        return c.query.empty() ? nothing() : c.query;
    }
};

/* field:A (a single year, month or day without ".."): the same cover with A as both ends. */
class DateFieldProcessor : public Xapian::FieldProcessor {
    date_prefixes p;
    xc_qp *owner;

  public:
    DateFieldProcessor(const date_prefixes &p_, xc_qp *owner_) : p(p_), owner(owner_) { }

    Xapian::Query operator()(const std::string &str) override
    {
        date_cover c = cover_date_range(str, str, p);
        if (str.empty()) {
            c.ok = false;
            c.why = "empty date";
        }
        if (!c.ok) {
            date_error(owner, c.why);
            return nothing();
        }
        return c.query;
    }
};

} // namespace

extern "C" xc_status xc_query_date_range(const char *lo, const char *hi, const char *year_prefix,
                                         const char *month_prefix, const char *day_prefix,
                                         int min_year, int max_year, xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(year_prefix && month_prefix && day_prefix, "NULL date prefix");
        date_prefixes p{year_prefix, month_prefix, day_prefix, min_year, max_year};
        date_cover c = cover_date_range(lo ? lo : "", hi ? hi : "", p);
        if (!c.ok) {
            throw Xapian::InvalidArgumentError(c.why);
        }
        *out = new_query(c.query);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* QueryParser                                                                                 */

namespace {

Xapian::QueryParser &parser(xc_qp *qp)
{
    need(qp != nullptr, "NULL query parser");
    return qp->qp;
}

} // namespace

extern "C" xc_status xc_qp_new(xc_qp **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new xc_qp;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_qp_free(xc_qp *qp)
{
    try {
        delete qp;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_qp_set_stemmer(xc_qp *qp, xc_stem *stem, int strategy)
{
    try {
        Xapian::QueryParser &p = parser(qp);
        Xapian::QueryParser::stem_strategy st = qp_strategy(strategy);
        p.set_stemmer(stem ? stem->stem : Xapian::Stem());
        p.set_stemming_strategy(st);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_set_database(xc_qp *qp, xc_db *db)
{
    try {
        parser(qp).set_database(reader(db));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_set_default_op(xc_qp *qp, int op)
{
    try {
        Xapian::QueryParser &p = parser(qp);
        if (op == XC_OP_OR) {
            p.set_default_op(Xapian::Query::OP_OR);
        } else if (op == XC_OP_AND) {
            p.set_default_op(Xapian::Query::OP_AND);
        } else {
            throw Xapian::InvalidArgumentError("default operator must be XC_OP_OR or XC_OP_AND");
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_add_prefix(xc_qp *qp, const char *field, const char *prefix)
{
    try {
        need(field != nullptr && prefix != nullptr, "NULL field or prefix");
        parser(qp).add_prefix(field, prefix);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_add_boolean_prefix(xc_qp *qp, const char *field, const char *prefix)
{
    try {
        need(field != nullptr && prefix != nullptr, "NULL field or prefix");
        parser(qp).add_boolean_prefix(field, prefix);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_set_stopwords(xc_qp *qp, const char *const *words)
{
    try {
        Xapian::QueryParser &p = parser(qp);
        Xapian::SimpleStopper *s = new Xapian::SimpleStopper;
        try {
            for (size_t i = 0; words && words[i]; ++i) {
                s->add(words[i]);
            }
        } catch (...) {
            delete s;
            throw;
        }
        /* release(): the parser holds the only reference and frees the stopper. */
        p.set_stopper(s->release());
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_add_date_range(xc_qp *qp, const char *field, const char *year_prefix,
                                          const char *month_prefix, const char *day_prefix,
                                          int min_year, int max_year)
{
    try {
        Xapian::QueryParser &p = parser(qp);
        need(field && *field, "empty date field");
        need(year_prefix && month_prefix && day_prefix, "NULL date prefix");
        need(min_year <= max_year, "min_year > max_year");
        date_prefixes dp{year_prefix, month_prefix, day_prefix, min_year, max_year};
        /* Both are reference counted once released: the parser frees them. The field processor
         * is registered first so that a conflicting prefix fails before the range is added. */
        Xapian::FieldProcessor *fp = new DateFieldProcessor(dp, qp);
        p.add_boolean_prefix(field, fp->release());
        Xapian::RangeProcessor *rp = new DateRangeProcessor(field, dp, qp);
        p.add_rangeprocessor(rp->release());
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_parse(xc_qp *qp, const char *text, unsigned flags, xc_query **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        need(text != nullptr, "NULL query text");
        unsigned xf = 0;
        if (flags & XC_QP_BOOLEAN) xf |= Xapian::QueryParser::FLAG_BOOLEAN;
        if (flags & XC_QP_PHRASE) xf |= Xapian::QueryParser::FLAG_PHRASE;
        if (flags & XC_QP_LOVEHATE) xf |= Xapian::QueryParser::FLAG_LOVEHATE;
        if (flags & XC_QP_WILDCARD) xf |= Xapian::QueryParser::FLAG_WILDCARD;
        if (flags & XC_QP_PURE_NOT) xf |= Xapian::QueryParser::FLAG_PURE_NOT;
        if (flags & XC_QP_SPELLING) xf |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
        Xapian::QueryParser &p = parser(qp);
        qp->date_error = false;
        qp->date_error_msg.clear();
        Xapian::Query q = p.parse_query(text, xf);
        if (qp->date_error) {
            throw Xapian::QueryParserError(qp->date_error_msg);
        }
        *out = new_query(q);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_qp_corrected(xc_qp *qp, char **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        std::string s = parser(qp).get_corrected_query_string();
        if (!s.empty()) {
            *out = malloc_copy(s);
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Searching                                                                                   */

namespace {

Xapian::Enquire &enquire(xc_enquire *enq)
{
    need(enq != nullptr, "NULL enquire");
    return enq->enq;
}

Xapian::MSet &mset(xc_mset *ms, unsigned i)
{
    need(ms != nullptr, "NULL mset");
    if (i >= ms->ms.size()) {
        throw Xapian::RangeError("mset index " + std::to_string(i) + " out of range (size " +
                                 std::to_string(ms->ms.size()) + ")");
    }
    return ms->ms;
}

} // namespace

extern "C" xc_status xc_enquire_new(xc_db *db, xc_enquire **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        *out = new xc_enquire(reader(db));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_enquire_free(xc_enquire *enq)
{
    try {
        delete enq;
    } catch (...) {
        (void)xc_fail();
    }
}

extern "C" xc_status xc_enquire_set_query(xc_enquire *enq, const xc_query *q)
{
    try {
        need(q != nullptr, "NULL query");
        enquire(enq).set_query(q->q);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_enquire_set_bm25(xc_enquire *enq, double k1, double k2, double k3,
                                         double b, double min_normlen)
{
    try {
        enquire(enq).set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_enquire_set_sort_by_value_then_relevance(xc_enquire *enq, unsigned slot,
                                                                 int reverse)
{
    try {
        enquire(enq).set_sort_by_value_then_relevance(slot, reverse != 0);
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_enquire_set_sort_by_relevance(xc_enquire *enq)
{
    try {
        enquire(enq).set_sort_by_relevance();
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_enquire_set_collapse_key(xc_enquire *enq, unsigned slot,
                                                 unsigned collapse_max)
{
    try {
        if (collapse_max == 0) {
            enquire(enq).set_collapse_key(Xapian::BAD_VALUENO);
        } else {
            enquire(enq).set_collapse_key(slot, collapse_max);
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_enquire_get_mset(xc_enquire *enq, unsigned first, unsigned maxitems,
                                         unsigned checkatleast, xc_mset **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        Xapian::MSet ms = enquire(enq).get_mset(first, maxitems, checkatleast);
        xc_mset *h = new xc_mset;
        h->ms = ms;
        *out = h;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

namespace {
struct fixed_out {
    char *out;
    size_t width;
};

xc_status copy_fixed(void *ctx, size_t i, const char *v, size_t len)
{
    const fixed_out *f = static_cast<const fixed_out *>(ctx);
    memcpy(f->out + i * f->width, v, len < f->width ? len : f->width);
    return XC_OK;
}
} // namespace

extern "C" xc_status xc_db_values_fixed(xc_db *db, unsigned slot, const unsigned *docids, size_t n,
                                        size_t width, char *out)
{
    if (n && (docids == nullptr || out == nullptr))
        return xc_db_values(db, slot, nullptr, n, copy_fixed, nullptr); /* its own NULL check fails */
    if (n)
        memset(out, 0, n * width);
    fixed_out f = {out, width};
    return xc_db_values(db, slot, docids, n, copy_fixed, &f);
}

extern "C" xc_status xc_db_wdfs(xc_db *db, const char *term, size_t len, const unsigned *docids, size_t n,
                                unsigned *out)
{
    try {
        need((docids != nullptr && out != nullptr) || n == 0, "NULL argument");
        if (n)
            memset(out, 0, n * sizeof *out);
        Xapian::Database &d = reader(db);
        std::string t = str_of(term, len);
        Xapian::PostingIterator it = d.postlist_begin(t), end = d.postlist_end(t);
        for (size_t i = 0; i < n && it != end; i++) {
            if (*it < docids[i])
                it.skip_to(docids[i]);
            if (it == end)
                break;
            if (*it == docids[i])
                out[i] = it.get_wdf();
        }
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

namespace {
/* Sees every matching document once, in docid order, and keeps none of them in the MSet: Xapian 1.4
 * has no other way to walk a query's matches without building an MSet item for each. */
class CollectDocids : public Xapian::MatchDecider {
public:
    unsigned *out;
    size_t max, n = 0;
    CollectDocids(unsigned *o, size_t m) : out(o), max(m) { }
    bool operator()(const Xapian::Document &doc) const override {
        CollectDocids *self = const_cast<CollectDocids *>(this);
        if (self->n < self->max)
            self->out[self->n] = doc.get_docid();
        self->n++;
        return false;
    }
};
}

extern "C" xc_status xc_db_match_docids(xc_db *db, const xc_query *q, unsigned *out, size_t max,
                                        size_t *n)
{
    try {
        need(q != nullptr && n != nullptr && (out != nullptr || max == 0), "NULL argument");
        *n = 0;
        Xapian::Enquire enq(reader(db));
        enq.set_query(q->q);
        enq.set_weighting_scheme(Xapian::BoolWeight());
        enq.set_docid_order(Xapian::Enquire::ASCENDING);
        CollectDocids collect(out, max);
        (void)enq.get_mset(0, 1, 0, nullptr, &collect);
        *n = collect.n;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" unsigned xc_mset_size(const xc_mset *ms)
{
    try {
        return ms ? ms->ms.size() : 0;
    } catch (...) {
        (void)xc_fail();
        return 0;
    }
}

extern "C" uint64_t xc_mset_matches_estimated(const xc_mset *ms)
{
    try {
        return ms ? ms->ms.get_matches_estimated() : 0;
    } catch (...) {
        (void)xc_fail();
        return 0;
    }
}

extern "C" uint64_t xc_mset_matches_lower_bound(const xc_mset *ms)
{
    try {
        return ms ? ms->ms.get_matches_lower_bound() : 0;
    } catch (...) {
        (void)xc_fail();
        return 0;
    }
}

extern "C" xc_status xc_mset_item(xc_mset *ms, unsigned i, unsigned *docid, double *weight,
                                  uint64_t *collapse_count)
{
    try {
        if (docid) *docid = 0;
        if (weight) *weight = 0;
        if (collapse_count) *collapse_count = 0;
        Xapian::MSetIterator it = mset(ms, i)[i];
        if (docid) *docid = *it;
        if (weight) *weight = it.get_weight();
        if (collapse_count) *collapse_count = it.get_collapse_count();
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" xc_status xc_mset_document(xc_mset *ms, unsigned i, xc_doc **out)
{
    try {
        need(out != nullptr, "NULL out");
        *out = nullptr;
        Xapian::Document d = mset(ms, i)[i].get_document();
        xc_doc *h = new xc_doc;
        h->doc = d;
        *out = h;
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}

extern "C" void xc_mset_free(xc_mset *ms)
{
    try {
        delete ms;
    } catch (...) {
        (void)xc_fail();
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Compaction                                                                                  */

extern "C" xc_status xc_compact(const char *const *sources, size_t n, const char *dest,
                                int multipass, int keep_docids)
{
    try {
        need(sources != nullptr && n > 0, "no source database");
        need(dest != nullptr, "NULL destination");
        Xapian::Database db;
        for (size_t i = 0; i < n; ++i) {
            need(sources[i] != nullptr, "NULL source path");
            db.add_database(Xapian::Database(sources[i]));
        }
        db.compact(dest, (multipass ? Xapian::DBCOMPACT_MULTIPASS : 0) |
                             (keep_docids ? Xapian::DBCOMPACT_NO_RENUMBER : 0));
        return XC_OK;
    } catch (...) {
        return xc_fail();
    }
}
