// base/compiler.h: attribute macros shared by every layer.
// Owns no state. The only place besides platform/ where #if is allowed.
#pragma once

#define BENTO_ALWAYS_INLINE inline __attribute__((always_inline))
#define BENTO_NOINLINE __attribute__((noinline))
#define BENTO_COLD __attribute__((cold))
#define BENTO_SLOW BENTO_NOINLINE BENTO_COLD
#define BENTO_EXPORT __attribute__((visibility("default")))
// On an extern declaration: the variable is in this library, so code reaches it directly,
// not through the GOT (a load saved on the fast paths).
#define BENTO_HIDDEN __attribute__((visibility("hidden")))
#define BENTO_TLS_IE __attribute__((tls_model("initial-exec")))
#define BENTO_LIKELY(x) __builtin_expect(!!(x), 1)
#define BENTO_UNLIKELY(x) __builtin_expect(!!(x), 0)

// Tail calls keep callee-saved registers out of the fast paths. GCC 12 warns about the
// clang attribute, so it is spelled out for clang only, and clang 14 cannot musttail out
// of a noexcept function in a file built with exceptions (override/new_delete.cc).
#if defined(__clang__) && !defined(__EXCEPTIONS)
#define BENTO_MUSTTAIL [[clang::musttail]]
#else
#define BENTO_MUSTTAIL
#endif

// Keeps the compiler from merging the slow-path call into the fast path's layout.
#define BENTO_SLOW_PATH_BARRIER() asm volatile("")
