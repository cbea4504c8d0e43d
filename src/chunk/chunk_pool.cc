// chunk/chunk_pool.cc: the shared pool of wholly free chunks (see chunk_pool.h).
// g_pool_lock guards g_pool and g_stats; releases make their system calls after it is
// dropped.
#include "chunk/chunk_pool.h"

#include <atomic>

#include "base/list.h"
#include "chunk/chunk_registry.h"
#include "platform/os.h"

namespace bento {

namespace {
using ChunkList = IntrusiveList<ChunkHeader, &ChunkHeader::link>;

constinit ProfiledMutex g_pool_lock;
constinit ChunkList g_pool;  // newest at the front
constinit ChunkPoolStats g_stats;
// Read without the lock by chunk_pool_due: whether the pool holds a dirty chunk, and
// when the oldest was put there.
constinit std::atomic<bool> g_any{false};
constinit std::atomic<std::uint32_t> g_oldest_since{0};

constexpr std::size_t kReleaseBatch = 32;  // chunks released per lock hold

inline std::uint32_t age_ms(std::uint32_t now, std::uint32_t since) noexcept { return now - since; }

// After every change, under the lock.
void publish_oldest() noexcept {
  ChunkHeader* oldest = g_pool.back();
  while (oldest != nullptr && oldest->pooled_dirty == 0 && oldest->retained) oldest = g_pool.prev(oldest);
  if (oldest != nullptr) g_oldest_since.store(oldest->pooled_since, std::memory_order_relaxed);
  g_any.store(oldest != nullptr, std::memory_order_relaxed);
}
}  // namespace

bool chunk_pool_due(std::uint32_t now_ms, std::int64_t decay_ms) noexcept {
  if (decay_ms < 0 || !g_any.load(std::memory_order_relaxed)) return false;
  return age_ms(now_ms, g_oldest_since.load(std::memory_order_relaxed)) >= static_cast<std::uint64_t>(decay_ms);
}

void chunk_pool_put(ChunkHeader* c, std::size_t ndirty, std::uint32_t now_ms) noexcept {
  c->pooled_dirty = static_cast<std::uint16_t>(ndirty);
  c->pooled_since = now_ms;
  c->owner = nullptr;
  LockGuard guard(g_pool_lock);
  g_pool.push_front(c);
  ++g_stats.chunks;
  stat_add(g_stats.nput, 1);
  g_stats.dirty += ndirty;
  publish_oldest();
}

ChunkHeader* chunk_pool_take(std::size_t* ndirty) noexcept {
  LockGuard guard(g_pool_lock);
  ChunkHeader* c = g_pool.pop_front();
  if (c == nullptr) return nullptr;
  --g_stats.chunks;
  stat_add(g_stats.ntaken, 1);
  g_stats.dirty -= c->pooled_dirty;
  *ndirty = c->pooled_dirty;
  publish_oldest();
  return c;
}

std::size_t chunk_pool_purge(std::uint32_t now_ms, std::int64_t decay_ms, bool retain, bool all) noexcept {
  if (!all && decay_ms < 0) return 0;
  std::size_t released = 0;
  for (;;) {
    ChunkHeader* due[kReleaseBatch];
    std::size_t n = 0;
    {
      LockGuard guard(g_pool_lock);
      // Oldest at the back; with retain, purged chunks stay (clean) and are skipped.
      for (ChunkHeader* c = g_pool.back(); c != nullptr && n < kReleaseBatch;) {
        ChunkHeader* newer = g_pool.prev(c);
        if (!all && age_ms(now_ms, c->pooled_since) < static_cast<std::uint64_t>(decay_ms)) break;
        if (!(retain && c->pooled_dirty == 0)) {
          g_pool.remove(c);
          --g_stats.chunks;
          stat_add(g_stats.nreleased, 1);
          g_stats.dirty -= c->pooled_dirty;
          due[n++] = c;
        }
        c = newer;
      }
      publish_oldest();
    }
    if (n == 0) return released;
    for (std::size_t i = 0; i < n; ++i) {
      ChunkHeader* c = due[i];
      released += c->pooled_dirty;
      if (retain) {
        os::purge(page_addr(c, kFirstRunPage), kMaxRunPages * kPageSize);
        for (std::size_t p = kFirstRunPage; p < kChunkPages; ++p) c->pages[p].dirty = 0;
        c->pooled_dirty = 0;
        c->retained = true;
        LockGuard guard(g_pool_lock);
        g_pool.push_back(c);  // clean: taken last
        ++g_stats.chunks;
        publish_oldest();
      } else {
        registry_clear(c, kChunkSize);
        os::unmap(c, kChunkSize);
      }
    }
    if (n < kReleaseBatch) return released;
  }
}

ChunkPoolStats chunk_pool_stats() noexcept {
  LockGuard guard(g_pool_lock);
  return g_stats;
}

std::size_t chunk_pool_list(void** out, std::size_t cap) noexcept {
  LockGuard guard(g_pool_lock);
  std::size_t n = 0;
  for (ChunkHeader* c = g_pool.front(); c != nullptr; c = g_pool.next(c)) {
    if (n < cap) out[n] = c;
    ++n;
  }
  return n;
}

LockCounters chunk_pool_lock_counters() noexcept {
  LockGuard guard(g_pool_lock);
  return g_pool_lock.read_locked();
}

void chunk_pool_prefork() noexcept { g_pool_lock.lock(); }
void chunk_pool_postfork_parent() noexcept { g_pool_lock.unlock(); }
void chunk_pool_postfork_child() noexcept { g_pool_lock.reset_after_fork(); }

}  // namespace bento
