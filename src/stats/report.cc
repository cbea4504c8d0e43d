// stats/report.cc: the report, from one private copy of a fresh snapshot, walked once
// through the emitter (stats/emitter.h) in text, JSON or Prometheus's exposition format. g_report_lock guards the copy; g_report_owner lets a write callback that
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
#include "stats/emitter.h"

namespace bento {

namespace {

constinit Mutex g_report_lock;
constinit std::atomic<std::uintptr_t> g_report_owner{0};
constinit Snapshot g_copy{};
constinit ArenaSnapshot* g_copy_arenas = nullptr;
constinit unsigned g_copy_cap = 0;

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

// Refreshes the shared snapshot, measures its residency and copies it; false when
// memory for it is short.
bool take_copy() noexcept {
  CtlGuard g;
  if (!g.refresh() || !g.measure_residency()) return false;
  const Snapshot& s = g.snapshot();
  if (g_copy_arenas == nullptr || s.narenas > g_copy_cap) {  // arenas.create adds arenas
    g_copy_arenas = static_cast<ArenaSnapshot*>(base_alloc((s.narenas + 1) * sizeof(ArenaSnapshot), 64));
    if (g_copy_arenas == nullptr) return false;
    g_copy_cap = s.narenas;
  }
  std::memcpy(static_cast<void*>(g_copy_arenas), s.arenas, (s.narenas + 1) * sizeof(ArenaSnapshot));
  g_copy = s;
  g_copy.arenas = g_copy_arenas;
  return true;
}

bool arena_used(const ArenaSnapshot& a) noexcept {
  return a.initialized && (a.pages.chunks != 0 || a.huge.nmalloc != 0 || a.nthreads != 0);
}

// ---------------------------------------------------------------- the walk
// Emits every row of a table over `src` (a struct generated from it). Without statistics
// (-Dstats=false) the counters are never counted, so they are left out.
#define BENTO_EMIT(name, type, kind, unit, doc, ...)                              \
  if (kStats || StatKind::k##kind != StatKind::kCounter)                          \
    emit(e, BENTO_STAT_FIELD(name, type, kind, unit, doc), src.name);
// Rows that read through an expression over LockCounters c (the lock tables: counted in
// every build, platform/mutex.h).
#define BENTO_EMIT_LOCK(name, type, kind, unit, doc, expr) \
  emit(e, BENTO_STAT_FIELD(name, type, kind, unit, doc), static_cast<stat_types::type>(expr));

// Values the tables do not hold: derived from them, or the build's constants.
constexpr StatField kAllocatedField{"allocated", StatKind::kGauge, StatUnit::kBytes, "bytes of objects allocated now"};
constexpr StatField kOccupancyField{"occupancy", StatKind::kGauge, StatUnit::kCount, "active bytes / chunk bytes, per mille"};
constexpr StatField kBinOccupancyField{"occupancy", StatKind::kGauge, StatUnit::kCount, "curregs / (curruns x regions per run), per mille"};
constexpr StatField kSizeField{"size", StatKind::kSetting, StatUnit::kBytes, "bytes per object of the class"};
constexpr StatField kNregsField{"nregs", StatKind::kSetting, StatUnit::kCount, "regions per run"};
constexpr StatField kRunSizeField{"run_size", StatKind::kSetting, StatUnit::kBytes, "bytes per run"};
constexpr StatField kEpochField{"epoch", StatKind::kCounter, StatUnit::kCount, "snapshot refreshes"};
constexpr StatField kThreadsField{"threads", StatKind::kGauge, StatUnit::kCount, "live threads known to bento"};
constexpr StatField kNarenasField{"narenas", StatKind::kSetting, StatUnit::kCount, "arenas"};

void emit_locks(Emitter& e, const char* name, const LockCounters& c) noexcept {
  e.begin(name, "lock");
  BENTO_MUTEX_STATS(BENTO_EMIT_LOCK)
  e.end();
}

void emit_general(Emitter& e, const Snapshot& s, bool json) noexcept {
  e.string("bento_version", kVersion);
  e.begin("config");
  e.boolean("debug", kDebug);
  e.boolean("stats", kStats);
  e.string("malloc_conf", kDefaultConf);
  e.end();
  e.begin("opt");
  char value[300];
  for (std::size_t i = 0; i < kNumOptions; ++i) {
    const OptionInfo& info = kOptionTable[i];
    format_option_value(info, options(), value, sizeof(value));
    if (info.kind == OptKind::Bool) e.boolean(info.name, value[0] == 't');
    else if (info.kind == OptKind::String) e.string(info.name, value);
    else e.number(info.name, value);  // an integer, rendered by the option table
  }
  e.end();
  e.begin("arenas");
  emit(e, kNarenasField, s.narenas);
  emit(e, StatField{"page", StatKind::kSetting, StatUnit::kBytes, "page size"}, kPageSize);
  emit(e, StatField{"quantum", StatKind::kSetting, StatUnit::kBytes, "size-class quantum"}, kQuantum);
  emit(e, StatField{"chunk_size", StatKind::kSetting, StatUnit::kBytes, "bytes per chunk"}, kChunkSize);
  emit(e, StatField{"nbins", StatKind::kSetting, StatUnit::kCount, "small size classes"}, kNumSmallClasses);
  emit(e, StatField{"nlruns", StatKind::kSetting, StatUnit::kCount, "large size classes"}, kNumLargeClasses);
  if (!json) {  // the class tables: arenas.bin.<j>.* and arenas.lrun.<j>.size tell them too
    e.end();
    return;
  }
  e.begin_rows("bin", "bin");
  for (unsigned c = 0; c < kNumSmallClasses; ++c) {
    e.row(c);
    emit(e, kSizeField, class_bytes(c));
    emit(e, kNregsField, kClasses[c].nregs);
    emit(e, kRunSizeField, kClasses[c].run_pages * kPageSize);
  }
  e.end_rows();
  e.begin_rows("lrun", "lrun");
  for (unsigned l = 0; l < kNumLargeClasses; ++l) {
    e.row(l);
    emit(e, kSizeField, class_bytes(static_cast<unsigned>(kNumSmallClasses + l)));
  }
  e.end_rows();
  e.end();
}

void emit_arena(Emitter& e, const char* key, const char* label, const ArenaSnapshot& a, const ReportOptions& opt,
                bool all_rows) noexcept {
  e.begin(key, label);
  {
    const ArenaSnapshot& src = a;
    BENTO_ARENA_STATS(BENTO_EMIT)
  }
  {
    const PageRunStats& src = a.pages;
    BENTO_PAGE_RUN_STATS(BENTO_EMIT)
  }
  emit(e, kAllocatedField, a.allocated());
  emit(e, kOccupancyField, a.occupancy());
  {
    const BinStats src = a.small_total();
    e.begin("small");
    emit(e, kAllocatedField, a.small_allocated());
    BENTO_BIN_STATS(BENTO_EMIT)
    e.end();
  }
  {
    const LargeStats src = a.large_total();
    e.begin("large");
    emit(e, kAllocatedField, a.large_allocated());
    BENTO_LARGE_STATS(BENTO_EMIT)
    e.end();
  }
  {
    const HugeStats& src = a.huge;
    e.begin("huge");
    BENTO_HUGE_STATS(BENTO_EMIT)
    e.end();
  }
  if (opt.locks) {
    const LockCounters& c = a.lock;
    e.begin("contention");
    BENTO_CONTENTION_STATS(BENTO_EMIT_LOCK)
    e.end();
    e.begin("mutexes", nullptr, false);
    emit_locks(e, "arena", a.lock);
    e.end();
  }
  if (opt.bins) {
    e.begin_rows("bins", "bin");
    for (unsigned c = 0; c < kNumSmallClasses; ++c) {
      const BinStats& src = a.bins[c];
      if (!all_rows && src.nmalloc == 0 && src.curruns == 0) continue;
      e.row(c);
      emit(e, kSizeField, class_bytes(c));
      BENTO_BIN_STATS(BENTO_EMIT)
      emit(e, kBinOccupancyField, bin_occupancy(src, c));
    }
    e.end_rows();
  }
  if (opt.large) {
    e.begin_rows("lruns", "lrun");
    for (unsigned l = 0; l < kNumLargeClasses; ++l) {
      const LargeStats& src = a.lruns[l];
      if (!all_rows && src.nmalloc == 0) continue;
      e.row(l);
      emit(e, kSizeField, class_bytes(static_cast<unsigned>(kNumSmallClasses + l)));
      BENTO_LARGE_STATS(BENTO_EMIT)
    }
    e.end_rows();
  }
  e.end();
}

// One walk of the snapshot. JSON keeps every bin and large class (clients index them by
// position); text and Prometheus show the ones in use. Prometheus leaves out the merged
// view (a query sums the arenas) and the general section.
void emit_report(Emitter& e, const Snapshot& s, const ReportOptions& opt) noexcept {
  const bool json = opt.format == ReportFormat::kJson;
  const bool prometheus = opt.format == ReportFormat::kPrometheus;
  const bool text = opt.format == ReportFormat::kText;
  e.begin(nullptr, nullptr, false);
  if (!text) e.begin("bento", nullptr, false);
  if (json) e.number("version", "2");  // the schema (doc/stats.md)
  if (opt.general && !prometheus) emit_general(e, s, json);
  e.begin("stats", nullptr, false);
  emit(e, kEpochField, s.epoch);
  {
    const Snapshot& src = s;
    BENTO_GLOBAL_STATS(BENTO_EMIT)
  }
  emit(e, kThreadsField, s.live_threads);
  {
    const ChunkPoolStats& src = s.pool;
    e.begin("chunk_pool");
    BENTO_CHUNK_POOL_STATS(BENTO_EMIT)
    e.end();
  }
  if (opt.locks) {
    e.begin("mutexes", nullptr, false);
    for (unsigned l = 0; l < kNumGlobalLocks; ++l) emit_locks(e, kGlobalLockNames[l], s.global_locks[l]);
    e.end();
  }
  e.end();
  e.begin("stats.arenas", nullptr, false);
  if (opt.merged && !prometheus) emit_arena(e, "merged", nullptr, s.arenas[s.narenas], opt, json);
  if (opt.per_arena) {
    for (unsigned i = 0; i < s.narenas; ++i) {
      if (!arena_used(s.arenas[i])) continue;
      char key[16];
      FixedWriter w(key, sizeof(key) - 1);
      w.print("{}", i);
      key[w.size()] = '\0';
      emit_arena(e, key, "arena", s.arenas[i], opt, json);
    }
  }
  e.end();
  if (!text) e.end();
  e.end();
}
#undef BENTO_EMIT
#undef BENTO_EMIT_LOCK

void write_report(ReportOut& o, const Snapshot& s, const ReportOptions& opt) noexcept {
  switch (opt.format) {
    case ReportFormat::kJson: {
      JsonEmitter e(o);
      emit_report(e, s, opt);
      o.put("\n");
      break;
    }
    case ReportFormat::kPrometheus: {
      char comm[32];
      const std::size_t comm_len = os::process_name(comm, sizeof(comm));
      PrometheusEmitter e(o, os::pid(), std::string_view(comm, comm_len));
      do emit_report(e, s, opt);
      while (e.another_pass());
      e.info(kVersion);
      break;
    }
    case ReportFormat::kText: {
      o.put("___ Begin bento statistics ___\n");
      {
        TextEmitter e(o);
        emit_report(e, s, opt);
      }
      o.put("--- End bento statistics ---\n");
      break;
    }
  }
}

}  // namespace

ReportOptions parse_report_options(const char* opts) noexcept {
  ReportOptions r;
  for (const char* p = opts; p != nullptr && *p != '\0'; ++p) {
    switch (*p) {
      case 'J': r.format = ReportFormat::kJson; break;
      case 'P': r.format = ReportFormat::kPrometheus; break;
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
    } else {
      write_report(o, g_copy, opt);
    }
  }
  g_report_owner.store(0, std::memory_order_relaxed);
}

}  // namespace bento
