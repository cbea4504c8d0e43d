// stats/stat_fields.h: THE tables of counters. Each X-macro row names a counter once; the
// mallctl leaves (stats.arenas.<i>....), the report's columns and JSON keys, and
// doc/mallctl.md all expand these rows.
//   X(field, type, doc)   type: a CtlType tag (Uint64, Size, Uint32)
#pragma once

// stats.arenas.<i>.bins.<j>.<field>: BinStats (run/bin.h).
#define BENTO_BIN_STATS(X)                                                            \
  X(nmalloc, Uint64, "regions handed out by the bin (to caches or directly)")  \
  X(ndalloc, Uint64, "regions returned to the bin")                            \
  X(nrequests, Uint64, "allocation requests served, cache hits included (merged on refill and flush)") \
  X(curregs, Size, "regions allocated now (cached ones included)")             \
  X(curruns, Size, "runs the bin owns now")                                    \
  X(nruns, Uint64, "runs created")                                             \
  X(reruns, Uint64, "times the current run was replaced by a non-full one")    \
  X(nfills, Uint64, "thread-cache refills")                                    \
  X(nflushes, Uint64, "thread-cache flushes")

// stats.arenas.<i>.lruns.<j>.<field>: LargeStats (arena/arena.h).
#define BENTO_LARGE_STATS(X)                                             \
  X(nmalloc, Uint64, "large objects of the class handed out")    \
  X(ndalloc, Uint64, "large objects of the class returned")      \
  X(nrequests, Uint64, "requests served, cache hits included")   \
  X(nfills, Uint64, "thread-cache refills")                      \
  X(nflushes, Uint64, "thread-cache flushes")                    \
  X(curruns, Size, "large objects of the class allocated now")

// stats.arenas.<i>.contention.<field>: bento's counters for the arena lock and the
// favourite protocol.
#define BENTO_CONTENTION_STATS(X)                                                          \
  X(lock_ops, Uint64, "acquisitions of the arena lock")                            \
  X(trylock_failures, Uint64, "try_lock calls that found it held (a thread's favourite was busy)") \
  X(favourite_switches, Uint64, "threads that moved their favourite from this arena to the next") \
  X(blocking_waits, Uint64, "acquisitions that had to wait (spinning or sleeping)") \
  X(wait_ns, Uint64, "total nanoseconds spent waiting (CLOCK_MONOTONIC)")          \
  X(max_wait_ns, Uint64, "longest single wait, nanoseconds")                       \
  X(max_waiters, Uint32, "most threads seen waiting at once")

// stats.mutexes.<lock>.<field> and stats.arenas.<i>.mutexes.arena.<field>: jemalloc's
// mutex-profiling layout. X(name, ctype, doc, expression over LockCounters c)
#define BENTO_MUTEX_STATS(X)                                                                    \
  X(num_ops, Uint64, "lock acquisitions", c.lock_ops)                                    \
  X(num_wait, Uint64, "acquisitions that slept in the kernel", c.sleeps)                 \
  X(num_spin_acq, Uint64, "acquisitions won while spinning", c.spin_acquired)            \
  X(num_owner_switch, Uint64, "acquisitions by a thread other than the last owner", c.owner_switches) \
  X(total_wait_time, Uint64, "nanoseconds waited in all", c.wait_ns)                     \
  X(max_wait_time, Uint64, "longest wait, nanoseconds", c.max_wait_ns)                   \
  X(max_num_thds, Uint32, "most threads waiting at once", c.max_waiters)
