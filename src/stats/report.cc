// stats/report.cc: the report, in text and in JSON, from one private copy of a fresh
// snapshot. g_report_lock guards the copy; g_report_owner lets a write callback that
// prints the report again be refused instead of deadlocking.
#include "stats/report.h"

#include <atomic>
#include <cstring>

#include "base/build.h"
#include "chunk/base_alloc.h"
#include "config/options.h"
#include "frontend/init.h"
#include "platform/os.h"
#include "platform/thread.h"
#include "stats/report_out.h"
#include "stats/snapshot.h"
#include "stats/stat_fields.h"

namespace bento {

namespace {

constinit Mutex g_report_lock;
constinit std::atomic<std::uintptr_t> g_report_owner{0};
constinit Snapshot g_copy{};
constinit ArenaSnapshot* g_copy_arenas = nullptr;

// Fork child: a thread printing the report in the parent is gone, and its lock with it.
// Reset rather than taken before the fork (the report calls the program's callback
// under it, which may block); the copy is refreshed whole by the next report, and
// g_copy_arenas is only ever null or a finished block.
void report_postfork_child() noexcept {
  g_report_lock.reset_after_fork();
  g_report_owner.store(0, std::memory_order_relaxed);
}
void no_fork_work() noexcept {}
__attribute__((constructor)) void bento_report_fork_hooks() {
  add_fork_hooks(no_fork_work, no_fork_work, report_postfork_child);
}

// Refreshes the shared snapshot and copies it; false when memory for it is short.
bool take_copy() noexcept {
  CtlGuard g;
  if (!g.refresh()) return false;
  const Snapshot& s = g.snapshot();
  if (g_copy_arenas == nullptr) {
    g_copy_arenas = static_cast<ArenaSnapshot*>(base_alloc((s.narenas + 1) * sizeof(ArenaSnapshot), 64));
    if (g_copy_arenas == nullptr) return false;
  }
  std::memcpy(static_cast<void*>(g_copy_arenas), s.arenas, (s.narenas + 1) * sizeof(ArenaSnapshot));
  g_copy = s;
  g_copy.arenas = g_copy_arenas;
  return true;
}

bool arena_used(const ArenaSnapshot& a) noexcept {
  return a.initialized && (a.chunks != 0 || a.huge.nmalloc != 0 || a.nthreads != 0);
}

// ---------------------------------------------------------------- text
void text_general(ReportOut& o, const Snapshot& s) noexcept {
  o.print("Version: \"{}\"\n", kVersion);
  o.print("Build: config.debug {}, config.stats {}, config.malloc_conf \"{}\"\n", kDebug, kStats, kDefaultConf);
  o.put("Run-time options (BENTO_CONF):\n");
  char value[300];
  for (std::size_t i = 0; i < kNumOptions; ++i) {
    format_option_value(kOptionTable[i], options(), value, sizeof(value));
    o.print("  opt.{}: {}\n", kOptionTable[i].name, value);
  }
  o.print("Arenas: {}, threads: {}\n", s.narenas, s.live_threads);
  o.print("Page size: {}, quantum: {}, chunk size: {}, header pages per chunk: {}\n", kPageSize,
          kQuantum, kChunkSize, kHeaderPages);
  o.print("Size classes: {} small ({} .. {}), {} large ({} .. {}), huge above (page-rounded)\n",
          kNumSmallClasses, class_bytes(0), kSmallMaxBytes, kNumLargeClasses,
          class_bytes(static_cast<unsigned>(kNumSmallClasses)), kLargeMaxBytes);
}

void text_lock_header(ReportOut& o, const char* title) noexcept {
  o.print("{:<18}", title);
#define X(name, type, doc, expr) o.print(" {:>16}", #name);
  BENTO_MUTEX_STATS(X)
#undef X
  o.put("\n");
}
void text_lock_row(ReportOut& o, const char* name, const LockCounters& c) noexcept {
  o.print("  {:<16}", name);
#define X(field, type, doc, expr) o.print(" {:>16}", expr);
  BENTO_MUTEX_STATS(X)
#undef X
  o.put("\n");
}

void text_kind_row(ReportOut& o, const char* name, std::size_t allocated, std::uint64_t nmalloc,
                   std::uint64_t ndalloc, std::uint64_t nrequests, std::uint64_t nfills,
                   std::uint64_t nflushes) noexcept {
  o.print("  {:<8} {:>14} {:>14} {:>14} {:>14} {:>12} {:>12}\n", name, allocated, nmalloc, ndalloc,
          nrequests, nfills, nflushes);
}

void text_arena(ReportOut& o, const ArenaSnapshot& a, const ReportOptions& opt) noexcept {
  o.print("  assigned threads: {}\n  uptime: {} ms\n", a.nthreads, a.uptime_ns / 1000000);
  o.print("  chunks: {}, mapped: {}, resident: {}, retained: {}\n", a.chunks, a.mapped, a.resident, a.retained);
  o.print("  occupancy: {} per mille (active pages {} of {} chunk pages)\n", a.occupancy(), a.pactive,
          a.chunks * kChunkPages);
  o.print("  dirty pages: {} (decay {} ms); purged: {} sweeps, {} madvise calls, {} pages\n", a.pdirty,
          a.dirty_decay_ms, a.npurge, a.nmadvise, a.purged);
  o.print("  {:<8} {:>14} {:>14} {:>14} {:>14} {:>12} {:>12}\n", "", "allocated", "nmalloc", "ndalloc",
          "nrequests", "nfills", "nflushes");
  const BinStats sm = a.small_total();
  const LargeStats lg = a.large_total();
  text_kind_row(o, "small:", a.small_allocated(), sm.nmalloc, sm.ndalloc, sm.nrequests, sm.nfills, sm.nflushes);
  text_kind_row(o, "large:", a.large_allocated(), lg.nmalloc, lg.ndalloc, lg.nrequests, lg.nfills, lg.nflushes);
  text_kind_row(o, "huge:", a.huge.allocated, a.huge.nmalloc, a.huge.ndalloc, a.huge.nrequests, 0, 0);
  text_kind_row(o, "total:", a.allocated(), sm.nmalloc + lg.nmalloc + a.huge.nmalloc,
                sm.ndalloc + lg.ndalloc + a.huge.ndalloc, sm.nrequests + lg.nrequests + a.huge.nrequests,
                sm.nfills + lg.nfills, sm.nflushes + lg.nflushes);
  if (opt.locks) {
    o.put("  contention:");
#define X(field, type, doc) o.print(" {:>18}", #field);
    BENTO_CONTENTION_STATS(X)
#undef X
    o.print("\n  {:<11}", "");
    o.print(" {:>18} {:>18} {:>18} {:>18} {:>18} {:>18} {:>18}\n", a.lock.lock_ops, a.lock.trylock_failures,
            a.favourite_switches, a.lock.blocking_waits, a.lock.wait_ns, a.lock.max_wait_ns, a.lock.max_waiters);
  }
  if (opt.bins) {
    o.print("  bins: {:>7} {:>4} {:>5} {:>4} {:>10} {:>8} {:>9}", "size", "ind", "regs", "pgs", "curregs",
            "curruns", "occupancy");
    o.print(" {:>12} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9}\n", "nmalloc", "ndalloc", "nrequests", "nfills",
            "nflushes", "nruns", "reruns");
    for (unsigned c = 0; c < kNumSmallClasses; ++c) {
      const BinStats& b = a.bins[c];
      if (b.nmalloc == 0 && b.curruns == 0) continue;
      const std::uint64_t slots = static_cast<std::uint64_t>(b.curruns) * kClasses[c].nregs;
      o.print("        {:>7} {:>4} {:>5} {:>4} {:>10} {:>8} {:>9}", class_bytes(c), c, kClasses[c].nregs,
              kClasses[c].run_pages, b.curregs, b.curruns, slots == 0 ? 0 : b.curregs * 1000 / slots);
      o.print(" {:>12} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9}\n", b.nmalloc, b.ndalloc, b.nrequests, b.nfills,
              b.nflushes, b.nruns, b.reruns);
    }
  }
  if (opt.large) {
    o.print("  large: {:>8} {:>4} {:>8} {:>12} {:>12} {:>12} {:>10} {:>10}\n", "size", "ind", "curruns", "nmalloc",
            "ndalloc", "nrequests", "nfills", "nflushes");
    for (unsigned l = 0; l < kNumLargeClasses; ++l) {
      const LargeStats& s = a.lruns[l];
      if (s.nmalloc == 0) continue;
      o.print("         {:>8} {:>4} {:>8} {:>12} {:>12} {:>12} {:>10} {:>10}\n",
              class_bytes(static_cast<unsigned>(kNumSmallClasses + l)), kNumSmallClasses + l, s.curruns,
              s.nmalloc, s.ndalloc, s.nrequests, s.nfills, s.nflushes);
    }
  }
}

void text_report(ReportOut& o, const Snapshot& s, const ReportOptions& opt) noexcept {
  o.put("___ Begin bento statistics ___\n");
  if (opt.general) text_general(o, s);
  o.print("Allocated: {}, active: {}, metadata: {}, resident: {}, mapped: {}, retained: {}\n", s.allocated,
          s.active, s.metadata, s.resident, s.mapped, s.retained);
  o.print("Thread caches: {} (remote batches: {}), huge cache: {}, chunk pool: {} chunks, {} dirty pages\n",
          s.tcache_bytes, s.remote_bytes, s.huge_cached, s.pool.chunks, s.pool.dirty_pages);
  o.print("Epoch: {} (refresh took {} us)\n", s.epoch, s.refresh_ns / 1000);
  if (opt.locks) {
    text_lock_header(o, "Global locks:");
    for (unsigned l = 0; l < kNumGlobalLocks; ++l) text_lock_row(o, kGlobalLockNames[l], s.global_locks[l]);
  }
  if (opt.merged) {
    o.put("Merged arenas stats:\n");
    text_arena(o, s.arenas[s.narenas], opt);
  }
  if (opt.per_arena) {
    for (unsigned i = 0; i < s.narenas; ++i) {
      if (!arena_used(s.arenas[i])) continue;
      o.print("arenas[{}]:\n", i);
      text_arena(o, s.arenas[i], opt);
    }
  }
  o.put("--- End bento statistics ---\n");
}

// ---------------------------------------------------------------- JSON
void json_locks(JsonOut& j, const char* key, const LockCounters& c) noexcept {
  j.open(key);
#define X(name, type, doc, expr) j.value(#name, static_cast<std::uint64_t>(expr));
  BENTO_MUTEX_STATS(X)
#undef X
  j.close();
}

void json_kind(JsonOut& j, const char* key, std::size_t allocated, std::uint64_t nmalloc, std::uint64_t ndalloc,
               std::uint64_t nrequests, std::uint64_t nfills, std::uint64_t nflushes) noexcept {
  j.open(key);
  j.value("allocated", static_cast<std::uint64_t>(allocated));
  j.value("nfills", nfills);
  j.value("nflushes", nflushes);
  j.value("nmalloc", nmalloc);
  j.value("ndalloc", ndalloc);
  j.value("nrequests", nrequests);
  j.close();
}

void json_arena(JsonOut& j, const char* key, const ArenaSnapshot& a, const ReportOptions& opt) noexcept {
  j.open(key);
  j.value("nthreads", a.nthreads);
  j.value("uptime_ns", a.uptime_ns);
  j.value("dirty_decay_ms", a.dirty_decay_ms);
  j.value("chunks", static_cast<std::uint64_t>(a.chunks));
  j.value("mapped", static_cast<std::uint64_t>(a.mapped));
  j.value("retained", static_cast<std::uint64_t>(a.retained));
  j.value("resident", static_cast<std::uint64_t>(a.resident));
  j.value("pactive", static_cast<std::uint64_t>(a.pactive));
  j.value("pdirty", static_cast<std::uint64_t>(a.pdirty));
  j.value("pmuzzy", std::uint64_t{0});
  j.value("allocated", static_cast<std::uint64_t>(a.allocated()));
  j.value("occupancy", a.occupancy());
  j.value("npurge", a.npurge);
  j.value("nmadvise", a.nmadvise);
  j.value("purged", a.purged);
  const BinStats sm = a.small_total();
  const LargeStats lg = a.large_total();
  json_kind(j, "small", a.small_allocated(), sm.nmalloc, sm.ndalloc, sm.nrequests, sm.nfills, sm.nflushes);
  json_kind(j, "large", a.large_allocated(), lg.nmalloc, lg.ndalloc, lg.nrequests, lg.nfills, lg.nflushes);
  j.open("huge");
  j.value("allocated", static_cast<std::uint64_t>(a.huge.allocated));
  j.value("curobjs", static_cast<std::uint64_t>(a.huge.cur));
  j.value("mapped", static_cast<std::uint64_t>(a.huge.mapped));
  j.value("nmalloc", a.huge.nmalloc);
  j.value("ndalloc", a.huge.ndalloc);
  j.value("nrequests", a.huge.nrequests);
  j.close();
  if (opt.locks) {
    j.open("contention");
    j.value("lock_ops", a.lock.lock_ops);
    j.value("trylock_failures", a.lock.trylock_failures);
    j.value("favourite_switches", a.favourite_switches);
    j.value("blocking_waits", a.lock.blocking_waits);
    j.value("wait_ns", a.lock.wait_ns);
    j.value("max_wait_ns", a.lock.max_wait_ns);
    j.value("max_waiters", a.lock.max_waiters);
    j.close();
    j.open("mutexes");
    json_locks(j, "arena", a.lock);
    j.close();
  }
  if (opt.bins) {
    j.open_array("bins");
    for (unsigned c = 0; c < kNumSmallClasses; ++c) {
      const BinStats& b = a.bins[c];
      j.open();
#define X(field, type, doc) j.value(#field, static_cast<std::uint64_t>(b.field));
      BENTO_BIN_STATS(X)
#undef X
      const std::uint64_t slots = static_cast<std::uint64_t>(b.curruns) * kClasses[c].nregs;
      j.value("occupancy", slots == 0 ? std::uint64_t{0} : b.curregs * 1000 / slots);
      j.close();
    }
    j.close_array();
  }
  if (opt.large) {
    j.open_array("lruns");
    for (const LargeStats& l : a.lruns) {
      j.open();
#define X(field, type, doc) j.value(#field, static_cast<std::uint64_t>(l.field));
      BENTO_LARGE_STATS(X)
#undef X
      j.close();
    }
    j.close_array();
  }
  j.close();
}

void json_report(ReportOut& o, const Snapshot& s, const ReportOptions& opt) noexcept {
  JsonOut j(o);
  j.open();
  j.open("bento");
  j.value("version", std::uint64_t{1});  // the schema (doc/stats.md)
  j.string("bento_version", kVersion);
  if (opt.general) {
    j.open("config");
    j.value("debug", kDebug);
    j.value("stats", kStats);
    j.string("malloc_conf", kDefaultConf);
    j.close();
    j.open("opt");
    char value[300];
    for (std::size_t i = 0; i < kNumOptions; ++i) {
      const OptionInfo& info = kOptionTable[i];
      format_option_value(info, options(), value, sizeof(value));
      if (info.kind == OptKind::Bool) {
        j.value(info.name, value[0] == 't');
      } else if (info.kind == OptKind::String) {
        j.string(info.name, value);
      } else {
        j.raw(info.name, value);  // an integer, rendered by the option table
      }
    }
    j.close();
    j.open("arenas");
    j.value("narenas", s.narenas);
    j.value("page", static_cast<std::uint64_t>(kPageSize));
    j.value("quantum", static_cast<std::uint64_t>(kQuantum));
    j.value("chunk_size", static_cast<std::uint64_t>(kChunkSize));
    j.value("nbins", static_cast<unsigned>(kNumSmallClasses));
    j.value("nlruns", static_cast<unsigned>(kNumLargeClasses));
    j.open_array("bin");
    for (unsigned c = 0; c < kNumSmallClasses; ++c) {
      j.open();
      j.value("size", static_cast<std::uint64_t>(class_bytes(c)));
      j.value("nregs", static_cast<unsigned>(kClasses[c].nregs));
      j.value("run_size", static_cast<std::uint64_t>(kClasses[c].run_pages * kPageSize));
      j.close();
    }
    j.close_array();
    j.open_array("lrun");
    for (unsigned l = 0; l < kNumLargeClasses; ++l) {
      j.open();
      j.value("size", static_cast<std::uint64_t>(class_bytes(static_cast<unsigned>(kNumSmallClasses + l))));
      j.close();
    }
    j.close_array();
    j.close();
  }
  j.open("stats");
  j.value("epoch", s.epoch);
  j.value("allocated", static_cast<std::uint64_t>(s.allocated));
  j.value("active", static_cast<std::uint64_t>(s.active));
  j.value("metadata", static_cast<std::uint64_t>(s.metadata));
  j.value("resident", static_cast<std::uint64_t>(s.resident));
  j.value("mapped", static_cast<std::uint64_t>(s.mapped));
  j.value("retained", static_cast<std::uint64_t>(s.retained));
  j.value("tcache_bytes", static_cast<std::uint64_t>(s.tcache_bytes));
  j.value("tcache_remote_bytes", static_cast<std::uint64_t>(s.remote_bytes));
  j.value("huge_cached", static_cast<std::uint64_t>(s.huge_cached));
  j.open("chunk_pool");
  j.value("chunks", static_cast<std::uint64_t>(s.pool.chunks));
  j.value("dirty", static_cast<std::uint64_t>(s.pool.dirty_pages));
  j.value("nput", s.pool.nput);
  j.value("ntaken", s.pool.ntaken);
  j.value("nreleased", s.pool.nreleased);
  j.close();
  j.value("refresh_ns", s.refresh_ns);
  j.value("threads", s.live_threads);
  if (opt.locks) {
    j.open("mutexes");
    for (unsigned l = 0; l < kNumGlobalLocks; ++l) json_locks(j, kGlobalLockNames[l], s.global_locks[l]);
    j.close();
  }
  j.close();
  j.open("stats.arenas");
  if (opt.merged) json_arena(j, "merged", s.arenas[s.narenas], opt);
  if (opt.per_arena) {
    for (unsigned i = 0; i < s.narenas; ++i) {
      if (!arena_used(s.arenas[i])) continue;
      char key[16];
      FixedWriter w(key, sizeof(key) - 1);
      w.print("{}", i);
      key[w.size()] = '\0';
      json_arena(j, key, s.arenas[i], opt);
    }
  }
  j.close();
  j.close();
  j.close();
  o.put("\n");
}

}  // namespace

ReportOptions parse_report_options(const char* opts) noexcept {
  ReportOptions r;
  for (const char* p = opts; p != nullptr && *p != '\0'; ++p) {
    switch (*p) {
      case 'J': r.json = true; break;
      case 'g': r.general = false; break;
      case 'm': r.merged = false; break;
      case 'a': r.per_arena = false; break;
      case 'b': r.bins = false; break;
      case 'l': r.large = false; break;
      case 'x': r.locks = false; break;
      default: break;  // d, e, h and unknown letters: nothing to leave out
    }
  }
  return r;
}

void stats_print(StatsWriteCb write_cb, void* opaque, const char* opts) noexcept {
  const std::uintptr_t self = os::thread_self();
  if (g_report_owner.load(std::memory_order_relaxed) == self) {
    ReportOut o(write_cb, opaque);
    o.put("bento: malloc_stats_print called from its own write callback: not printed again\n");
    return;
  }
  LockGuard guard(g_report_lock);
  g_report_owner.store(self, std::memory_order_relaxed);
  {
    ReportOut o(write_cb, opaque);
    const ReportOptions opt = parse_report_options(opts);
    if (!take_copy()) {
      o.put("bento: statistics unavailable: out of memory for the snapshot\n");
    } else if (opt.json) {
      json_report(o, g_copy, opt);
    } else {
      text_report(o, g_copy, opt);
    }
  }
  g_report_owner.store(0, std::memory_order_relaxed);
}

}  // namespace bento
