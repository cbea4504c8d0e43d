// platform/assert.h: invariants at three costs.
//   BENTO_CHECK(cond, "what")   always on: heap-corruption detection, never compiled out.
//   BENTO_ASSERT(cond)          debug builds (BENTO_DEBUG_LEVEL >= 1).
//   BENTO_ASSERT_SLOW(cond)     debug level 2: whole-structure walks.
#pragma once
#include "base/build.h"
#include "platform/log.h"

#define BENTO_CHECK(cond, what)                                                          \
  do {                                                                                   \
    if (BENTO_UNLIKELY(!(cond))) ::bento::fatal("check failed: {} ({}:{})", what,        \
                                                __FILE__, __LINE__);                     \
  } while (0)

#define BENTO_ASSERT(cond)                                                               \
  do {                                                                                   \
    if constexpr (::bento::kDebugLevel >= 1) {                                           \
      if (BENTO_UNLIKELY(!(cond)))                                                       \
        ::bento::fatal("assertion failed: {} ({}:{})", #cond, __FILE__, __LINE__);       \
    }                                                                                    \
  } while (0)

#define BENTO_ASSERT_SLOW(cond)                                                          \
  do {                                                                                   \
    if constexpr (::bento::kDebugLevel >= 2) {                                           \
      if (BENTO_UNLIKELY(!(cond)))                                                       \
        ::bento::fatal("assertion failed: {} ({}:{})", #cond, __FILE__, __LINE__);       \
    }                                                                                    \
  } while (0)
