// config/stat_fields.h: THE table of statistics. Each counter is one X-macro row, written
// once; from the rows come the counter structs and their merge (below), the snapshot's
// copy, the mallctl leaves (mallctl/nodes.cc, the leaf type deduced from the C++ type),
// the report's text, JSON and Prometheus output (stats/emitter.h) and doc/stats.md's
// counter table (test/lint/check_tables.py). A new counter takes its row here and the
// line that counts it; nothing else.
//
//   X(name, type, kind, unit, doc)
//     name  the struct member, the mallctl leaf and the JSON key
//     type  Size, Ssize, Uint64, Uint32 or Unsigned (stat_types below; the leaf's type)
//     kind  Counter: only grows, summed over arenas (Prometheus: counter, "_total")
//           Gauge:   a level now, summed over arenas
//           Peak:    a level, the merged view keeps the largest
//           Setting: a configured value, not summed (the merged view says its own)
//     unit  Count, Bytes, Pages (Prometheus: bytes), Ns and Ms (Prometheus: seconds)
// Lock counters (platform/mutex.h) have their own rows at the end, with one more column:
// the expression over LockCounters c that reads them.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/build.h"

namespace bento {

// The type column names a C++ type and (the same name) the mallctl leaf's type, so the
// two cannot disagree: size_t and uint64_t are one C++ type on LP64, but jemalloc
// documents them apart.
namespace stat_types {
using Size = std::size_t;
using Ssize = long;  // ssize_t
using Uint64 = std::uint64_t;
using Uint32 = std::uint32_t;
using Unsigned = unsigned;
}  // namespace stat_types

enum class StatKind : std::uint8_t { kCounter, kGauge, kPeak, kSetting };
enum class StatUnit : std::uint8_t { kCount, kBytes, kPages, kNs, kMs };

// One row's facts, for the emitters and the doc generator.
struct StatField {
  const char* name;
  StatKind kind;
  StatUnit unit;
  const char* doc;
};

// chunk/page_runs.h PageRunStats: an arena's pages and chunks. stats.arenas.<i>.<name>.
#define BENTO_PAGE_RUN_STATS(X)                                                                      \
  X(chunks, Size, Gauge, Count, "chunks the arena has mapped now")                            \
  X(pactive, Size, Gauge, Pages, "pages in allocated runs")                                   \
  X(pdirty, Size, Gauge, Pages, "dirty pages in free runs, waiting to be purged")             \
  X(retained_chunks, Size, Gauge, Count, "wholly free chunks kept mapped but purged (retain)") \
  X(chunks_mapped, Uint64, Counter, Count, "chunks mapped fresh from the OS")                  \
  X(chunks_adopted, Uint64, Counter, Count, "chunks taken from the shared chunk pool")         \
  X(chunks_pooled, Uint64, Counter, Count, "wholly free chunks given to the shared chunk pool") \
  X(npurge, Uint64, Counter, Count, "purge sweeps that released memory")                       \
  X(nmadvise, Uint64, Counter, Count, "madvise calls made to purge")                           \
  X(purged, Uint64, Counter, Pages, "pages purged")

// run/bin.h BinStats: one small size class of an arena. stats.arenas.<i>.bins.<j>.<name>.
#define BENTO_BIN_STATS(X)                                                                                    \
  X(nmalloc, Uint64, Counter, Count, "regions handed out by the bin (to caches or directly)")          \
  X(ndalloc, Uint64, Counter, Count, "regions returned to the bin")                                    \
  X(nrequests, Uint64, Counter, Count, "allocation requests served, cache hits included (merged on refill and flush)") \
  X(curregs, Size, Gauge, Count, "regions allocated now (cached ones included)")                       \
  X(curruns, Size, Gauge, Count, "runs the bin owns now")                                              \
  X(nonfull_runs, Size, Gauge, Count, "runs with free regions waiting behind the current one")         \
  X(nruns, Uint64, Counter, Count, "runs created")                                                     \
  X(reruns, Uint64, Counter, Count, "times the current run was replaced by a non-full one")            \
  X(nfills, Uint64, Counter, Count, "thread-cache refills")                                            \
  X(nflushes, Uint64, Counter, Count, "thread-cache flushes")

// arena/arena.h LargeStats: one large size class. stats.arenas.<i>.lruns.<j>.<name>.
#define BENTO_LARGE_STATS(X)                                                                 \
  X(nmalloc, Uint64, Counter, Count, "large objects of the class handed out")         \
  X(ndalloc, Uint64, Counter, Count, "large objects of the class returned")           \
  X(nrequests, Uint64, Counter, Count, "requests served, cache hits included")        \
  X(nfills, Uint64, Counter, Count, "thread-cache refills")                           \
  X(nflushes, Uint64, Counter, Count, "thread-cache flushes")                         \
  X(curruns, Size, Gauge, Count, "large objects of the class allocated now")

// arena/arena.h HugeStats: objects with mappings of their own. stats.arenas.<i>.huge.<name>.
#define BENTO_HUGE_STATS(X)                                                                  \
  X(allocated, Size, Gauge, Bytes, "bytes of huge objects allocated now (usable size)") \
  X(curobjs, Size, Gauge, Count, "huge objects allocated now")                        \
  X(mapped, Size, Gauge, Bytes, "bytes mapped for huge objects (chunk multiples)")    \
  X(nmalloc, Uint64, Counter, Count, "huge objects mapped")                           \
  X(ndalloc, Uint64, Counter, Count, "huge objects unmapped")                         \
  X(nrequests, Uint64, Counter, Count, "huge requests, resizes included")

// chunk/chunk_pool.h ChunkPoolStats: wholly free chunks between arenas. stats.chunk_pool.<name>.
#define BENTO_CHUNK_POOL_STATS(X)                                                                           \
  X(chunks, Size, Gauge, Count, "wholly free chunks in the shared pool, between arenas")             \
  X(dirty, Size, Gauge, Pages, "dirty pages of the pooled chunks (counted in stats.arenas.4096.pdirty too)") \
  X(nput, Uint64, Counter, Count, "chunks arenas gave to the pool when they became wholly free")     \
  X(ntaken, Uint64, Counter, Count, "pooled chunks taken by an arena instead of mapping a new one")  \
  X(nreleased, Uint64, Counter, Count, "pooled chunks unmapped (or purged, with retain) after the decay time")

// stats/snapshot.h ArenaSnapshot: what the refresh reads about an arena besides the above.
#define BENTO_ARENA_STATS(X)                                                                                \
  X(nthreads, Unsigned, Gauge, Count, "threads whose favourite arena this is")                              \
  X(uptime, Uint64, Peak, Ns, "nanoseconds since the arena was created")                             \
  X(dirty_decay_ms, Ssize, Setting, Ms, "the arena's decay time (merged: the value every arena has, else arenas.dirty_decay_ms)") \
  X(mapped, Size, Gauge, Bytes, "bytes of the arena's chunks that are mapped (retained ones excluded)") \
  X(resident, Size, Gauge, Bytes, "bytes of the arena's pages that may be resident: active + dirty pages and chunk headers (jemalloc's bound)") \
  X(resident_mincore, Size, Gauge, Bytes, "bytes of the arena's chunks resident in memory now, measured with mincore") \
  X(favourite_switches, Uint64, Counter, Count, "threads that moved their favourite from this arena to the next") \
  X(sampled_bytes, Size, Gauge, Bytes, "bytes of small objects the heap profiler sampled (on runs of their own)")

// stats/snapshot.h Snapshot: the whole process. stats.<name>.
#define BENTO_GLOBAL_STATS(X)                                                                                 \
  X(allocated, Size, Gauge, Bytes, "bytes allocated by the program (objects in thread caches included)") \
  X(active, Size, Gauge, Bytes, "bytes of pages backing allocations (runs and huge objects)")          \
  X(metadata, Size, Gauge, Bytes, "bytes of metadata: thread states, arenas, chunk headers, registry pages") \
  X(resident, Size, Gauge, Bytes, "bytes that may be resident: active and dirty pages, cached huge mappings, metadata (jemalloc's bound: >= active)") \
  X(resident_mincore, Size, Gauge, Bytes, "bytes of bento's mappings resident in memory now (mincore, page-exact)") \
  X(mapped, Size, Gauge, Bytes, "bytes bento has mapped: chunks, huge objects, metadata")              \
  X(retained, Size, Gauge, Bytes, "bytes kept mapped but purged (retain:true)")                        \
  X(tcache_bytes, Size, Gauge, Bytes, "bytes of objects held in thread caches (all threads; read without stopping them)") \
  X(tcache_remote_bytes, Size, Gauge, Bytes, "bytes of other arenas' objects waiting in thread caches' remote batches") \
  X(remote_queued_bytes, Size, Gauge, Bytes, "bytes of objects freed by threads that do not allocate from their arena, queued for its next lock holder") \
  X(huge_cached, Size, Gauge, Bytes, "bytes of freed huge mappings kept for reuse (until the decay time)") \
  X(huge_cached_dirty, Size, Gauge, Bytes, "of huge_cached, bytes not purged since they were freed (resident at most; the rest reads as zero)") \
  X(guarded, Size, Gauge, Bytes, "bytes of live objects in the guard pool (guard_sample), counted in allocated, active and resident") \
  X(guarded_allocs, Uint64, Counter, Count, "allocations placed between guard pages since start-up (guard_sample)") \
  X(guard_pool_full, Uint64, Counter, Count, "guarded allocations not made because every slot of the guard pool was live") \
  X(zero_reallocs, Size, Counter, Count, "realloc(p, 0) calls with p not null (they free p and return null, jemalloc's zero_realloc:free)") \
  X(refresh_ns, Uint64, Setting, Ns, "nanoseconds the last epoch refresh took (counters only: residency is measured apart)") \
  X(residency_walks, Uint64, Counter, Count, "mincore walks of every mapping: one an epoch, made when a resident_mincore figure or a report is read") \
  X(residency_ns, Uint64, Setting, Ns, "nanoseconds the last residency walk took (it grows with the mapped memory)")

// stats.arenas.<i>.contention.<field>: the arena lock and the favourite protocol.
#define BENTO_CONTENTION_STATS(X)                                                                        \
  X(lock_ops, Uint64, Counter, Count, "acquisitions of the arena lock", c.lock_ops)               \
  X(trylock_failures, Uint64, Counter, Count, "try_lock calls that found it held (a thread's favourite was busy)", c.trylock_failures) \
  X(blocking_waits, Uint64, Counter, Count, "acquisitions that had to wait (spinning or sleeping)", c.blocking_waits) \
  X(wait_ns, Uint64, Counter, Ns, "total nanoseconds spent waiting (CLOCK_MONOTONIC)", c.wait_ns) \
  X(max_wait_ns, Uint64, Peak, Ns, "longest single wait, nanoseconds", c.max_wait_ns)            \
  X(max_waiters, Uint32, Peak, Count, "most threads seen waiting at once", c.max_waiters)

// stats.mutexes.<lock>.<field> and stats.arenas.<i>.mutexes.arena.<field>: jemalloc's
// mutex-profiling layout, over LockCounters c.
#define BENTO_MUTEX_STATS(X)                                                                              \
  X(num_ops, Uint64, Counter, Count, "lock acquisitions", c.lock_ops)                              \
  X(num_wait, Uint64, Counter, Count, "acquisitions that slept in the kernel", c.sleeps)           \
  X(num_spin_acq, Uint64, Counter, Count, "acquisitions won while spinning", c.spin_acquired)      \
  X(num_owner_switch, Uint64, Counter, Count, "acquisitions by a thread other than the last owner", c.owner_switches) \
  X(total_wait_time, Uint64, Counter, Ns, "nanoseconds waited in all", c.wait_ns)                  \
  X(max_wait_time, Uint64, Peak, Ns, "longest wait, nanoseconds", c.max_wait_ns)                   \
  X(max_num_thds, Uint32, Peak, Count, "most threads waiting at once", c.max_waiters)

// ---- what the rows generate ----

// Adds o's counter to a's by the row's kind.
template <StatKind K, class T>
constexpr void stat_merge(T& a, const T& o) noexcept {
  if constexpr (K == StatKind::kPeak) {
    if (o > a) a = o;
  } else if constexpr (K != StatKind::kSetting) {
    a += o;
  }
}

// Counting: `stat_add(s.nmalloc, n)` compiles to nothing with -Dstats=false. Only pure
// statistics are counted this way; levels the allocator decides by (pages, regions)
// are kept in every build.
template <class T, class V>
inline void stat_add(T& counter, V n) noexcept {
  if constexpr (kStats) counter += static_cast<T>(n);
}
template <class T, class V>
inline void stat_sub(T& counter, V n) noexcept {
  if constexpr (kStats) counter -= static_cast<T>(n);
}

#define BENTO_STAT_MEMBER(name, type, kind, unit, doc, ...) stat_types::type name = 0;
#define BENTO_STAT_MERGE(name, type, kind, unit, doc, ...) stat_merge<StatKind::k##kind>(name, o.name);
// A row's facts as a StatField (the report hands one with every value).
#define BENTO_STAT_FIELD(name, type, kind, unit, doc, ...) (StatField{#name, StatKind::k##kind, StatUnit::k##unit, doc})
// A counter struct's members and its merge, from a table.
#define BENTO_STAT_STRUCT_BODY(Type, TABLE)           \
  TABLE(BENTO_STAT_MEMBER)                            \
  Type& operator+=(const Type& o) noexcept {          \
    TABLE(BENTO_STAT_MERGE)                           \
    return *this;                                     \
  }

}  // namespace bento
