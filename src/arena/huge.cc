// arena/huge.cc: the huge-object table (open addressing, linear probing, tombstones),
// mapped directly from the OS and doubled when 1/2 full. g_huge_lock guards all of it.
#include "arena/huge.h"

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

}  // namespace

void* huge_alloc(Arena* charge, std::size_t size, std::size_t align) noexcept {
  const std::size_t usize = align_up(size, kPageSize);
  const std::size_t map_bytes = align_up(usize, kChunkSize);
  if (usize < size || map_bytes < usize || map_bytes > (std::size_t{1} << 46)) return nullptr;
  void* p = os::map_aligned(map_bytes, align > kChunkSize ? align : kChunkSize);
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
  return n;
}

void huge_stats_lock() noexcept { g_huge_lock.lock(); }
void huge_stats_unlock() noexcept { g_huge_lock.unlock(); }

}  // namespace bento
