// arena/huge.cc: the huge-object table (open addressing, linear probing, tombstones),
// mapped directly from the OS and doubled when 1/2 full. g_huge_lock guards all of it.
#include "arena/huge.h"

#include "arena/arena.h"
#include "arena/arena_set.h"
#include "chunk/chunk_registry.h"
#include "platform/os.h"

namespace bento {

namespace {

struct Slot {
  std::uintptr_t key;  // object address; 0 empty, 1 tombstone
  std::size_t usize;
  std::size_t map_bytes;
  unsigned arena;
};
constexpr std::uintptr_t kEmpty = 0, kTomb = 1;

constinit ProfiledMutex g_huge_lock;
constinit Slot* g_slots = nullptr;
constinit std::size_t g_cap = 0;    // power of two
constinit std::size_t g_used = 0;   // live + tombstones

std::size_t hash_of(std::uintptr_t key, std::size_t cap) noexcept {
  return static_cast<std::size_t>(((key >> kLgChunk) * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

Slot* find(std::uintptr_t key) noexcept {
  if (g_cap == 0) return nullptr;
  for (std::size_t i = hash_of(key, g_cap), n = 0; n < g_cap; i = (i + 1) & (g_cap - 1), ++n) {
    if (g_slots[i].key == key) return &g_slots[i];
    if (g_slots[i].key == kEmpty) return nullptr;
  }
  return nullptr;
}

bool grow() noexcept {
  std::size_t live = 0;
  for (std::size_t i = 0; i < g_cap; ++i) live += g_slots[i].key > kTomb;
  std::size_t cap = g_cap == 0 ? 1024 : g_cap;
  while (cap < 4 * (live + 1)) cap *= 2;
  auto* slots = static_cast<Slot*>(os::map(cap * sizeof(Slot)));
  if (slots == nullptr) return false;
  for (std::size_t i = 0; i < g_cap; ++i) {
    if (g_slots[i].key <= kTomb) continue;
    std::size_t j = hash_of(g_slots[i].key, cap);
    while (slots[j].key != kEmpty) j = (j + 1) & (cap - 1);
    slots[j] = g_slots[i];
  }
  if (g_slots != nullptr) os::unmap(g_slots, g_cap * sizeof(Slot));
  g_slots = slots;
  g_cap = cap;
  g_used = live;
  return true;
}

bool insert(const Slot& s) noexcept {
  if ((g_used + 1) * 2 > g_cap && !grow()) return false;
  std::size_t i = hash_of(s.key, g_cap);
  while (g_slots[i].key > kTomb) i = (i + 1) & (g_cap - 1);
  if (g_slots[i].key == kEmpty) ++g_used;
  g_slots[i] = s;
  return true;
}

HugeStats& stats_of(unsigned arena) noexcept { return arena_get(arena)->huge; }

// ---- the cache of freed mappings (g_huge_lock) ----
// Freed huge mappings stay mapped (their pages resident) for the decay time. A request
// takes the smallest cached range that holds it and leaves the rest cached, so one freed
// 64 MiB block serves many smaller ones without a page fault; freed neighbours merge.
// At most kCacheMaxBytes stay cached: the oldest ranges are unmapped first.
struct Cached {
  void* addr;
  std::size_t bytes;
  std::uint32_t freed_ms;
};
constexpr unsigned kCacheSlots = 32;
constexpr std::size_t kCacheMaxBytes = std::size_t{128} << 20;
constinit Cached g_cache[kCacheSlots] = {};
constinit unsigned g_ncached = 0;
constinit std::size_t g_cached_bytes = 0;

void cache_remove(unsigned i) noexcept {
  g_cached_bytes -= g_cache[i].bytes;
  g_cache[i] = g_cache[--g_ncached];
}

void cache_drop(unsigned i) noexcept {
  os::unmap(g_cache[i].addr, g_cache[i].bytes);
  cache_remove(i);
}

// Takes map_bytes at the alignment from the smallest cached range that holds them; null
// if none does.
void* cache_take(std::size_t map_bytes, std::size_t align) noexcept {
  unsigned best = kCacheSlots;
  for (unsigned i = 0; i < g_ncached; ++i) {
    const Cached& c = g_cache[i];
    if (c.bytes < map_bytes || (to_addr(c.addr) & (align - 1)) != 0) continue;
    if (best == kCacheSlots || c.bytes < g_cache[best].bytes) best = i;
  }
  if (best == kCacheSlots) return nullptr;
  Cached& c = g_cache[best];
  void* p = c.addr;
  if (c.bytes == map_bytes) {
    cache_remove(best);
  } else {  // the rest stays cached (chunk-aligned, since map_bytes is a chunk multiple)
    c.addr = static_cast<char*>(c.addr) + map_bytes;
    c.bytes -= map_bytes;
    g_cached_bytes -= map_bytes;
  }
  return p;
}

void cache_put(void* p, std::size_t bytes) noexcept {
  if (bytes > kCacheMaxBytes) {
    os::unmap(p, bytes);
    return;
  }
  // Merge with cached neighbours: adjacent mappings are one range to the kernel too.
  for (unsigned i = 0; i < g_ncached;) {
    Cached& c = g_cache[i];
    if (to_addr(c.addr) + c.bytes == to_addr(p)) {
      p = c.addr;
      bytes += c.bytes;
      cache_remove(i);
    } else if (to_addr(p) + bytes == to_addr(c.addr)) {
      bytes += c.bytes;
      cache_remove(i);
    } else {
      ++i;
    }
  }
  while (g_ncached != 0 && (g_ncached == kCacheSlots || g_cached_bytes + bytes > kCacheMaxBytes)) {
    unsigned oldest = 0;
    for (unsigned i = 1; i < g_ncached; ++i) {
      if (g_cache[i].freed_ms - g_cache[oldest].freed_ms > 0x80000000u) oldest = i;  // wrap-safe "older"
    }
    cache_drop(oldest);
  }
  if (bytes > kCacheMaxBytes) {
    os::unmap(p, bytes);
    return;
  }
  g_cache[g_ncached++] = Cached{p, bytes, coarse_now_ms()};
  g_cached_bytes += bytes;
}

}  // namespace

// Drops cached mappings older than the decay time (all: every one). Lock held.
std::size_t cache_expire(std::int64_t decay_ms, bool all) noexcept {
  if (!all && decay_ms < 0) return 0;
  const std::uint32_t now = coarse_now_ms();
  std::size_t released = 0;
  for (unsigned i = 0; i < g_ncached;) {
    if (all || now - g_cache[i].freed_ms >= static_cast<std::uint64_t>(decay_ms)) {
      released += g_cache[i].bytes;
      cache_drop(i);
    } else {
      ++i;
    }
  }
  return released;
}

std::size_t huge_cache_decay(std::int64_t decay_ms, bool all) noexcept {
  LockGuard guard(g_huge_lock);
  return cache_expire(decay_ms, all);
}

std::size_t huge_cached_bytes() noexcept {
  LockGuard guard(g_huge_lock);
  return g_cached_bytes;
}

void* huge_alloc(Arena* charge, std::size_t size, std::size_t align, bool* zeroed) noexcept {
  const std::size_t usize = align_up(size, kPageSize);
  const std::size_t map_bytes = align_up(usize, kChunkSize);
  if (usize < size || map_bytes < usize || map_bytes > (std::size_t{1} << 46)) return nullptr;
  const std::size_t map_align = align > kChunkSize ? align : kChunkSize;
  void* p;
  {
    LockGuard guard(g_huge_lock);
    p = cache_take(map_bytes, map_align);
  }
  *zeroed = p == nullptr;
  if (p == nullptr) p = os::map_aligned(map_bytes, map_align);
  if (p == nullptr) return nullptr;
  LockGuard guard(g_huge_lock);
  if (!insert(Slot{to_addr(p), usize, map_bytes, charge->index()})) {
    os::unmap(p, map_bytes);
    return nullptr;
  }
  registry_set(p, map_bytes, ChunkKind::kHugeHead, ChunkKind::kHugeBody);
  HugeStats& s = charge->huge;
  ++s.nmalloc;
  ++s.nrequests;
  ++s.cur;
  s.allocated += usize;
  s.mapped += map_bytes;
  return p;
}

bool huge_lookup(const void* p, HugeInfo* out) noexcept {
  LockGuard guard(g_huge_lock);
  const Slot* s = find(to_addr(p));
  if (s == nullptr) return false;
  *out = HugeInfo{s->usize, s->map_bytes, s->arena};
  return true;
}

bool huge_free(void* p) noexcept {
  std::size_t map_bytes;
  const std::int64_t decay = default_decay_ms();  // before the huge lock (lock order)
  {
    LockGuard guard(g_huge_lock);
    Slot* s = find(to_addr(p));
    if (s == nullptr) return false;
    map_bytes = s->map_bytes;
    HugeStats& st = stats_of(s->arena);
    ++st.ndalloc;
    --st.cur;
    st.allocated -= s->usize;
    st.mapped -= s->map_bytes;
    s->key = kTomb;
    registry_clear(p, map_bytes);
    // Keep it for reuse unless memory is to go back at once; drop what has aged.
    if (decay != 0) {
      cache_put(p, map_bytes);
      cache_expire(decay, false);
      return true;
    }
  }
  os::unmap(p, map_bytes);
  return true;
}

void* huge_resize(void* p, std::size_t size) noexcept {
  const std::size_t usize = align_up(size, kPageSize);
  const std::size_t map_bytes = align_up(usize, kChunkSize);
  if (usize < size || map_bytes < usize || map_bytes > (std::size_t{1} << 46)) return nullptr;
  LockGuard guard(g_huge_lock);
  Slot* s = find(to_addr(p));
  if (s == nullptr) return nullptr;
  HugeStats& st = stats_of(s->arena);
  void* result = p;
  if (map_bytes <= s->map_bytes) {
    // Fits the current mapping: release the tail that is no longer needed.
    if (usize < s->usize) os::purge(static_cast<char*>(p) + usize, s->usize - usize);
    if (map_bytes < s->map_bytes) {
      os::remap_in_place(p, s->map_bytes, map_bytes);
      registry_clear(static_cast<char*>(p) + map_bytes, s->map_bytes - map_bytes);
    }
  } else if (os::remap_in_place(p, s->map_bytes, map_bytes)) {
    registry_set(p, map_bytes, ChunkKind::kHugeHead, ChunkKind::kHugeBody);
  } else {
    // Move the pages into a fresh chunk-aligned reservation: no copy. Make room in the
    // table first, so that recording the new address cannot fail after the move.
    if ((g_used + 1) * 2 > g_cap) {
      if (!grow()) return nullptr;
      s = find(to_addr(p));
    }
    void* dest = os::map_aligned(map_bytes, kChunkSize);
    if (dest == nullptr) return nullptr;
    if (!os::remap_to(p, s->map_bytes, dest, map_bytes)) {
      os::unmap(dest, map_bytes);
      return nullptr;
    }
    registry_clear(p, s->map_bytes);
    registry_set(dest, map_bytes, ChunkKind::kHugeHead, ChunkKind::kHugeBody);
    const Slot moved{to_addr(dest), s->usize, s->map_bytes, s->arena};
    s->key = kTomb;
    insert(moved);
    s = find(to_addr(dest));
    result = dest;
  }
  st.allocated += usize;
  st.allocated -= s->usize;
  st.mapped += map_bytes;
  st.mapped -= s->map_bytes;
  ++st.nrequests;
  s->usize = usize;
  s->map_bytes = map_bytes;
  return result;
}

void huge_prefork() noexcept { g_huge_lock.lock(); }
void huge_postfork_parent() noexcept { g_huge_lock.unlock(); }
void huge_postfork_child() noexcept { g_huge_lock.reset_after_fork(); }
LockCounters huge_lock_counters() noexcept {
  LockGuard guard(g_huge_lock);
  return g_huge_lock.read_locked();
}

std::size_t huge_list(HugeExtent* out, std::size_t cap) noexcept {
  LockGuard guard(g_huge_lock);
  std::size_t n = 0;
  for (std::size_t i = 0; i < g_cap; ++i) {
    if (g_slots[i].key <= kTomb) continue;
    if (n < cap) out[n] = HugeExtent{to_ptr(g_slots[i].key), g_slots[i].usize};
    ++n;
  }
  for (unsigned i = 0; i < g_ncached; ++i) {
    if (n < cap) out[n] = HugeExtent{g_cache[i].addr, g_cache[i].bytes};
    ++n;
  }
  return n;
}

void huge_stats_lock() noexcept { g_huge_lock.lock(); }
void huge_stats_unlock() noexcept { g_huge_lock.unlock(); }

}  // namespace bento
