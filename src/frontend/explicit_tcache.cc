// frontend/explicit_tcache.cc: the explicit-cache id bitmap. g_ids_lock serializes
// create and destroy (and is held across fork) (a create must find and claim a free bit in one step); the words are
// atomics so that explicit_tcache_in_use, on the *allocx paths, reads them without it.
#include "frontend/explicit_tcache.h"

#include <atomic>
#include <cstdint>

#include "frontend/init.h"
#include "platform/mutex.h"

namespace bento {

namespace {
constinit Mutex g_ids_lock;
constinit std::atomic<std::uint64_t> g_ids[kMaxExplicitCaches / 64] = {};

constexpr std::uint64_t bit_of(unsigned id) noexcept { return std::uint64_t{1} << (id % 64); }

// Fork: held across it, so the child never inherits it taken by a thread it lacks.
void ids_prefork() noexcept { g_ids_lock.lock(); }
void ids_postfork_parent() noexcept { g_ids_lock.unlock(); }
void ids_postfork_child() noexcept { g_ids_lock.reset_after_fork(); }
__attribute__((constructor)) void bento_explicit_tcache_fork_hooks() {
  add_fork_hooks(ids_prefork, ids_postfork_parent, ids_postfork_child);
}
}  // namespace

bool explicit_tcache_in_use(unsigned id) noexcept {
  return id < kMaxExplicitCaches && (g_ids[id / 64].load(std::memory_order_acquire) & bit_of(id)) != 0;
}

unsigned explicit_tcache_create() noexcept {
  LockGuard guard(g_ids_lock);
  for (unsigned w = 0; w < kMaxExplicitCaches / 64; ++w) {
    const std::uint64_t word = g_ids[w].load(std::memory_order_relaxed);
    if (~word == 0) continue;
    const unsigned bit = static_cast<unsigned>(__builtin_ctzll(~word));
    g_ids[w].store(word | std::uint64_t{1} << bit, std::memory_order_release);
    return w * 64 + bit;
  }
  return kMaxExplicitCaches;
}

bool explicit_tcache_flush(unsigned id) noexcept {
  LockGuard guard(g_ids_lock);
  return explicit_tcache_in_use(id);  // nothing is ever cached in one (explicit_tcache.h)
}

bool explicit_tcache_destroy(unsigned id) noexcept {
  LockGuard guard(g_ids_lock);
  if (!explicit_tcache_in_use(id)) return false;
  g_ids[id / 64].fetch_and(~bit_of(id), std::memory_order_release);
  return true;
}

}  // namespace bento
