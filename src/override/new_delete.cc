// override/new_delete.cc: every replaceable operator new and delete. The one file of
// src/ built with exceptions: operator new calls the new_handler and then throws
// std::bad_alloc, and the nothrow forms turn that into null, as the standard says.
#include <cstddef>
#include <new>

#include "frontend/malloc.h"

using namespace bento;

namespace {

[[gnu::noinline]] void* new_slow(std::size_t size, std::size_t align) {
  for (;;) {
    void* p = align <= kQuantum ? malloc_slow(size) : aligned_alloc_impl(align, size);
    if (p != nullptr) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
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
  } catch (const std::bad_alloc&) {
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
