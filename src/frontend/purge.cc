// frontend/purge.cc: purge_now. Takes each arena's lock in turn (never two at once) and
// the huge shard locks inside huge_cache_decay.
#include "frontend/purge.h"

#include "arena/arena_set.h"
#include "arena/huge.h"
#include "frontend/thread_state.h"

namespace bento {

namespace {
std::size_t purge_arena(Arena* a) noexcept {
  ArenaObserverLock guard(a);
  return a->purge_locked(true);
}
}  // namespace

std::size_t purge_now(unsigned index) noexcept {
  if (ThreadState* ts = thread_state(); ts != nullptr && ts->tcache != nullptr) {
    tcache_flush_all(ts->tcache, ts->choice);
  }
  std::size_t released = 0;
  if (index == kPurgeAllArenas) {
    for (unsigned i = 0, n = narenas(); i < n; ++i) {
      if (Arena* a = arena_get(i)) released += purge_arena(a);
    }
  } else if (Arena* a = arena_get(index)) {
    released += purge_arena(a);
  }
  return released + huge_cache_decay(0, true);
}

}  // namespace bento
