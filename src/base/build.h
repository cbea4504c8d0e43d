// base/build.h: compile-time switches as constexpr values (never #ifdef in policy code).
// meson passes BENTO_DEBUG_LEVEL and BENTO_STATS; both branches of every
// `if constexpr` are type-checked in every build.
#pragma once

#ifndef BENTO_DEBUG_LEVEL
#define BENTO_DEBUG_LEVEL 0
#endif
#ifndef BENTO_STATS
#define BENTO_STATS 1
#endif
#ifndef BENTO_VERSION
#define BENTO_VERSION "0.0.0"
#endif
#ifndef BENTO_DEFAULT_CONF
#define BENTO_DEFAULT_CONF ""
#endif

namespace bento {
inline constexpr int kDebugLevel = BENTO_DEBUG_LEVEL;  // 0 release, 1 asserts, 2 slow checks
inline constexpr bool kDebug = kDebugLevel > 0;
inline constexpr bool kStats = BENTO_STATS != 0;
inline constexpr const char* kVersion = BENTO_VERSION;
inline constexpr const char* kDefaultConf = BENTO_DEFAULT_CONF;  // meson -Ddefault_conf
}  // namespace bento
