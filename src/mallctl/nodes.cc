// mallctl/nodes.cc: THE namespace, one constant table (no dynamic initialisation: mallctl
// may be called before any constructor of ours runs). Leaves carry their type, access and
// the one-line doc that doc/mallctl.md is generated from. Rows come from the option table
// (opt.*) and the stat table (config/stat_fields.h: a leaf's type is its row's type
// column) wherever they can. jemalloc 5's names sit beside ours; their docs say which of
// ours they are ("jemalloc 5: ..."), and doc/mallctl.md lists them.
#include "config/stat_fields.h"
#include "mallctl/handlers.h"
#include "mallctl/nodes.h"

namespace bento {

namespace {

constexpr std::uint8_t R = kCtlRead, RW = kCtlReadWrite, V = kCtlNone;
constexpr CtlNode leaf(const char* name, CtlType t, std::uint8_t access, CtlHandler h, const char* doc) {
  return ctl_leaf_node(name, t, access, h, doc);
}

// ---- readers over one arena's snapshot: what the tables do not hold ----
namespace sa {
std::size_t retained(const ArenaSnapshot& s) { return s.retained(); }
std::size_t allocated(const ArenaSnapshot& s) { return s.allocated(); }
std::uint64_t occupancy(const ArenaSnapshot& s) { return s.occupancy(); }
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
#define X(name, type, kind, unit, doc, expr)                                              \
  stat_types::type lock_##name(const LockCounters& c) { return expr; }                     \
  stat_types::type arena_lock_##name(const ArenaSnapshot& s) { return lock_##name(s.lock); }
BENTO_MUTEX_STATS(X)
BENTO_CONTENTION_STATS(X)
#undef X
}  // namespace sa

// ---- config.*, opt.* ----
// Constant strings some jemalloc 5 names answer with.
constexpr char kDisabled[] = "disabled";

constexpr CtlNode kConfig[] = {
    leaf("cache_oblivious", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false, bento does not offset large objects by a random cache line"),
    leaf("debug", CtlType::kBool, R, ctl_config_debug, "built with assertions (meson -Ddebug_level > 0)"),
    leaf("fill", CtlType::kBool, R, ctl_constant<true>, "jemalloc 5: true, opt.junk and opt.zero are available"),
    leaf("lazy_lock", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false"),
    leaf("malloc_conf", CtlType::kString, R, ctl_config_malloc_conf, "the built-in conf string (meson -Ddefault_conf)"),
    leaf("opt_safety_checks", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false (bento's checks on free are always on: doc/reliability.md)"),
    leaf("prof", CtlType::kBool, R, ctl_constant<true>, "jemalloc 5: true, heap profiling is built in"),
    leaf("prof_libgcc", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false, bento unwinds with frame pointers and its own unwinder"),
    leaf("prof_libunwind", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false"),
    leaf("stats", CtlType::kBool, R, ctl_config_stats, "built with statistics (meson -Dstats); false: stats.* answers ENOENT"),
    leaf("utrace", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false"),
    leaf("xmalloc", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false"),
};
int ctl_opt_jemalloc(const CtlArgs& a) noexcept;
// jemalloc's option names bento ignores, answered as jemalloc would describe bento
// (config/jemalloc_options.def: the rows whose `reads` is not None).
#define BENTO_JE_LEAF_None(name, doc)
#define BENTO_JE_LEAF_Bool(name, doc) leaf(name, CtlType::kBool, R, ctl_opt_jemalloc, doc),
#define BENTO_JE_LEAF_Size(name, doc) leaf(name, CtlType::kSize, R, ctl_opt_jemalloc, doc),
#define BENTO_JE_LEAF_Ssize(name, doc) leaf(name, CtlType::kSsize, R, ctl_opt_jemalloc, doc),
#define BENTO_JE_LEAF_String(name, doc) leaf(name, CtlType::kString, R, ctl_opt_jemalloc, doc),
constexpr CtlNode kOpt[] = {
#define BENTO_OPT(name, kind, def, min, max, doc) \
  leaf(#name, ctl_opt_type(OptKind::kind), R, ctl_opt<offsetof(Options, name), OptKind::kind>, doc),
#include "config/options.def"
#undef BENTO_OPT
#define JEMALLOC_OPT(name, action, target, reads, value, doc) BENTO_JE_LEAF_##reads(name, "jemalloc 5, ignored: " doc)
#include "config/jemalloc_options.def"
#undef JEMALLOC_OPT
    leaf("background_thread", CtlType::kBool, R, ctl_opt_background_thread, "jemalloc 5: background_purge or daemon (the helper thread runs from start-up)"),
};

#undef BENTO_JE_LEAF_None
#undef BENTO_JE_LEAF_Bool
#undef BENTO_JE_LEAF_Size
#undef BENTO_JE_LEAF_Ssize
#undef BENTO_JE_LEAF_String
int ctl_opt_jemalloc(const CtlArgs& a) noexcept { return ctl_jemalloc_answer(a, kOpt[a.mib[1]].name); }

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
    leaf("idle", CtlType::kVoid, V, ctl_thread_tcache_flush, "jemalloc 5: the thread is going idle; bento flushes its cache"),
    ctl_named("tcache", kThreadTcache),
};

// ---- arena.<i>.*, arenas.* ----
constexpr CtlNode kArenaI[] = {
    leaf("decay", CtlType::kVoid, V, ctl_arena_decay, "purge the dirty pages whose decay time is up"),
    leaf("dirty_decay_ms", CtlType::kSsize, RW, ctl_arena_dirty_decay_ms, "decay time of this arena; a write >= 0 purges what is dirty now (index 4096: write only)"),
    leaf("dss", CtlType::kString, R, ctl_constant<static_cast<const char*>(kDisabled)>, "jemalloc 5: \"disabled\", bento never uses sbrk"),
    leaf("initialized", CtlType::kBool, R, ctl_arena_initialized, "the arena has been created"),
    leaf("muzzy_decay_ms", CtlType::kSsize, RW, ctl_muzzy_decay_ms, "jemalloc 5: 0, bento has no muzzy stage (a write of anything else is EFAULT)"),
    leaf("purge", CtlType::kVoid, V, ctl_arena_purge, "purge every dirty page now (and empty current runs); the calling thread's cache is flushed first, as malloc_trim does"),
};
constexpr CtlNode kArenaIndexed = ctl_named("<i>", kArenaI);
constexpr CtlNode kBinJ[] = {
    leaf("nregs", CtlType::kUint32, R, ctl_arenas_bin_nregs, "regions per run"),
    leaf("nshards", CtlType::kUint32, R, ctl_constant<std::uint32_t{1}>, "jemalloc 5: 1, bento's bins are not sharded"),
    leaf("run_size", CtlType::kSize, R, ctl_arenas_bin_run_size, "bytes per run"),
    leaf("size", CtlType::kSize, R, ctl_arenas_bin_size, "bytes per region (the class size)"),
    leaf("slab_size", CtlType::kSize, R, ctl_arenas_bin_run_size, "jemalloc 5: run_size"),
};
constexpr CtlNode kBinIndexed = ctl_named("<j>", kBinJ);
constexpr CtlNode kLrunJ[] = {
    leaf("size", CtlType::kSize, R, ctl_arenas_lrun_size, "bytes of the large class"),
};
constexpr CtlNode kLrunIndexed = ctl_named("<j>", kLrunJ);
constexpr CtlNode kArenas[] = {
    ctl_indexed("bin", &kBinIndexed, ctl_bin_index_ok),
    leaf("chunk_size", CtlType::kSize, R, ctl_constant<kChunkSize>, "bytes per chunk (2 MiB)"),
    leaf("create", CtlType::kUnsigned, R, ctl_arenas_create, "make a new arena and read its index; no thread uses it until moved there with thread.arena, and one moved there stays (EAGAIN when 4095 exist)"),
    leaf("dirty_decay_ms", CtlType::kSsize, RW, ctl_arenas_dirty_decay_ms, "decay time given to arenas created from now on"),
    leaf("muzzy_decay_ms", CtlType::kSsize, RW, ctl_muzzy_decay_ms, "jemalloc 5: 0, bento has no muzzy stage (a write of anything else is EFAULT)"),
    leaf("lookup", CtlType::kUnsigned, RW, ctl_arenas_lookup, "write a pointer (void*), read the index of the arena that owns it"),
    ctl_indexed("lextent", &kLrunIndexed, ctl_lrun_index_ok),
    ctl_indexed("lrun", &kLrunIndexed, ctl_lrun_index_ok),
    leaf("narenas", CtlType::kUnsigned, R, ctl_arenas_narenas, "number of arenas"),
    leaf("nbins", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumSmallClasses)>, "number of small size classes"),
    leaf("nlextents", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumLargeClasses)>, "jemalloc 5: nlruns (arenas.lextent.<j>.size is arenas.lrun.<j>.size)"),
    leaf("nhbins", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumLookupClasses)>, "number of classes a thread cache can hold"),
    leaf("nlruns", CtlType::kUnsigned, R, ctl_constant<static_cast<unsigned>(kNumLargeClasses)>, "number of large size classes"),
    leaf("page", CtlType::kSize, R, ctl_constant<kPageSize>, "page size"),
    leaf("quantum", CtlType::kSize, R, ctl_constant<kQuantum>, "size-class quantum (and minimum alignment)"),
    leaf("tcache_max", CtlType::kSize, R, ctl_arenas_tcache_max, "largest size class the thread caches hold (opt.tcache_max, or 0 when caches are off)"),
};

// ---- stats.* ----
#define BENTO_LEAF_BIN(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_bin<&BinStats::name>, doc),
#define BENTO_LEAF_LRUN(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_lrun<&LargeStats::name>, doc),
#define BENTO_LEAF_ARENA(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_arena_member<&ArenaSnapshot::name>, doc),
#define BENTO_LEAF_PAGES(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_arena_part<&ArenaSnapshot::pages, &PageRunStats::name>, doc),
#define BENTO_LEAF_HUGE(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_arena_part<&ArenaSnapshot::huge, &HugeStats::name>, doc),
#define BENTO_LEAF_ARENA_LOCK(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_arena<sa::arena_lock_##name>, doc),
#define BENTO_LEAF_GLOBAL(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_global<&Snapshot::name>, doc),
#define BENTO_LEAF_POOL(name, type, kind, unit, doc, ...) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_pool<&ChunkPoolStats::name>, doc),

constexpr CtlNode kStatsBinJ[] = {
    BENTO_BIN_STATS(BENTO_LEAF_BIN)
    leaf("occupancy", CtlType::kUint64, R, ctl_stats_bin_occupancy, "curregs / (curruns x regions per run), per mille"),
    // jemalloc 5's names: slabs are bento's small runs.
    leaf("curslabs", CtlType::kSize, R, ctl_stats_bin<&BinStats::curruns>, "jemalloc 5: curruns"),
    leaf("nonfull_slabs", CtlType::kSize, R, ctl_stats_bin<&BinStats::nonfull_runs>, "jemalloc 5: nonfull_runs"),
    leaf("nreslabs", CtlType::kUint64, R, ctl_stats_bin<&BinStats::reruns>, "jemalloc 5: reruns"),
    leaf("nslabs", CtlType::kUint64, R, ctl_stats_bin<&BinStats::nruns>, "jemalloc 5: nruns"),
};
constexpr CtlNode kStatsBinIndexed = ctl_named("<j>", kStatsBinJ);
constexpr CtlNode kStatsLrunJ[] = {BENTO_LARGE_STATS(BENTO_LEAF_LRUN)};
constexpr CtlNode kStatsLrunIndexed = ctl_named("<j>", kStatsLrunJ);
// jemalloc 5's large extents: bento's large classes (huge objects have no classes).
constexpr CtlNode kStatsLextentJ[] = {
    leaf("curlextents", CtlType::kSize, R, ctl_stats_lrun<&LargeStats::curruns>, "jemalloc 5: stats.arenas.<i>.lruns.<j>.curruns"),
    leaf("ndalloc", CtlType::kUint64, R, ctl_stats_lrun<&LargeStats::ndalloc>, "jemalloc 5: stats.arenas.<i>.lruns.<j>.ndalloc"),
    leaf("nmalloc", CtlType::kUint64, R, ctl_stats_lrun<&LargeStats::nmalloc>, "jemalloc 5: stats.arenas.<i>.lruns.<j>.nmalloc"),
    leaf("nrequests", CtlType::kUint64, R, ctl_stats_lrun<&LargeStats::nrequests>, "jemalloc 5: stats.arenas.<i>.lruns.<j>.nrequests"),
};
constexpr CtlNode kStatsLextentIndexed = ctl_named("<j>", kStatsLextentJ);
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
constexpr CtlNode kStatsHuge[] = {BENTO_HUGE_STATS(BENTO_LEAF_HUGE)};
constexpr CtlNode kStatsContention[] = {
    BENTO_CONTENTION_STATS(BENTO_LEAF_ARENA_LOCK)
    leaf("favourite_switches", CtlType::kUint64, R, ctl_stats_arena_member<&ArenaSnapshot::favourite_switches>,
         "threads that moved their favourite from this arena to the next (as stats.arenas.<i>.favourite_switches)"),
};
constexpr CtlNode kArenaMutexFields[] = {BENTO_MUTEX_STATS(BENTO_LEAF_ARENA_LOCK)};
constexpr CtlNode kStatsArenaMutexes[] = {ctl_named("arena", kArenaMutexFields)};
constexpr CtlNode kStatsArenaI[] = {
    BENTO_ARENA_STATS(BENTO_LEAF_ARENA)
    BENTO_PAGE_RUN_STATS(BENTO_LEAF_PAGES)
    leaf("allocated", CtlType::kSize, R, ctl_stats_arena<sa::allocated>, "bytes of objects allocated now (small + large + huge)"),
    ctl_indexed("bins", &kStatsBinIndexed, ctl_bin_index_ok),
    ctl_named("contention", kStatsContention),
    ctl_named("huge", kStatsHuge),
    ctl_named("large", kStatsLarge),
    ctl_indexed("lextents", &kStatsLextentIndexed, ctl_lrun_index_ok),
    ctl_indexed("lruns", &kStatsLrunIndexed, ctl_lrun_index_ok),
    ctl_named("mutexes", kStatsArenaMutexes),
    leaf("occupancy", CtlType::kUint64, R, ctl_stats_arena<sa::occupancy>, "active bytes / chunk bytes, per mille"),
    // jemalloc 5's names for the purge counters, and its muzzy stage (bento has none).
    leaf("dirty_nmadvise", CtlType::kUint64, R, ctl_stats_arena_part<&ArenaSnapshot::pages, &PageRunStats::nmadvise>, "jemalloc 5: nmadvise"),
    leaf("dirty_npurge", CtlType::kUint64, R, ctl_stats_arena_part<&ArenaSnapshot::pages, &PageRunStats::npurge>, "jemalloc 5: npurge"),
    leaf("dirty_purged", CtlType::kUint64, R, ctl_stats_arena_part<&ArenaSnapshot::pages, &PageRunStats::purged>, "jemalloc 5: purged"),
    leaf("dss", CtlType::kString, R, ctl_constant<static_cast<const char*>(kDisabled)>, "jemalloc 5: \"disabled\", bento never uses sbrk"),
    leaf("muzzy_decay_ms", CtlType::kSsize, R, ctl_constant<0L>, "jemalloc 5: 0, bento has no muzzy stage"),
    leaf("muzzy_nmadvise", CtlType::kUint64, R, ctl_constant<std::uint64_t{0}>, "jemalloc 5: 0, bento has no muzzy stage"),
    leaf("muzzy_npurge", CtlType::kUint64, R, ctl_constant<std::uint64_t{0}>, "jemalloc 5: 0, bento has no muzzy stage"),
    leaf("muzzy_purged", CtlType::kUint64, R, ctl_constant<std::uint64_t{0}>, "jemalloc 5: 0, bento has no muzzy stage"),
    leaf("pmuzzy", CtlType::kSize, R, ctl_constant<std::size_t{0}>, "always 0: bento purges with MADV_DONTNEED, so pages are never muzzy"),
    leaf("retained", CtlType::kSize, R, ctl_stats_arena<sa::retained>, "bytes of wholly free chunks kept mapped but purged (retain)"),
    ctl_named("small", kStatsSmall),
};
constexpr CtlNode kStatsArenaIndexed = ctl_named("<i>", kStatsArenaI);
#define X(name, type, kind, unit, doc, expr) \
  leaf(#name, BENTO_CTL_STAT_TYPE(type), R, ctl_stats_global_mutex<LOCK_INDEX, sa::lock_##name>, doc),
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
constexpr CtlNode kStatsChunkPool[] = {BENTO_CHUNK_POOL_STATS(BENTO_LEAF_POOL)};
constexpr CtlNode kStatsBackgroundThread[] = {
    leaf("num_runs", CtlType::kUint64, R, ctl_stats_background_num_runs, "purge rounds the helper thread has made"),
    leaf("num_threads", CtlType::kSize, R, ctl_stats_background_num_threads, "helper threads running (0 or 1)"),
    leaf("run_interval", CtlType::kUint64, R, ctl_stats_background_run_interval, "mean nanoseconds between the helper thread's purge rounds (0 before two)"),
};
constexpr CtlNode kStatsTree[] = {
    BENTO_GLOBAL_STATS(BENTO_LEAF_GLOBAL)
    leaf("metadata_thp", CtlType::kSize, R, ctl_constant<std::size_t{0}>, "jemalloc 5: 0, bento does not put metadata on huge pages"),
    ctl_indexed("arenas", &kStatsArenaIndexed, ctl_stats_arena_index_ok),
    ctl_named("background_thread", kStatsBackgroundThread),
    ctl_named("chunk_pool", kStatsChunkPool),
    ctl_named("mutexes", kStatsMutexes),
};
#undef BENTO_LEAF_BIN
#undef BENTO_LEAF_LRUN
#undef BENTO_LEAF_ARENA
#undef BENTO_LEAF_PAGES
#undef BENTO_LEAF_HUGE
#undef BENTO_LEAF_ARENA_LOCK
#undef BENTO_LEAF_GLOBAL
#undef BENTO_LEAF_POOL

// ---- prof.* ----
constexpr std::uint8_t W = kCtlWrite;
constexpr CtlNode kProf[] = {
    leaf("active", CtlType::kBool, RW, ctl_prof_active, "sampling on or off now (EFAULT when opt.prof is false); returns the old value"),
    leaf("gdump", CtlType::kBool, R, ctl_constant<false>, "jemalloc 5: false, bento writes no profile when the heap grows"),
    leaf("interval", CtlType::kUint64, R, ctl_constant<std::uint64_t{0}>, "jemalloc 5: 0, bento writes no profiles by allocation volume"),
    leaf("dump", CtlType::kString, W, ctl_prof_dump, "write the live set as a gzipped pprof profile to the path given (const char*), or with no value to <opt.prof_prefix>.<pid>.<seq>.m.heap.pb.gz"),
    leaf("dump_peak", CtlType::kString, W, ctl_prof_dump_peak, "as prof.dump, the live set at the highest sampled mark so far (within 1/32); default name ends .p.heap.pb.gz"),
    leaf("lg_sample", CtlType::kSize, R, ctl_prof_lg_sample, "mean sampling interval in force, as log2 of requested bytes"),
    leaf("live_bytes", CtlType::kSize, R, ctl_prof_live_bytes, "bytes the live samples stand for (the sampled estimate of the heap)"),
    leaf("nlive", CtlType::kUint64, R, ctl_prof_nlive, "sampled objects not yet freed"),
    leaf("nsamples", CtlType::kUint64, R, ctl_prof_nsamples, "samples taken since start-up or prof.reset"),
    leaf("nsites", CtlType::kUint64, R, ctl_prof_nsites, "distinct call stacks (and size classes) sampled"),
    leaf("peak_bytes", CtlType::kSize, R, ctl_prof_peak_bytes, "highest live_bytes so far (since start-up or prof.reset)"),
    leaf("reset", CtlType::kSize, W, ctl_prof_reset, "start the allocation counts and the peak again (live samples stay); a value (size_t) also sets lg_sample"),
    leaf("thread_active_init", CtlType::kBool, R, ctl_constant<true>, "jemalloc 5: true, bento samples every thread while prof.active is on"),
};

// ---- guard.* (bento's: guard_sample at run time) ----
constexpr CtlNode kGuard[] = {
    leaf("sample", CtlType::kSize, RW, ctl_guard_sample, "one allocation in N guarded now (0: off; opt.guard_sample at start); a write takes effect in the calling thread at once, in the others at their next sample; returns the old value"),
};

// ---- tcache.* (jemalloc's explicit caches) ----
constexpr CtlNode kTcache[] = {
    leaf("create", CtlType::kUnsigned, R, ctl_tcache_create, "make an explicit cache and read its id (for MALLOCX_TCACHE; bento caches nothing in it: such calls bypass caching); EAGAIN when 4096 exist"),
    leaf("destroy", CtlType::kUnsigned, W, ctl_tcache_destroy, "destroy the explicit cache whose id is written (EFAULT for an id not in use)"),
    leaf("flush", CtlType::kUnsigned, W, ctl_tcache_flush, "flush the explicit cache whose id is written (EFAULT for an id not in use)"),
};

constexpr CtlNode kRoot[] = {
    ctl_indexed("arena", &kArenaIndexed, ctl_arena_index_ok),
    ctl_named("arenas", kArenas),
    leaf("max_background_threads", CtlType::kSize, R, ctl_constant<std::size_t{1}>, "jemalloc 5: 1, bento runs one helper thread"),
    leaf("background_thread", CtlType::kBool, RW, ctl_background_thread, "the helper thread purges in the background (write true: start it if needed; false: stop its purging); returns the old value"),
    ctl_named("config", kConfig),
    leaf("epoch", CtlType::kUint64, RW, ctl_epoch, "write anything to refresh the stats.* snapshot; read the refresh count"),
    ctl_named("guard", kGuard),
    ctl_named("opt", kOpt),
    ctl_named("prof", kProf),
    ctl_named_if(kStats, "stats", kStatsTree),  // without statistics, stats.* is ENOENT, as in jemalloc
    ctl_named("tcache", kTcache),
    ctl_named("thread", kThread),
    leaf("version", CtlType::kString, R, ctl_version, "bento's version"),
};

}  // namespace

constexpr CtlNode kCtlRoot = ctl_named("", kRoot);

}  // namespace bento
