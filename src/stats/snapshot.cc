// stats/snapshot.cc: the epoch refresh. g_ctl_lock guards g_snapshot and g_scratch; each
// arena's lock is held only while its counters and chunk list are copied.
#include "stats/snapshot.h"

#include <cstring>

#include "arena/huge.h"
#include "chunk/base_alloc.h"
#include "chunk/chunk_pool.h"
#include "chunk/chunk_registry.h"
#include "frontend/init.h"
#include "frontend/malloc.h"
#include "frontend/thread_state.h"
#include "guard/guard_pool.h"
#include "platform/os.h"

namespace bento {

namespace {
constinit ProfiledMutex g_ctl_lock;
constinit Snapshot g_snapshot{};
constinit void** g_scratch = nullptr;  // chunk and huge addresses being measured
constinit std::size_t g_scratch_cap = 0;
constinit unsigned g_arena_cap = 0;  // arenas g_snapshot.arenas has room for (and the merged view)

bool grow_scratch(std::size_t want) noexcept {
  if (want <= g_scratch_cap) return true;
  std::size_t cap = g_scratch_cap == 0 ? 256 : g_scratch_cap;
  while (cap < want) cap *= 2;
  // The old block stays in the metadata pages (they are never returned); growth
  // doubles, so at most half of what the scratch ever took is idle.
  auto* fresh = static_cast<void**>(base_alloc(cap * sizeof(void*), 64));
  if (fresh == nullptr) return false;
  g_scratch = fresh;
  g_scratch_cap = cap;
  return true;
}

// Copies arena a's counters into out, under its lock.
void copy_arena(Arena* a, ArenaSnapshot& out) noexcept {
  ArenaObserverLock guard(a);
  const PageRuns& pr = a->pages();
  out.initialized = true;
  out.nthreads = a->nthreads.load(std::memory_order_relaxed);
  out.uptime = os::monotonic_ns() - a->created_ns;
  out.dirty_decay_ms = static_cast<long>(a->decay_ms.load(std::memory_order_relaxed));
  out.mapped = pr.mapped_bytes();
  out.pages = pr.stats();
  out.favourite_switches = a->favourite_switches.load(std::memory_order_relaxed);
  out.lock = a->mutex().read_locked();
  for (unsigned c = 0; c < kNumSmallClasses; ++c) out.bins[c] = a->bin_stats(c);
  for (unsigned l = 0; l < kNumLargeClasses; ++l) out.lruns[l] = a->large_stats(l);
  out.sampled_bytes = a->sampled_stats().bytes;
}

std::size_t resident_of_chunks(std::size_t n) noexcept {
  std::size_t pages = 0;
  for (std::size_t i = 0; i < n; ++i) pages += os::resident_pages(g_scratch[i], kChunkSize);
  return pages * kPageSize;
}

// Resident bytes of the chunks in the shared pool (listed into the scratch).
std::size_t resident_of_pool() noexcept {
  std::size_t n;
  while ((n = chunk_pool_list(g_scratch, g_scratch_cap)) > g_scratch_cap) {
    if (!grow_scratch(n + 16)) return 0;
  }
  return resident_of_chunks(n);
}

void add_cache_bytes(const ThreadState* ts, void* ctx) noexcept {
  auto* s = static_cast<Snapshot*>(ctx);
  if (const TCache* tc = ts->any_cache()) {
    s->tcache_bytes += tcache_cached_bytes(tc);
    s->tcache_remote_bytes += tc->remote_bytes;
  }
}

std::size_t resident_of_huge() noexcept {
  std::size_t total = huge_list(nullptr, 0);
  while (true) {
    // Two slots per object (address, size).
    if (!grow_scratch(2 * total + 2)) return 0;
    const std::size_t n = huge_list(reinterpret_cast<HugeExtent*>(g_scratch), g_scratch_cap / 2);
    if (n <= g_scratch_cap / 2) {
      total = n;
      break;
    }
    total = n;
  }
  const auto* ext = reinterpret_cast<const HugeExtent*>(g_scratch);
  std::size_t pages = 0;
  for (std::size_t i = 0; i < total; ++i) pages += os::resident_pages(ext[i].addr, ext[i].usize);
  return pages * kPageSize;
}
}  // namespace

BinStats ArenaSnapshot::small_total() const noexcept {
  BinStats t;
  for (const BinStats& b : bins) t += b;
  return t;
}

LargeStats ArenaSnapshot::large_total() const noexcept {
  LargeStats t;
  for (const LargeStats& l : lruns) t += l;
  return t;
}

std::size_t ArenaSnapshot::small_allocated() const noexcept {
  std::size_t bytes = 0;
  for (unsigned c = 0; c < kNumSmallClasses; ++c) bytes += bins[c].curregs * class_bytes(c);
  return bytes;
}

std::size_t ArenaSnapshot::large_allocated() const noexcept {
  std::size_t bytes = 0;
  for (unsigned l = 0; l < kNumLargeClasses; ++l) {
    bytes += lruns[l].curruns * class_bytes(static_cast<unsigned>(kNumSmallClasses + l));
  }
  return bytes;
}

std::uint64_t ArenaSnapshot::occupancy() const noexcept {
  return per_mille(static_cast<std::uint64_t>(pages.pactive) * kPageSize, pages.chunks * kChunkSize);
}

std::uint64_t bin_occupancy(const BinStats& b, unsigned cls) noexcept {
  return per_mille(b.curregs, static_cast<std::uint64_t>(b.curruns) * kClasses[cls].nregs);
}

void ArenaSnapshot::merge(const ArenaSnapshot& o) noexcept {
  if (!o.initialized) return;
  initialized = true;
  BENTO_ARENA_STATS(BENTO_STAT_MERGE)
  pages += o.pages;
  lock += o.lock;
  for (unsigned c = 0; c < kNumSmallClasses; ++c) bins[c] += o.bins[c];
  for (unsigned l = 0; l < kNumLargeClasses; ++l) lruns[l] += o.lruns[l];
  huge += o.huge;
}

CtlGuard::CtlGuard() noexcept { g_ctl_lock.lock(); }
CtlGuard::~CtlGuard() { g_ctl_lock.unlock(); }
Snapshot& CtlGuard::snapshot() noexcept { return g_snapshot; }

bool CtlGuard::refresh() noexcept {
  Snapshot& s = g_snapshot;
  const std::uint64_t start = os::monotonic_ns();
  // arenas.create may have added arenas since the last refresh: the old block stays in
  // the metadata pages (a manual arena is rare and never destroyed).
  if (const unsigned n = narenas(); s.arenas == nullptr || n > g_arena_cap) {
    auto* mem = static_cast<ArenaSnapshot*>(base_alloc((n + 1) * sizeof(ArenaSnapshot), 64));
    if (mem == nullptr) return false;
    s.arenas = mem;
    g_arena_cap = n;
  }
  s.narenas = narenas() < g_arena_cap ? narenas() : g_arena_cap;
  // The calling thread's cache counters go in first (others' are merged when their
  // caches refill or flush).
  if (ThreadState* ts = tls_state; ts != nullptr && ts->tcache != nullptr) {
    tcache_merge_stats(ts->tcache, ts->choice);
  }
  ArenaSnapshot& all = s.merged();
  std::memset(static_cast<void*>(&all), 0, sizeof(all));
  unsigned ninit = 0;
  unsigned decay_agree = 0;  // initialised arenas whose decay time is the first initialised one's
  long first_decay = 0;
  for (unsigned i = 0; i < s.narenas; ++i) {
    ArenaSnapshot& as = s.arenas[i];
    std::memset(static_cast<void*>(&as), 0, sizeof(as));
    Arena* a = arena_get(i);
    if (a == nullptr) continue;
    copy_arena(a, as);
    as.huge = huge_stats_of(a);
    // jemalloc's resident: every page that may be resident (active, dirty, headers).
    as.resident = (as.pages.pactive + as.pages.pdirty + as.pages.chunks * kHeaderPages) * kPageSize + as.huge.mapped;
    if (ninit++ == 0) first_decay = as.dirty_decay_ms;
    if (as.dirty_decay_ms == first_decay) ++decay_agree;
    all.merge(as);
  }
  // The merged view's decay time: the one every arena has, else the one new arenas get.
  all.dirty_decay_ms = ninit != 0 && decay_agree == ninit ? first_decay : static_cast<long>(default_decay_ms());
  // Wholly free chunks between arenas: their dirty pages count with the arenas' own.
  const ChunkPoolStats pool = chunk_pool_stats();
  all.pages.pdirty += pool.dirty;
  s.pool = pool;
  const BaseStats base = base_stats();
  // The registry's touched pages (mincore over one fixed range: its cost does not grow
  // with the heap).
  const std::size_t registry = os::resident_pages(g_chunk_kinds, kRegistryEntries) * kPageSize;

  s.allocated = all.allocated();
  s.active = all.pages.pactive * kPageSize + all.huge.allocated;
  s.metadata = base.mapped + (all.pages.chunks + pool.chunks) * kHeaderPages * kPageSize + registry;
  const std::size_t huge_cached = huge_cached_bytes();
  s.huge_cached = huge_cached;
  s.huge_cached_dirty = huge_cached_dirty_bytes();
  s.tcache_bytes = s.tcache_remote_bytes = 0;
  for_each_thread(add_cache_bytes, &s);
  s.remote_queued_bytes = 0;
  for (unsigned i = 0, n = narenas(); i < n; ++i) {
    if (Arena* a = arena_get(i)) s.remote_queued_bytes += a->remote().bytes();
  }
  const std::size_t pool_mapped = pool.chunks * kChunkSize;
  s.mapped = all.mapped + pool_mapped + all.huge.mapped + huge_cached + base.mapped + registry;
  s.retained = all.retained();
  s.resident_mincore = 0;  // measure_residency, when asked
  // jemalloc's bound (>= active): the arenas' pages as above, the pool's dirty pages,
  // cached huge mappings not purged and the metadata (the pool's headers are in it).
  s.resident = all.resident + pool.dirty * kPageSize + s.huge_cached_dirty + s.metadata -
               all.pages.chunks * kHeaderPages * kPageSize;
  // The guard pool: its objects are no arena's.
  const GuardStats guard = guard_stats();
  s.guarded = guard.live_bytes;
  s.guarded_allocs = guard.allocs;
  s.guard_pool_full = guard.full;
  s.allocated += guard.live_bytes;
  s.active += guard.live_pages * kPageSize;
  s.resident += guard.live_pages * kPageSize;
  s.mapped += guard.mapped;
  s.zero_reallocs = zero_realloc_count();
  s.live_threads = live_threads();
  s.global_locks[kLockCtl] = g_ctl_lock.read_locked();
  s.global_locks[kLockArenas] = arenas_lock_counters();
  s.global_locks[kLockHuge] = huge_lock_counters();
  s.global_locks[kLockChunkPool] = chunk_pool_lock_counters();
  s.global_locks[kLockThreads] = threads_lock_counters();
  s.global_locks[kLockBase] = base_lock_counters();
  ++s.epoch;
  s.refresh_ns = os::monotonic_ns() - start;
  return true;
}

bool CtlGuard::measure_residency() noexcept {
  Snapshot& s = g_snapshot;
  if (s.epoch == 0 && !refresh()) return false;
  if (s.residency_epoch == s.epoch) return true;
  const std::uint64_t start = os::monotonic_ns();
  std::size_t arenas_resident = 0;
  for (unsigned i = 0; i < s.narenas; ++i) {
    Arena* a = arena_get(i);
    if (a == nullptr) continue;
    std::size_t n;
    while ((n = a->list_chunks(g_scratch, g_scratch_cap)) > g_scratch_cap) {
      if (!grow_scratch(n + 16)) return false;
    }
    s.arenas[i].resident_mincore = resident_of_chunks(n);  // outside the arena's lock
    arenas_resident += s.arenas[i].resident_mincore;
  }
  s.merged().resident_mincore = arenas_resident;
  const std::size_t registry = os::resident_pages(g_chunk_kinds, kRegistryEntries) * kPageSize;
  s.resident_mincore = arenas_resident + resident_of_pool() + resident_of_huge() + base_resident_bytes() + registry;
  s.residency_epoch = s.epoch;
  ++s.residency_walks;
  s.residency_ns = os::monotonic_ns() - start;
  return true;
}

void ctl_prefork() noexcept { g_ctl_lock.lock(); }
void ctl_postfork_parent() noexcept { g_ctl_lock.unlock(); }
void ctl_postfork_child() noexcept { g_ctl_lock.reset_after_fork(); }

// The ctl lock is taken before any arena lock (a refresh holds it while it visits them),
// so fork takes it first.
__attribute__((constructor)) void bento_stats_fork_hooks() {
  add_fork_hooks(ctl_prefork, ctl_postfork_parent, ctl_postfork_child);
}

}  // namespace bento
