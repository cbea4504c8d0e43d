// config/conf_sources.h: where the options come from, in the order they are read (later
// sources win): bento's built-in string, jemalloc's two (the program's malloc_conf symbol,
// the MALLOC_CONF variable), then bento's own two (bento_conf, BENTO_CONF).
#pragma once
#include <cstddef>

namespace bento {

struct ConfSource {
  const char* name;               // as messages name it
  const char* (*read)() noexcept;  // the string, or null if this source is not set
};

extern const ConfSource kConfSources[];
extern const std::size_t kNumConfSources;

}  // namespace bento
