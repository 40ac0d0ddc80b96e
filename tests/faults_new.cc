/*
 * faults_new.cc - the C++ half of tests/test_faults.c: a replacement of the global operator new
 * and delete that counts with the same countdown as the malloc wrappers, and throws
 * std::bad_alloc when its turn comes. Defined in the executable, it replaces the operator new of
 * every library the test loads (Xapian, libstdc++, the shim), as the C++ standard allows.
 *
 * Every form is replaced, delete included, so that memory from here is given back here (to
 * free()): a sanitizer's own operator delete would call our malloc()ed blocks a mismatch.
 */
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <execinfo.h>
#include <new>

extern "C" {
int pi_fault_now(void);       /* test_faults.c: 1 when this allocation is the one to fail */
void pi_fault_thrown(int in_xapian); /* test_faults.c: its std::bad_alloc is on its way */
void *__real_malloc(size_t n); /* the malloc that --wrap=malloc leaves reachable */
}

namespace {

/* Is this allocation Xapian's own? Past the frames of this file (in the test program), and of
 * libstdc++ (a string growing, for whoever called it), the first frame is in libxapian. */
bool in_xapian()
{
    void *frames[64];
    int n = backtrace(frames, 64), i = 0;
    Dl_info info;
    auto in = [&](const char *lib) {
        return i < n && dladdr(frames[i], &info) && info.dli_fname && std::strstr(info.dli_fname, lib);
    };
    Dl_info self;
    if (!dladdr(reinterpret_cast<void *>(&in_xapian), &self))
        return false;
    auto mine = [&] { return dladdr(frames[i], &info) && info.dli_fbase == self.dli_fbase; };
    while (i < n && !mine()) /* a sanitizer's interceptor of backtrace() */
        i++;
    while (i < n && mine())
        i++;
    while (in("libstdc++"))
        i++;
    return in("libxapian");
}

void *allocate(std::size_t n)
{
    if (pi_fault_now()) {
        errno = ENOMEM;
        return nullptr;
    }
    return __real_malloc(n ? n : 1);
}

void *allocate_aligned(std::size_t n, std::align_val_t al)
{
    if (pi_fault_now()) {
        errno = ENOMEM;
        return nullptr;
    }
    std::size_t a = static_cast<std::size_t>(al);
    if (a < sizeof(void *))
        a = sizeof(void *);
    void *p = nullptr;
    return posix_memalign(&p, a, n ? n : 1) == 0 ? p : nullptr;
}

} // namespace

void *operator new(std::size_t n)
{
    void *p = allocate(n);
    if (!p) {
        pi_fault_thrown(in_xapian());
        throw std::bad_alloc();
    }
    return p;
}

void *operator new[](std::size_t n)
{
    void *p = allocate(n);
    if (!p) {
        pi_fault_thrown(in_xapian());
        throw std::bad_alloc();
    }
    return p;
}

void *operator new(std::size_t n, const std::nothrow_t &) noexcept
{
    return allocate(n);
}

void *operator new[](std::size_t n, const std::nothrow_t &) noexcept
{
    return allocate(n);
}

void *operator new(std::size_t n, std::align_val_t al)
{
    void *p = allocate_aligned(n, al);
    if (!p) {
        pi_fault_thrown(in_xapian());
        throw std::bad_alloc();
    }
    return p;
}

void *operator new[](std::size_t n, std::align_val_t al)
{
    void *p = allocate_aligned(n, al);
    if (!p) {
        pi_fault_thrown(in_xapian());
        throw std::bad_alloc();
    }
    return p;
}

void *operator new(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept
{
    return allocate_aligned(n, al);
}

void *operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept
{
    return allocate_aligned(n, al);
}

void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t, const std::nothrow_t &) noexcept { std::free(p); }
