// test/support/print.h: lets Boost.Test print bento's enums in failure messages.
#pragma once
#include <ostream>
#include <type_traits>

#include "arena/arena.h"
#include "chunk/chunk_registry.h"
#include "run/run.h"

namespace bento {
template <class E>
  requires(std::is_same_v<E, ChunkKind> || std::is_same_v<E, FreeError> ||
           std::is_same_v<E, RegionFree>)
std::ostream& operator<<(std::ostream& os, E e) {
  return os << static_cast<int>(e);
}
}  // namespace bento
