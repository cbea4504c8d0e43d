// override/new_delete.cc: every replaceable operator new and delete. The one file of
// src/ built with exceptions: operator new calls the new_handler and then throws
// std::bad_alloc, and the nothrow forms turn that into null, as the standard says.
//
// libbento.so does not link the C++ runtime: a C program that preloads bento would map
// libstdc++ for nothing (1.8 MB of its peak RSS). What operator new needs of it, the
// new_handler and throwing and catching std::bad_alloc, is referenced weakly below. A
// program that calls operator new has the runtime loaded already (its own code needs
// it), so the references resolve; where none is loaded, running out of memory in
// operator new ends the program with a message instead of an exception.
#include <cstddef>
#include <new>

#include "frontend/malloc.h"

// Weak redeclarations: the definitions are libstdc++'s, when the program has it.
namespace std {
new_handler get_new_handler() noexcept __attribute__((weak));
}  // namespace std
extern "C" void __cxa_throw(void*, void*, void (*)(void*)) __attribute__((weak));
// What the compiler itself refers to for `throw std::bad_alloc()` and the catch in
// new_nothrow (the exception calls, bad_alloc's type and vtable, the personality routine,
// the unwinder's resume) is made weak for the assembler. They are reached only when an
// exception is thrown, and throw_bad_alloc throws only when the runtime is there.
asm(".weak __cxa_allocate_exception\n.weak __cxa_free_exception\n.weak _ZTISt9bad_alloc\n"
    ".weak _ZTVSt9bad_alloc\n.weak _ZNSt9bad_allocD1Ev\n.weak __gxx_personality_v0\n"
    ".weak __cxa_begin_catch\n.weak __cxa_end_catch\n.weak _Unwind_Resume");

using namespace bento;

namespace {

[[noreturn]] void throw_bad_alloc(std::size_t size) {
  if (&__cxa_throw != nullptr) throw std::bad_alloc();
  fatal_out_of_memory("operator new", size);
}

[[gnu::noinline]] void* new_slow(std::size_t size, std::size_t align) {
  for (;;) {
    void* p = align <= kQuantum ? malloc_slow(size) : aligned_alloc_impl(align, size);
    if (p != nullptr) return p;
    std::new_handler handler = &std::get_new_handler != nullptr ? std::get_new_handler() : nullptr;
    if (handler == nullptr) throw_bad_alloc(size);
    handler();
  }
}

inline void* new_impl(std::size_t size) {
  void* p;
  if (BENTO_LIKELY(cache_pop(size, p))) return p;
  return new_slow(size, 0);
}

void* new_nothrow(std::size_t size, std::size_t align) noexcept {
  try {
    return new_slow(size, align);
  } catch (...) {  // a new_handler may throw only bad_alloc (or derived)
    return nullptr;
  }
}

inline std::size_t al(std::align_val_t a) { return static_cast<std::size_t>(a); }

}  // namespace

#define BENTO_OP BENTO_EXPORT

BENTO_OP void* operator new(std::size_t n) { return new_impl(n); }
BENTO_OP void* operator new[](std::size_t n) { return new_impl(n); }
BENTO_OP void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  void* p;
  return cache_pop(n, p) ? p : new_nothrow(n, 0);
}
BENTO_OP void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  void* p;
  return cache_pop(n, p) ? p : new_nothrow(n, 0);
}
BENTO_OP void* operator new(std::size_t n, std::align_val_t a) { return new_slow(n, al(a)); }
BENTO_OP void* operator new[](std::size_t n, std::align_val_t a) { return new_slow(n, al(a)); }
BENTO_OP void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return new_nothrow(n, al(a));
}
BENTO_OP void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return new_nothrow(n, al(a));
}

BENTO_OP void operator delete(void* p) noexcept { free_fast(p); }
BENTO_OP void operator delete[](void* p) noexcept { free_fast(p); }
BENTO_OP void operator delete(void* p, const std::nothrow_t&) noexcept { free_fast(p); }
BENTO_OP void operator delete[](void* p, const std::nothrow_t&) noexcept { free_fast(p); }
BENTO_OP void operator delete(void* p, std::size_t n) noexcept { free_sized_fast(p, n); }
BENTO_OP void operator delete[](void* p, std::size_t n) noexcept { free_sized_fast(p, n); }
BENTO_OP void operator delete(void* p, std::align_val_t a) noexcept { free_aligned_impl(p, al(a)); }
BENTO_OP void operator delete[](void* p, std::align_val_t a) noexcept { free_aligned_impl(p, al(a)); }
BENTO_OP void operator delete(void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  free_aligned_impl(p, al(a));
}
BENTO_OP void operator delete[](void* p, std::align_val_t a, const std::nothrow_t&) noexcept {
  free_aligned_impl(p, al(a));
}
BENTO_OP void operator delete(void* p, std::size_t n, std::align_val_t a) noexcept {
  free_aligned_sized_impl(p, al(a), n);
}
BENTO_OP void operator delete[](void* p, std::size_t n, std::align_val_t a) noexcept {
  free_aligned_sized_impl(p, al(a), n);
}
