// mallctl/nodes.cc: THE namespace, one constant table (no dynamic initialisation: mallctl
// may be called before any constructor of ours runs). Leaves carry their type, access and
// the one-line doc that doc/mallctl.md is generated from. Rows come from the option table
// (opt.*) and the stat tables (stats/stat_fields.h) wherever they can.
#include "mallctl/handlers.h"
#include "mallctl/nodes.h"
#include "stats/stat_fields.h"

namespace bento {

namespace {

constexpr std::uint8_t R = kCtlRead, RW = kCtlReadWrite, V = kCtlNone;
constexpr CtlNode leaf(const char* name, CtlType t, std::uint8_t access, CtlHandler h, const char* doc) {
  return ctl_leaf_node(name, t, access, h, doc);
}

// ---- readers over one arena's snapshot ----
namespace sa {
unsigned nthreads(const ArenaSnapshot& s) { return s.nthreads; }
std::uint64_t uptime(const ArenaSnapshot& s) { return s.uptime_ns; }
long dirty_decay_ms(const ArenaSnapshot& s) { return static_cast<long>(s.dirty_decay_ms); }
std::size_t chunks(const ArenaSnapshot& s) { return s.chunks; }
std::size_t mapped(const ArenaSnapshot& s) { return s.mapped; }
std::size_t retained(const ArenaSnapshot& s) { return s.retained; }
std::size_t resident(const ArenaSnapshot& s) { return s.resident; }
std::size_t pactive(const ArenaSnapshot& s) { return s.pactive; }
std::size_t pdirty(const ArenaSnapshot& s) { return s.pdirty; }
std::size_t pmuzzy(const ArenaSnapshot&) { return 0; }
std::size_t allocated(const ArenaSnapshot& s) { return s.allocated(); }
std::uint64_t occupancy(const ArenaSnapshot& s) { return s.occupancy(); }
std::uint64_t npurge(const ArenaSnapshot& s) { return s.npurge; }
std::uint64_t nmadvise(const ArenaSnapshot& s) { return s.nmadvise; }
std::uint64_t purged(const ArenaSnapshot& s) { return s.purged; }
std::size_t small_allocated(const ArenaSnapshot& s) { return s.small_allocated(); }
std::size_t large_allocated(const ArenaSnapshot& s) { return s.large_allocated(); }
#define BENTO_SUM(f)                                                                      \
  std::uint64_t small_##f(const ArenaSnapshot& s) { return s.small_total().f; }          \
  std::uint64_t large_##f(const ArenaSnapshot& s) { return s.large_total().f; }
BENTO_SUM(nmalloc)
BENTO_SUM(ndalloc)
BENTO_SUM(nrequests)
BENTO_SUM(nfills)
BENTO_SUM(nflushes)
#undef BENTO_SUM
std::size_t huge_allocated(const ArenaSnapshot& s) { return s.huge.allocated; }
std::size_t huge_mapped(const ArenaSnapshot& s) { return s.huge.mapped; }
std::size_t huge_cur(const ArenaSnapshot& s) { return s.huge.cur; }
std::uint64_t huge_nmalloc(const ArenaSnapshot& s) { return s.huge.nmalloc; }
std::uint64_t huge_ndalloc(const ArenaSnapshot& s) { return s.huge.ndalloc; }
std::uint64_t huge_nrequests(const ArenaSnapshot& s) { return s.huge.nrequests; }
std::uint64_t lock_ops(const ArenaSnapshot& s) { return s.lock.lock_ops; }
std::uint64_t trylock_failures(const ArenaSnapshot& s) { return s.lock.trylock_failures; }
std::uint64_t favourite_switches(const ArenaSnapshot& s) { return s.favourite_switches; }
std::uint64_t blocking_waits(const ArenaSnapshot& s) { return s.lock.blocking_waits; }
std::uint64_t wait_ns(const ArenaSnapshot& s) { return s.lock.wait_ns; }
std::uint64_t max_wait_ns(const ArenaSnapshot& s) { return s.lock.max_wait_ns; }
std::uint32_t max_waiters(const ArenaSnapshot& s) { return s.lock.max_waiters; }
#define X(name, type, doc, expr)                                                          \
  ctl_ctype_t<CtlType::k##type> mutex_##name(const LockCounters& c) { return expr; }      \
  ctl_ctype_t<CtlType::k##type> arena_mutex_##name(const ArenaSnapshot& s) { return mutex_##name(s.lock); }
BENTO_MUTEX_STATS(X)
#undef X
}  // namespace sa

// ---- config.*, opt.* ----
constexpr CtlNode kConfig[] = {
    leaf("debug", CtlType::kBool, R, ctl_config_debug, "built with assertions (meson -Ddebug_level > 0)"),
    leaf("malloc_conf", CtlType::kString, R, ctl_config_malloc_conf, "the built-in conf string (meson -Ddefault_conf)"),
    leaf("stats", CtlType::kBool, R, ctl_config_stats, "built with statistics (meson -Dstats)"),
};
constexpr CtlNode kOpt[] = {
#define BENTO_OPT(name, kind, def, min, max, doc) \
  leaf(#name, ctl_opt_type(OptKind::kind), R, ctl_opt<offsetof(Options, name), OptKind::kind>, doc),
#include "config/options.def"
#undef BENTO_OPT
};

// ---- thread.* ----
constexpr CtlNode kThreadTcache[] = {
    leaf("enabled", CtlType::kBool, RW, ctl_thread_tcache_enabled, "this thread's cache on or off (off flushes it); returns the old value"),
    leaf("flush", CtlType::kVoid, V, ctl_thread_tcache_flush, "flush this thread's cache to the arenas"),
};
constexpr CtlNode kThread[] = {
    leaf("allocated", CtlType::kUint64, R, ctl_thread_allocated, "bytes this thread has allocated, ever"),
    leaf("allocatedp", CtlType::kPointer, R, ctl_thread_allocatedp, "uint64_t* to a counter of bytes allocated, current to within the cache's last refill"),
    leaf("arena", CtlType::kUnsigned, RW, ctl_thread_arena, "this thread's favourite arena; a write moves it (EFAULT if out of range); returns the old value"),
    leaf("deallocated", CtlType::kUint64, R, ctl_thread_deallocated, "bytes this thread has freed, ever"),
    leaf("deallocatedp", CtlType::kPointer, R, ctl_thread_deallocatedp, "uint64_t* to a counter of bytes freed, like allocatedp"),
    ctl_named("tcache", kThreadTcache),
};

// ---- arena.<i>.*, arenas.* ----
constexpr CtlNode kArenaI[] = {
    leaf("decay", CtlType::kVoid, V, ctl_arena_decay, "purge the dirty pages whose decay time is up"),
    leaf("dirty_decay_ms", CtlType::kSsize, RW, ctl_arena_dirty_decay_ms, "decay time of this arena; a write >= 0 purges what is dirty now (index 4096: write only)"),
    leaf("initialized", CtlType::kBool, R, ctl_arena_initialized, "the arena has been created"),
    leaf("purge", CtlType::kVoid, V, ctl_arena_purge, "purge every dirty page now (and empty current runs)"),
};
constexpr CtlNode kArenaIndexed = ctl_named("<i>", kArenaI);
constexpr CtlNode kBinJ[] = {
    leaf("nregs", CtlType::kUint32, R, ctl_arenas_bin_nregs, "regions per run"),
    leaf("run_size", CtlType::kSize, R, ctl_arenas_bin_run_size, "bytes per run"),
    leaf("size", CtlType::kSize, R, ctl_arenas_bin_size, "bytes per region (the class size)"),
};
constexpr CtlNode kBinIndexed = ctl_named("<j>", kBinJ);
constexpr CtlNode kLrunJ[] = {
    leaf("size", CtlType::kSize, R, ctl_arenas_lrun_size, "bytes of the large class"),
};
constexpr CtlNode kLrunIndexed = ctl_named("<j>", kLrunJ);
constexpr CtlNode kArenas[] = {
    ctl_indexed("bin", &kBinIndexed, ctl_bin_index_ok),
    leaf("chunk_size", CtlType::kSize, R, ctl_constant<kChunkSize>, "bytes per chunk (2 MiB)"),
    leaf("dirty_decay_ms", CtlType::kSsize, RW, ctl_arenas_dirty_decay_ms, "decay time given to arenas created from now on"),
    leaf("lookup", CtlType::kUnsigned, RW, ctl_arenas_lookup, "write a pointer (void*), read the index of the arena that owns it"),
    ctl_indexed("lrun", &kLrunIndexed, ctl_lrun_index_ok),
    leaf("narenas", CtlType::kUnsigned, R, ctl_arenas_narenas, "number of arenas"),
    leaf("nbins", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumSmallClasses)>, "number of small size classes"),
    leaf("nhbins", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumLookupClasses)>, "number of classes a thread cache can hold"),
    leaf("nlruns", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumLargeClasses)>, "number of large size classes"),
    leaf("page", CtlType::kSize, R, ctl_constant<kPageSize>, "page size"),
    leaf("quantum", CtlType::kSize, R, ctl_constant<kQuantum>, "size-class quantum (and minimum alignment)"),
    leaf("tcache_max", CtlType::kSize, R, ctl_arenas_tcache_max, "largest size class the thread caches hold (opt.tcache_max, or 0 when caches are off)"),
};

// ---- stats.* ----
constexpr CtlNode kStatsBinJ[] = {
#define X(field, type, doc) leaf(#field, CtlType::k##type, R, ctl_stats_bin<&BinStats::field>, doc),
    BENTO_BIN_STATS(X)
#undef X
    leaf("occupancy", CtlType::kUint64, R, ctl_stats_bin_occupancy, "curregs / (curruns x regions per run), per mille"),
};
constexpr CtlNode kStatsBinIndexed = ctl_named("<j>", kStatsBinJ);
constexpr CtlNode kStatsLrunJ[] = {
#define X(field, type, doc) leaf(#field, CtlType::k##type, R, ctl_stats_lrun<&LargeStats::field>, doc),
    BENTO_LARGE_STATS(X)
#undef X
};
constexpr CtlNode kStatsLrunIndexed = ctl_named("<j>", kStatsLrunJ);
#define BENTO_KIND_NODES(kind, what)                                                                         \
  leaf("allocated", CtlType::kSize, R, ctl_stats_arena<sa::kind##_allocated>, "bytes of " what " objects allocated now"), \
  leaf("nfills", CtlType::kUint64, R, ctl_stats_arena<sa::kind##_nfills>, "thread-cache refills"),                \
  leaf("nflushes", CtlType::kUint64, R, ctl_stats_arena<sa::kind##_nflushes>, "thread-cache flushes"),            \
  leaf("nmalloc", CtlType::kUint64, R, ctl_stats_arena<sa::kind##_nmalloc>, what " objects handed out by the arena"), \
  leaf("ndalloc", CtlType::kUint64, R, ctl_stats_arena<sa::kind##_ndalloc>, what " objects returned to the arena"), \
  leaf("nrequests", CtlType::kUint64, R, ctl_stats_arena<sa::kind##_nrequests>, what " requests served, cache hits included")
constexpr CtlNode kStatsSmall[] = {BENTO_KIND_NODES(small, "small")};
constexpr CtlNode kStatsLarge[] = {BENTO_KIND_NODES(large, "large")};
#undef BENTO_KIND_NODES
constexpr CtlNode kStatsHuge[] = {
    leaf("allocated", CtlType::kSize, R, ctl_stats_arena<sa::huge_allocated>, "bytes of huge objects allocated now (usable size)"),
    leaf("curobjs", CtlType::kSize, R, ctl_stats_arena<sa::huge_cur>, "huge objects allocated now"),
    leaf("mapped", CtlType::kSize, R, ctl_stats_arena<sa::huge_mapped>, "bytes mapped for huge objects (chunk multiples)"),
    leaf("nmalloc", CtlType::kUint64, R, ctl_stats_arena<sa::huge_nmalloc>, "huge objects mapped"),
    leaf("ndalloc", CtlType::kUint64, R, ctl_stats_arena<sa::huge_ndalloc>, "huge objects unmapped"),
    leaf("nrequests", CtlType::kUint64, R, ctl_stats_arena<sa::huge_nrequests>, "huge requests, resizes included"),
};
constexpr CtlNode kStatsContention[] = {
#define X(field, type, doc) leaf(#field, CtlType::k##type, R, ctl_stats_arena<sa::field>, doc),
    BENTO_CONTENTION_STATS(X)
#undef X
};
constexpr CtlNode kArenaMutexFields[] = {
#define X(name, type, doc, expr) leaf(#name, CtlType::k##type, R, ctl_stats_arena<sa::arena_mutex_##name>, doc),
    BENTO_MUTEX_STATS(X)
#undef X
};
constexpr CtlNode kStatsArenaMutexes[] = {ctl_named("arena", kArenaMutexFields)};
constexpr CtlNode kStatsArenaI[] = {
    leaf("allocated", CtlType::kSize, R, ctl_stats_arena<sa::allocated>, "bytes of objects allocated now (small + large + huge)"),
    ctl_indexed("bins", &kStatsBinIndexed, ctl_bin_index_ok),
    leaf("chunks", CtlType::kSize, R, ctl_stats_arena<sa::chunks>, "chunks the arena has mapped"),
    ctl_named("contention", kStatsContention),
    leaf("dirty_decay_ms", CtlType::kSsize, R, ctl_stats_arena<sa::dirty_decay_ms>, "the arena's decay time"),
    ctl_named("huge", kStatsHuge),
    ctl_named("large", kStatsLarge),
    ctl_indexed("lruns", &kStatsLrunIndexed, ctl_lrun_index_ok),
    leaf("mapped", CtlType::kSize, R, ctl_stats_arena<sa::mapped>, "bytes of the arena's chunks that are mapped (retained ones excluded)"),
    ctl_named("mutexes", kStatsArenaMutexes),
    leaf("nmadvise", CtlType::kUint64, R, ctl_stats_arena<sa::nmadvise>, "madvise calls made to purge"),
    leaf("npurge", CtlType::kUint64, R, ctl_stats_arena<sa::npurge>, "purge sweeps that released memory"),
    leaf("nthreads", CtlType::kUnsigned, R, ctl_stats_arena<sa::nthreads>, "threads whose favourite arena this is"),
    leaf("occupancy", CtlType::kUint64, R, ctl_stats_arena<sa::occupancy>, "active bytes / chunk bytes, per mille"),
    leaf("pactive", CtlType::kSize, R, ctl_stats_arena<sa::pactive>, "pages in allocated runs"),
    leaf("pdirty", CtlType::kSize, R, ctl_stats_arena<sa::pdirty>, "dirty pages in free runs, waiting to be purged"),
    leaf("pmuzzy", CtlType::kSize, R, ctl_stats_arena<sa::pmuzzy>, "always 0: bento purges with MADV_DONTNEED, so pages are never muzzy"),
    leaf("purged", CtlType::kUint64, R, ctl_stats_arena<sa::purged>, "pages purged, ever"),
    leaf("resident", CtlType::kSize, R, ctl_stats_arena<sa::resident>, "bytes of the arena's chunks resident in memory (mincore)"),
    leaf("retained", CtlType::kSize, R, ctl_stats_arena<sa::retained>, "bytes of wholly free chunks kept mapped but purged (retain)"),
    ctl_named("small", kStatsSmall),
    leaf("uptime", CtlType::kUint64, R, ctl_stats_arena<sa::uptime>, "nanoseconds since the arena was created"),
};
constexpr CtlNode kStatsArenaIndexed = ctl_named("<i>", kStatsArenaI);
#define X(name, type, doc, expr) leaf(#name, CtlType::k##type, R, ctl_stats_global_mutex<LOCK_INDEX, sa::mutex_##name>, doc),
#define LOCK_INDEX kLockCtl
constexpr CtlNode kMutexCtl[] = {BENTO_MUTEX_STATS(X)};
#undef LOCK_INDEX
#define LOCK_INDEX kLockArenas
constexpr CtlNode kMutexArenas[] = {BENTO_MUTEX_STATS(X)};
#undef LOCK_INDEX
#define LOCK_INDEX kLockHuge
constexpr CtlNode kMutexHuge[] = {BENTO_MUTEX_STATS(X)};
#undef LOCK_INDEX
#define LOCK_INDEX kLockChunkPool
constexpr CtlNode kMutexChunkPool[] = {BENTO_MUTEX_STATS(X)};
#undef LOCK_INDEX
#define LOCK_INDEX kLockThreads
constexpr CtlNode kMutexThreads[] = {BENTO_MUTEX_STATS(X)};
#undef LOCK_INDEX
#define LOCK_INDEX kLockBase
constexpr CtlNode kMutexBase[] = {BENTO_MUTEX_STATS(X)};
#undef LOCK_INDEX
#undef X
constexpr CtlNode kStatsMutexes[] = {
    ctl_named("arenas", kMutexArenas), ctl_named("base", kMutexBase), ctl_named("chunk_pool", kMutexChunkPool),
    ctl_named("ctl", kMutexCtl),
    ctl_named("huge", kMutexHuge),     ctl_named("threads", kMutexThreads),
};
constexpr CtlNode kStatsChunkPool[] = {
    leaf("chunks", CtlType::kSize, R, ctl_stats_pool<&ChunkPoolStats::chunks>, "wholly free chunks in the shared pool, between arenas"),
    leaf("dirty", CtlType::kSize, R, ctl_stats_pool<&ChunkPoolStats::dirty_pages>, "dirty pages of the pooled chunks (counted in stats.arenas.4096.pdirty too)"),
    leaf("nput", CtlType::kUint64, R, ctl_stats_pool<&ChunkPoolStats::nput>, "chunks arenas gave to the pool when they became wholly free"),
    leaf("nreleased", CtlType::kUint64, R, ctl_stats_pool<&ChunkPoolStats::nreleased>, "pooled chunks unmapped (or purged, with retain) after the decay time"),
    leaf("ntaken", CtlType::kUint64, R, ctl_stats_pool<&ChunkPoolStats::ntaken>, "pooled chunks taken by an arena instead of mapping a new one"),
};
constexpr CtlNode kStats[] = {
    leaf("active", CtlType::kSize, R, ctl_stats_global<&Snapshot::active>, "bytes of pages backing allocations (runs and huge objects)"),
    leaf("allocated", CtlType::kSize, R, ctl_stats_global<&Snapshot::allocated>, "bytes allocated by the program (objects in thread caches included)"),
    ctl_indexed("arenas", &kStatsArenaIndexed, ctl_stats_arena_index_ok),
    ctl_named("chunk_pool", kStatsChunkPool),
    leaf("huge_cached", CtlType::kSize, R, ctl_stats_global<&Snapshot::huge_cached>, "bytes of freed huge mappings kept for reuse (until the decay time)"),
    leaf("mapped", CtlType::kSize, R, ctl_stats_global<&Snapshot::mapped>, "bytes bento has mapped: chunks, huge objects, metadata"),
    leaf("metadata", CtlType::kSize, R, ctl_stats_global<&Snapshot::metadata>, "bytes of metadata: thread states, arenas, chunk headers, registry pages"),
    ctl_named("mutexes", kStatsMutexes),
    leaf("refresh_ns", CtlType::kUint64, R, ctl_stats_global<&Snapshot::refresh_ns>, "nanoseconds the last epoch refresh took"),
    leaf("resident", CtlType::kSize, R, ctl_stats_global<&Snapshot::resident>, "bytes of bento's mappings resident in memory (mincore, page-exact)"),
    leaf("retained", CtlType::kSize, R, ctl_stats_global<&Snapshot::retained>, "bytes kept mapped but purged (retain:true)"),
    leaf("tcache_bytes", CtlType::kSize, R, ctl_stats_global<&Snapshot::tcache_bytes>, "bytes of objects held in thread caches (all threads; read without stopping them)"),
    leaf("tcache_remote_bytes", CtlType::kSize, R, ctl_stats_global<&Snapshot::remote_bytes>, "bytes of other arenas' objects waiting in thread caches' remote batches"),
};

// ---- prof.* ----
constexpr std::uint8_t W = kCtlWrite;
constexpr CtlNode kProf[] = {
    leaf("active", CtlType::kBool, RW, ctl_prof_active, "sampling on or off now (EFAULT when opt.prof is false); returns the old value"),
    leaf("dump", CtlType::kString, W, ctl_prof_dump, "write the live set as a gzipped pprof profile to the path given (const char*), or with no value to <opt.prof_prefix>.<pid>.<seq>.m.heap.pb.gz"),
    leaf("dump_peak", CtlType::kString, W, ctl_prof_dump_peak, "as prof.dump, the live set at the highest sampled mark so far (within 1/32); default name ends .p.heap.pb.gz"),
    leaf("lg_sample", CtlType::kSize, R, ctl_prof_lg_sample, "mean sampling interval in force, as log2 of requested bytes"),
    leaf("live_bytes", CtlType::kSize, R, ctl_prof_live_bytes, "bytes the live samples stand for (the sampled estimate of the heap)"),
    leaf("nlive", CtlType::kUint64, R, ctl_prof_nlive, "sampled objects not yet freed"),
    leaf("nsamples", CtlType::kUint64, R, ctl_prof_nsamples, "samples taken since start-up or prof.reset"),
    leaf("nsites", CtlType::kUint64, R, ctl_prof_nsites, "distinct call stacks (and size classes) sampled"),
    leaf("peak_bytes", CtlType::kSize, R, ctl_prof_peak_bytes, "highest live_bytes so far (since start-up or prof.reset)"),
    leaf("reset", CtlType::kSize, W, ctl_prof_reset, "start the allocation counts and the peak again (live samples stay); a value (size_t) also sets lg_sample"),
};

// ---- the root ----
constexpr CtlNode kRoot[] = {
    ctl_indexed("arena", &kArenaIndexed, ctl_arena_index_ok),
    ctl_named("arenas", kArenas),
    ctl_named("config", kConfig),
    leaf("epoch", CtlType::kUint64, RW, ctl_epoch, "write anything to refresh the stats.* snapshot; read the refresh count"),
    ctl_named("opt", kOpt),
    ctl_named("prof", kProf),
    ctl_named("stats", kStats),
    ctl_named("thread", kThread),
    leaf("version", CtlType::kString, R, ctl_version, "bento's version"),
};

}  // namespace

constexpr CtlNode kCtlRoot = ctl_named("", kRoot);

}  // namespace bento
