// arena/huge.cc: huge objects, in shards so that threads seldom meet. Two kinds of shard
// state, each guarded by its shard's lock, never two shard locks at once (except fork and
// stats readers, which take them in index order):
//   - the table of live objects whose address hashes to the shard (open addressing,
//     linear probing, tombstones), mapped from the OS and doubled when 1/2 full;
//   - the cache of freed mappings, and the HugeStats, of the arenas whose index maps to
//     the shard (arena % kShards).
// No system call is made with a shard lock held: mappings to unmap or purge are collected
// first (a range being purged is in no cache meanwhile).
#include "arena/huge.h"

#include <atomic>

#include "arena/arena.h"
#include "arena/arena_set.h"
#include "chunk/chunk_map.h"
#include "chunk/chunk_registry.h"
#include "platform/assert.h"
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

// Freed huge mappings stay mapped for the decay time. A request takes the smallest cached
// range that holds it and leaves the rest cached, so one freed 64 MiB block serves many
// smaller ones; freed neighbours of the same kind merge. A shard caches up to 64 MiB,
// or as much as its arenas' huge objects map now if that is more (all shards: 256 MiB,
// or all huge objects' mappings): a program that keeps a working set of big blocks and
// replaces them reuses its freed ones instead of mapping, faulting in and unmapping each
// (blocks of 5-25 MiB, 20 live: 3.4 x tcmalloc's time with fixed 64 MiB caps).
//
// Two kinds of range: dirty (freed, its pages as the program left them: reused without a
// page fault) and purged (MADV_DONTNEED: nothing resident, reused at the cost of faults
// only, no mmap). A request takes, in order: the smallest dirty range that holds it; the
// largest smaller dirty one, grown to it by mremap (its pages move with it, the tail is
// fresh); the smallest purged range that holds it; a new mapping. Dirty ranges of all
// shards hold at most two fifths of what live huge objects map (at least 64 MiB); beyond
// that a free purges the oldest. (The same 5-25 MiB working set, against jemalloc's
// resident memory and glibc's time, the fastest peer's: every range dirty, 1.56 x; half,
// without growing, 1.30 x in 0.75 x glibc's time; growing: half 1.29 x in 0.5 x, two
// fifths 1.20 x in 0.7 x, a third 1.14 x in 0.93 x. doc/memory.md.) Decay still returns
// all of it.
struct Cached {
  void* addr;
  std::size_t bytes;
  std::uint32_t freed_ms;
  bool dirty;      // its pages may be resident: not purged since it was freed
  bool one_piece;  // one mapping to the kernel, as far as we know: mremap may move it
};
constexpr unsigned kShards = 32;  // power of two
constexpr unsigned kCacheSlots = 32;
constexpr std::size_t kShardCacheMaxBytes = std::size_t{64} << 20;
constexpr std::size_t kCacheMaxBytes = std::size_t{256} << 20;  // all shards together
constexpr std::size_t kDirtyMinBytes = std::size_t{64} << 20;   // dirty ranges, all shards

struct alignas(64) Shard {
  ProfiledMutex lock;
  Slot* slots = nullptr;
  std::size_t cap = 0;   // power of two
  std::size_t used = 0;  // live + tombstones
  Cached cache[kCacheSlots] = {};
  unsigned ncached = 0;
  std::size_t cached_bytes = 0;
  std::size_t live_mapped = 0;  // bytes mapped by live huge objects of its arenas
};
constinit Shard g_shards[kShards];
constinit std::atomic<std::size_t> g_cached_total{0};
constinit std::atomic<std::size_t> g_dirty_total{0};
constinit std::atomic<std::size_t> g_live_mapped_total{0};

std::size_t shard_cache_cap(const Shard& sh) noexcept {
  return sh.live_mapped > kShardCacheMaxBytes ? sh.live_mapped : kShardCacheMaxBytes;
}
std::size_t total_cache_cap() noexcept {
  const std::size_t live = g_live_mapped_total.load(std::memory_order_relaxed);
  return live > kCacheMaxBytes ? live : kCacheMaxBytes;
}
std::size_t dirty_cap() noexcept {
  const std::size_t two_fifths = g_live_mapped_total.load(std::memory_order_relaxed) / 5 * 2;
  return two_fifths > kDirtyMinBytes ? two_fifths : kDirtyMinBytes;
}
// Live huge mappings charged to sh change by delta bytes (shard lock held).
void add_live(Shard& sh, std::ptrdiff_t delta) noexcept {
  sh.live_mapped += static_cast<std::size_t>(delta);
  g_live_mapped_total.fetch_add(static_cast<std::size_t>(delta), std::memory_order_relaxed);
}

// Ranges taken out of a cache under its lock, for a system call once it is released:
// unmapped (unmap_all), or purged and cached again (huge_free). One lock hold takes each
// cached range at most once, plus the range being freed.
struct TakenRanges {
  Cached r[kCacheSlots + 1];
  unsigned n = 0;
  void add(void* addr, std::size_t bytes) noexcept {
    BENTO_ASSERT(n < kCacheSlots + 1);
    r[n++] = Cached{addr, bytes, 0, false, false};
  }
  std::size_t unmap_all() noexcept {
    std::size_t bytes = 0;
    for (unsigned i = 0; i < n; ++i) {
      os::unmap(r[i].addr, r[i].bytes);
      bytes += r[i].bytes;
    }
    n = 0;
    return bytes;
  }
};

std::uint64_t mix(std::uintptr_t key) noexcept { return (key >> kLgChunk) * 0x9E3779B97F4A7C15ull; }
Shard& table_shard(std::uintptr_t key) noexcept { return g_shards[(mix(key) >> 59) & (kShards - 1)]; }
Shard& arena_shard(unsigned arena) noexcept { return g_shards[arena & (kShards - 1)]; }
std::size_t hash_of(std::uintptr_t key, std::size_t cap) noexcept {
  return static_cast<std::size_t>(mix(key) >> 20) & (cap - 1);
}

// ---- the table (shard lock held) ----
Slot* find(Shard& sh, std::uintptr_t key) noexcept {
  if (sh.cap == 0) return nullptr;
  for (std::size_t i = hash_of(key, sh.cap), n = 0; n < sh.cap; i = (i + 1) & (sh.cap - 1), ++n) {
    if (sh.slots[i].key == key) return &sh.slots[i];
    if (sh.slots[i].key == kEmpty) return nullptr;
  }
  return nullptr;
}

bool grow(Shard& sh) noexcept {
  std::size_t live = 0;
  for (std::size_t i = 0; i < sh.cap; ++i) live += sh.slots[i].key > kTomb;
  std::size_t cap = sh.cap == 0 ? 256 : sh.cap;
  while (cap < 4 * (live + 1)) cap *= 2;
  // The one system call under a shard lock: the table lives in its own mapping, and a
  // shard's table grows rarely (doubling).
  auto* slots = static_cast<Slot*>(os::map(cap * sizeof(Slot)));
  if (slots == nullptr) return false;
  for (std::size_t i = 0; i < sh.cap; ++i) {
    if (sh.slots[i].key <= kTomb) continue;
    std::size_t j = hash_of(sh.slots[i].key, cap);
    while (slots[j].key != kEmpty) j = (j + 1) & (cap - 1);
    slots[j] = sh.slots[i];
  }
  if (sh.slots != nullptr) os::unmap(sh.slots, sh.cap * sizeof(Slot));
  sh.slots = slots;
  sh.cap = cap;
  sh.used = live;
  return true;
}

bool insert(Shard& sh, const Slot& s) noexcept {
  if ((sh.used + 1) * 2 > sh.cap && !grow(sh)) return false;
  std::size_t i = hash_of(s.key, sh.cap);
  while (sh.slots[i].key > kTomb) i = (i + 1) & (sh.cap - 1);
  if (sh.slots[i].key == kEmpty) ++sh.used;
  sh.slots[i] = s;
  return true;
}

bool insert_slot(const Slot& s) noexcept {
  Shard& sh = table_shard(s.key);
  LockGuard guard(sh.lock);
  return insert(sh, s);
}

// ---- the cache (shard lock held) ----
// Cached bytes of sh and of all shards (and all shards' dirty ones, if dirty) change by delta.
void count_cached(Shard& sh, std::ptrdiff_t delta, bool dirty) noexcept {
  const auto d = static_cast<std::size_t>(delta);  // modular: a negative delta subtracts
  sh.cached_bytes += d;
  g_cached_total.fetch_add(d, std::memory_order_relaxed);
  if (dirty) g_dirty_total.fetch_add(d, std::memory_order_relaxed);
}

void cache_remove(Shard& sh, unsigned i) noexcept {
  count_cached(sh, -static_cast<std::ptrdiff_t>(sh.cache[i].bytes), sh.cache[i].dirty);
  sh.cache[i] = sh.cache[--sh.ncached];
}

void cache_drop(Shard& sh, unsigned i, TakenRanges* out) noexcept {
  out->add(sh.cache[i].addr, sh.cache[i].bytes);
  cache_remove(sh, i);
}

// Takes map_bytes at the alignment from the smallest cached range of the kind that holds
// them (dirty: its pages are resident, no page faults; purged: faults only, no mmap);
// null if none does.
void* cache_take(Shard& sh, std::size_t map_bytes, std::size_t align, bool dirty) noexcept {
  unsigned best = kCacheSlots;
  for (unsigned i = 0; i < sh.ncached; ++i) {
    const Cached& c = sh.cache[i];
    if (c.dirty != dirty || c.bytes < map_bytes || (to_addr(c.addr) & (align - 1)) != 0) continue;
    if (best == kCacheSlots || c.bytes < sh.cache[best].bytes) best = i;
  }
  if (best == kCacheSlots) return nullptr;
  Cached& c = sh.cache[best];
  void* p = c.addr;
  if (c.bytes == map_bytes) {
    cache_remove(sh, best);
  } else {  // the rest stays cached (chunk-aligned, since map_bytes is a chunk multiple)
    c.addr = static_cast<char*>(c.addr) + map_bytes;
    c.bytes -= map_bytes;
    count_cached(sh, -static_cast<std::ptrdiff_t>(map_bytes), c.dirty);
  }
  return p;
}

// Takes out the largest dirty range smaller than map_bytes that is one piece, to be grown
// into a request that no cached range holds (huge_alloc); {null, 0} if there is none.
Cached cache_take_to_grow(Shard& sh, std::size_t map_bytes) noexcept {
  unsigned best = kCacheSlots;
  for (unsigned i = 0; i < sh.ncached; ++i) {
    const Cached& c = sh.cache[i];
    if (!c.dirty || !c.one_piece || c.bytes >= map_bytes) continue;
    if (best == kCacheSlots || c.bytes > sh.cache[best].bytes) best = i;
  }
  if (best == kCacheSlots) return Cached{};
  const Cached c = sh.cache[best];
  cache_remove(sh, best);
  return c;
}

// Makes a mapping of map_bytes, chunk-aligned, whose head is the dirty range r (its pages
// move with it: mremap moves page tables and copies nothing) and whose tail is fresh:
// grown in place, else moved into a new reservation. Null if neither works; r is then as
// it was, and *several says whether it is several of the kernel's mappings.
void* grow_range(const Cached& r, std::size_t map_bytes, bool* several) noexcept {
  const os::Remap in_place = os::remap_in_place(r.addr, r.bytes, map_bytes);
  *several = in_place == os::Remap::kSeveralMappings;
  if (in_place == os::Remap::kDone) return r.addr;
  if (*several) return nullptr;
  void* dest = chunk_map(map_bytes);
  if (dest == nullptr) return nullptr;
  if (os::remap_to(r.addr, r.bytes, dest, map_bytes)) return dest;
  return nullptr;  // dest stays reserved, or is gone: not ours to unmap (os::remap_to)
}

// The oldest cached range (only_dirty: the oldest dirty one; kCacheSlots if none).
unsigned oldest_of(const Shard& sh, bool only_dirty = false) noexcept {
  unsigned oldest = kCacheSlots;
  for (unsigned i = 0; i < sh.ncached; ++i) {
    if (only_dirty && !sh.cache[i].dirty) continue;
    if (oldest == kCacheSlots || sh.cache[i].freed_ms - sh.cache[oldest].freed_ms > 0x80000000u) {
      oldest = i;  // wrap-safe "older"
    }
  }
  return oldest;
}

// Keeps [p, p + bytes) for reuse, merged with cached neighbours of its kind (adjacent
// mappings are one range to munmap and madvise, though maybe not to mremap), making room
// by dropping the oldest; what cannot be kept goes to `out`.
void cache_put(Shard& sh, void* p, std::size_t bytes, bool dirty, bool one_piece, TakenRanges* out) noexcept {
  for (unsigned i = 0; i < sh.ncached;) {
    Cached& c = sh.cache[i];
    if (c.dirty != dirty) {
      ++i;
    } else if (to_addr(c.addr) + c.bytes == to_addr(p)) {
      p = c.addr;
      bytes += c.bytes;
      one_piece = false;
      cache_remove(sh, i);
    } else if (to_addr(p) + bytes == to_addr(c.addr)) {
      bytes += c.bytes;
      one_piece = false;
      cache_remove(sh, i);
    } else {
      ++i;
    }
  }
  const std::size_t cap = shard_cache_cap(sh), total_cap = total_cache_cap();
  if (bytes > cap) {
    out->add(p, bytes);
    return;
  }
  while (sh.ncached != 0 &&
         (sh.ncached == kCacheSlots || sh.cached_bytes + bytes > cap ||
          g_cached_total.load(std::memory_order_relaxed) + bytes > total_cap)) {
    cache_drop(sh, oldest_of(sh), out);
  }
  if (g_cached_total.load(std::memory_order_relaxed) + bytes > total_cap) {
    out->add(p, bytes);  // other shards hold the budget: theirs age out on their own
    return;
  }
  sh.cache[sh.ncached++] = Cached{p, bytes, os::coarse_ms(), dirty, one_piece};
  count_cached(sh, static_cast<std::ptrdiff_t>(bytes), dirty);
}

// Takes out the oldest dirty ranges of sh while all shards' dirty ranges are over the
// budget (dirty_cap), into `out`: purged once the lock is released, then cached again,
// clean (huge_free).
void cache_shed_dirty(Shard& sh, TakenRanges* out) noexcept {
  while (g_dirty_total.load(std::memory_order_relaxed) > dirty_cap()) {
    const unsigned i = oldest_of(sh, true);
    if (i == kCacheSlots) return;  // other shards hold the budget: theirs age out on their own
    out->add(sh.cache[i].addr, sh.cache[i].bytes);
    cache_remove(sh, i);
  }
}

// Drops cached mappings older than the decay time (all: every one) into `out`.
void cache_expire(Shard& sh, std::int64_t decay_ms, bool all, TakenRanges* out) noexcept {
  if (!all && decay_ms < 0) return;
  const std::uint32_t now = os::coarse_ms();
  for (unsigned i = 0; i < sh.ncached;) {
    if (all || now - sh.cache[i].freed_ms >= static_cast<std::uint64_t>(decay_ms)) {
      cache_drop(sh, i, out);
    } else {
      ++i;
    }
  }
}

bool size_ok(std::size_t size, std::size_t* usize, std::size_t* map_bytes) noexcept {
  *usize = align_up(size, kPageSize);
  *map_bytes = align_up(*usize, kChunkSize);
  return *usize >= size && *map_bytes >= *usize && *map_bytes <= (std::size_t{1} << 46);
}

}  // namespace

std::size_t huge_cache_decay(std::int64_t decay_ms, bool all) noexcept {
  std::size_t released = 0;
  for (Shard& sh : g_shards) {
    TakenRanges out;
    {
      LockGuard guard(sh.lock);
      cache_expire(sh, decay_ms, all, &out);
    }
    released += out.unmap_all();
  }
  return released;
}

std::size_t huge_cached_bytes() noexcept { return g_cached_total.load(std::memory_order_relaxed); }
std::size_t huge_cached_dirty_bytes() noexcept { return g_dirty_total.load(std::memory_order_relaxed); }

void* huge_alloc(Arena* charge, std::size_t size, std::size_t align, bool* zeroed) noexcept {
  std::size_t usize, map_bytes;
  if (!size_ok(size, &usize, &map_bytes)) return nullptr;
  const std::size_t map_align = align > kChunkSize ? align : kChunkSize;
  Shard& home = arena_shard(charge->index());
  // Resident pages first: a dirty range that holds the request, else the largest smaller
  // dirty one grown to it (a working set of big blocks replaced by bigger ones reuses
  // the freed ones' pages instead of faulting in new ones while those wait to be purged),
  // else a purged range, else a new mapping.
  void* p;
  bool dirty = true;
  Cached to_grow{};
  {
    LockGuard guard(home.lock);
    p = cache_take(home, map_bytes, map_align, true);
    if (p == nullptr && map_align == kChunkSize) to_grow = cache_take_to_grow(home, map_bytes);
    if (p == nullptr && to_grow.addr == nullptr) {
      p = cache_take(home, map_bytes, map_align, false);
      dirty = false;
    }
  }
  if (to_grow.addr != nullptr) {
    bool several;
    p = grow_range(to_grow, map_bytes, &several);
    if (p == nullptr) {  // kept for requests it holds; a purged range, else a new mapping
      TakenRanges out;
      {
        LockGuard guard(home.lock);
        cache_put(home, to_grow.addr, to_grow.bytes, true, !several, &out);
        p = cache_take(home, map_bytes, map_align, false);
      }
      out.unmap_all();
      dirty = false;
    }
  }
  *zeroed = !dirty;  // a fresh mapping or a purged range reads as zero
  if (p == nullptr) p = map_align == kChunkSize ? chunk_map(map_bytes) : os::map_aligned(map_bytes, map_align);
  if (p == nullptr) return nullptr;
  if (!insert_slot(Slot{to_addr(p), usize, map_bytes, charge->index()})) {
    os::unmap(p, map_bytes);
    return nullptr;
  }
  registry_set(p, map_bytes, ChunkKind::kHugeHead, ChunkKind::kHugeBody);
  LockGuard guard(home.lock);
  HugeStats& s = charge->huge;
  stat_add(s.nmalloc, 1);
  stat_add(s.nrequests, 1);
  ++s.curobjs;
  s.allocated += usize;
  s.mapped += map_bytes;
  add_live(home, static_cast<std::ptrdiff_t>(map_bytes));
  return p;
}

bool huge_lookup(const void* p, HugeInfo* out) noexcept {
  Shard& sh = table_shard(to_addr(p));
  LockGuard guard(sh.lock);
  const Slot* s = find(sh, to_addr(p));
  if (s == nullptr) return false;
  *out = HugeInfo{s->usize, s->map_bytes, s->arena};
  return true;
}

bool huge_free(void* p, std::size_t* usize) noexcept {
  Slot gone;
  {
    Shard& sh = table_shard(to_addr(p));
    LockGuard guard(sh.lock);
    Slot* s = find(sh, to_addr(p));
    if (s == nullptr) return false;
    gone = *s;
    s->key = kTomb;
  }
  if (usize != nullptr) *usize = gone.usize;
  registry_clear(p, gone.map_bytes);
  const std::int64_t decay = default_decay_ms();
  Shard& home = arena_shard(gone.arena);
  TakenRanges out, purges;
  {
    LockGuard guard(home.lock);
    HugeStats& st = arena_get(gone.arena)->huge;
    stat_add(st.ndalloc, 1);
    --st.curobjs;
    st.allocated -= gone.usize;
    st.mapped -= gone.map_bytes;
    add_live(home, -static_cast<std::ptrdiff_t>(gone.map_bytes));
    // Keep it for reuse unless memory is to go back at once; drop what has aged.
    if (decay != 0) {
      cache_put(home, p, gone.map_bytes, true, true, &out);
      cache_expire(home, decay, false, &out);
      cache_shed_dirty(home, &purges);
    } else {
      out.add(p, gone.map_bytes);
    }
  }
  out.unmap_all();
  if (purges.n != 0) {
    // Over the budget of resident cached bytes: the oldest dirty ranges give their pages
    // back and stay cached, mapped, for reuse at the cost of page faults only.
    for (unsigned i = 0; i < purges.n; ++i) os::purge(purges.r[i].addr, purges.r[i].bytes);
    {
      LockGuard guard(home.lock);
      for (unsigned i = 0; i < purges.n; ++i) cache_put(home, purges.r[i].addr, purges.r[i].bytes, false, false, &out);
    }
    out.unmap_all();
  }
  return true;
}

void* huge_resize(void* p, std::size_t size, bool may_move, const HugeInfo* known) noexcept {
  std::size_t usize, map_bytes;
  if (!size_ok(size, &usize, &map_bytes)) return nullptr;
  Shard& sh = table_shard(to_addr(p));
  Slot old;
  if (known != nullptr) {
    old = Slot{to_addr(p), known->usize, known->map_bytes, known->arena};
  } else {
    LockGuard guard(sh.lock);
    const Slot* s = find(sh, to_addr(p));
    if (s == nullptr) return nullptr;
    old = *s;
  }
  // The system calls, with no lock held (p is the caller's: no other thread may free it).
  void* result = p;
  if (map_bytes <= old.map_bytes) {
    // Fits the current mapping: release the tail that is no longer needed.
    if (usize < old.usize) os::purge(static_cast<char*>(p) + usize, old.usize - usize);
    if (map_bytes < old.map_bytes) {
      registry_clear(static_cast<char*>(p) + map_bytes, old.map_bytes - map_bytes);
      os::remap_in_place(p, old.map_bytes, map_bytes);
    }
  } else if (const os::Remap grown = os::remap_in_place(p, old.map_bytes, map_bytes); grown == os::Remap::kDone) {
    registry_set(p, map_bytes, ChunkKind::kHugeHead, ChunkKind::kHugeBody);
  } else if (!may_move || grown == os::Remap::kSeveralMappings) {
    return nullptr;  // several mappings (made from merged cached ranges): realloc copies
  } else {
    // Move the pages into a fresh chunk-aligned reservation: no copy. Its table entry is
    // made first, so that recording the new address cannot fail after the move.
    void* dest = chunk_map(map_bytes);
    if (dest == nullptr) return nullptr;
    if (!insert_slot(Slot{to_addr(dest), usize, map_bytes, old.arena})) {
      os::unmap(dest, map_bytes);
      return nullptr;
    }
    if (!os::remap_to(p, old.map_bytes, dest, map_bytes)) {
      Shard& dsh = table_shard(to_addr(dest));
      {
        LockGuard guard(dsh.lock);
        find(dsh, to_addr(dest))->key = kTomb;
      }
      return nullptr;  // dest stays reserved, or is gone: not ours to unmap (os::remap_to)
    }
    registry_clear(p, old.map_bytes);
    registry_set(dest, map_bytes, ChunkKind::kHugeHead, ChunkKind::kHugeBody);
    result = dest;
  }
  {
    LockGuard guard(sh.lock);
    Slot* s = find(sh, to_addr(p));
    if (s != nullptr && result != p) {
      s->key = kTomb;
    } else if (s != nullptr) {
      s->usize = usize;
      s->map_bytes = map_bytes;
    }
  }
  Shard& home = arena_shard(old.arena);
  LockGuard guard(home.lock);
  HugeStats& st = arena_get(old.arena)->huge;
  st.allocated += usize;
  st.allocated -= old.usize;
  st.mapped += map_bytes;
  st.mapped -= old.map_bytes;
  add_live(home, static_cast<std::ptrdiff_t>(map_bytes) - static_cast<std::ptrdiff_t>(old.map_bytes));
  stat_add(st.nrequests, 1);
  return result;
}

void huge_prefork() noexcept {
  for (Shard& sh : g_shards) sh.lock.lock();
}
void huge_postfork_parent() noexcept {
  for (Shard& sh : g_shards) sh.lock.unlock();
}
void huge_postfork_child() noexcept {
  for (Shard& sh : g_shards) sh.lock.reset_after_fork();
}

LockCounters huge_lock_counters() noexcept {
  LockCounters sum;
  for (Shard& sh : g_shards) {
    LockGuard guard(sh.lock);
    sum += sh.lock.read_locked();
  }
  return sum;
}

HugeStats huge_stats_of(const Arena* a) noexcept {
  Shard& home = arena_shard(a->index());
  LockGuard guard(home.lock);
  return a->huge;
}

std::size_t huge_list(HugeExtent* out, std::size_t cap) noexcept {
  std::size_t n = 0;
  for (Shard& sh : g_shards) {
    LockGuard guard(sh.lock);
    for (std::size_t i = 0; i < sh.cap; ++i) {
      if (sh.slots[i].key <= kTomb) continue;
      if (n < cap) out[n] = HugeExtent{to_ptr(sh.slots[i].key), sh.slots[i].usize};
      ++n;
    }
    for (unsigned i = 0; i < sh.ncached; ++i) {
      if (n < cap) out[n] = HugeExtent{sh.cache[i].addr, sh.cache[i].bytes};
      ++n;
    }
  }
  return n;
}

}  // namespace bento
