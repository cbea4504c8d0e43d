// mallctl/handlers.cc: the leaves that are not generated from a table. Each takes the
// lock its data needs: arena locks for purges, the ctl lock for stats, none for constants
// and the calling thread's own state.
#include "mallctl/handlers.h"

#include "arena/background.h"
#include "config/jemalloc_options.h"

#include "arena/huge.h"
#include "base/build.h"
#include "chunk/chunk.h"
#include "chunk/chunk_registry.h"
#include "frontend/explicit_tcache.h"
#include "frontend/init.h"
#include "frontend/purge.h"
#include "frontend/thread_state.h"
#include "guard/guard_pool.h"
#include "prof/profile_writer.h"
#include "prof/sample_table.h"
#include "prof/sampler.h"

namespace bento {

namespace {
ThreadState* calling_thread() noexcept { return thread_state(); }

// The arenas an arena.<i> node addresses: one, or every created one for kArenasAll.
template <class F>
void for_arenas(std::size_t index, F&& fn) noexcept {
  if (ctl_all_arenas(index)) {
    for (unsigned i = 0; i < narenas(); ++i) {
      if (Arena* a = arena_get(i)) fn(a);
    }
  } else if (Arena* a = arena_get(static_cast<unsigned>(index))) {
    fn(a);
  }
}
}  // namespace

int ctl_version(const CtlArgs& a) noexcept { return ctl_read_only(a, kVersion); }

int ctl_epoch(const CtlArgs& a) noexcept {
  CtlGuard g;
  std::uint64_t ignored;
  int err = 0;
  if (ctl_take_write(a, &ignored, &err) && !g.refresh()) return EAGAIN;
  if (err != 0) return err;
  return ctl_copy_out(a, g.snapshot().epoch);
}

int ctl_config_debug(const CtlArgs& a) noexcept { return ctl_read_only(a, kDebug); }
int ctl_config_stats(const CtlArgs& a) noexcept { return ctl_read_only(a, kStats); }
int ctl_config_malloc_conf(const CtlArgs& a) noexcept { return ctl_read_only(a, kDefaultConf); }

int ctl_thread_arena(const CtlArgs& a) noexcept {
  ThreadState* ts = calling_thread();
  if (ts == nullptr) return EAGAIN;
  const unsigned old = ts->choice.favourite;
  unsigned want;
  int err = 0;
  if (ctl_take_write(a, &want, &err)) {
    if (want >= narenas() || !choice_move(ts->choice, want)) return EFAULT;
    if (TCache* tc = ts->any_cache()) tc->home_arena = want;
  }
  if (err != 0) return err;
  return ctl_copy_out(a, old);
}

int ctl_thread_allocated(const CtlArgs& a) noexcept {
  ThreadState* ts = calling_thread();
  return ts == nullptr ? EAGAIN : ctl_read_only(a, thread_allocated(ts));
}
int ctl_thread_deallocated(const CtlArgs& a) noexcept {
  ThreadState* ts = calling_thread();
  return ts == nullptr ? EAGAIN : ctl_read_only(a, thread_deallocated(ts));
}
int ctl_thread_allocatedp(const CtlArgs& a) noexcept {
  ThreadState* ts = calling_thread();
  return ts == nullptr ? EAGAIN : ctl_read_only(a, thread_allocated_counter(ts));
}
int ctl_thread_deallocatedp(const CtlArgs& a) noexcept {
  ThreadState* ts = calling_thread();
  return ts == nullptr ? EAGAIN : ctl_read_only(a, thread_deallocated_counter(ts));
}

int ctl_thread_tcache_enabled(const CtlArgs& a) noexcept {
  ThreadState* ts = calling_thread();
  if (ts == nullptr) return EAGAIN;
  const bool old = ts->tcache != nullptr;
  bool want;
  int err = 0;
  if (ctl_take_write(a, &want, &err)) {
    if (want && ts->any_cache() == nullptr) return EFAULT;  // caches are off (opt.tcache, junk, zero)
    thread_tcache_enable(ts, want);
  }
  if (err != 0) return err;
  return ctl_copy_out(a, old);
}

int ctl_thread_tcache_flush(const CtlArgs& a) noexcept {
  if (const int e = ctl_void_args(a); e != 0) return e;
  ThreadState* ts = calling_thread();
  if (ts == nullptr) return EAGAIN;
  if (ts->tcache != nullptr) tcache_flush_all(ts->tcache, ts->choice);
  return 0;
}

// ---- prof.* ----
// jemalloc's meanings: prof.active switches sampling (EFAULT when opt.prof is false);
// prof.dump writes a profile to the path given, or with no value to a name made from
// opt.prof_prefix; prof.reset starts the counts again, a value also sets lg_sample.
int ctl_prof_active(const CtlArgs& a) noexcept {
  const bool old = prof_active();
  bool want;
  int err = 0;
  if (ctl_take_write(a, &want, &err)) {
    if (!prof_enabled()) return EFAULT;
    prof_set_active(want);
    if (ThreadState* ts = calling_thread()) thread_sample_rearm(ts);  // the others: sampler.h
  }
  if (err != 0) return err;
  return ctl_copy_out(a, old);
}

namespace {
int dump(const CtlArgs& a, ProfileKind kind) noexcept {
  if (a.oldp != nullptr || a.oldlenp != nullptr) return EPERM;
  if (!prof_enabled()) return EFAULT;
  const char* path = nullptr;
  int err = 0;
  ctl_take_write(a, &path, &err);
  if (err != 0) return err;
  return prof_dump_file(path, kind, kind == ProfileKind::kPeak ? 'p' : 'm', nullptr, 0) == 0 ? 0 : EFAULT;
}
}  // namespace

int ctl_prof_dump(const CtlArgs& a) noexcept { return dump(a, ProfileKind::kNow); }
int ctl_prof_dump_peak(const CtlArgs& a) noexcept { return dump(a, ProfileKind::kPeak); }

int ctl_prof_reset(const CtlArgs& a) noexcept {
  if (a.oldp != nullptr || a.oldlenp != nullptr) return EPERM;
  if (!prof_enabled()) return EFAULT;
  std::size_t lg;
  int err = 0;
  if (ctl_take_write(a, &lg, &err)) {
    if (lg > kMaxLgSample) return EINVAL;
    prof_set_lg_sample(static_cast<unsigned>(lg));
    if (ThreadState* ts = calling_thread()) thread_sample_rearm(ts);
  }
  if (err != 0) return err;
  prof_reset_counts();
  return 0;
}

int ctl_guard_sample(const CtlArgs& a) noexcept {
  const std::size_t old = guard_rate();
  std::size_t every;
  int err = 0;
  if (ctl_take_write(a, &every, &err)) {
    if (every > kMaxGuardRate) return EINVAL;
    guard_set_rate(every);
    if (ThreadState* ts = calling_thread()) thread_sample_rearm(ts);
  }
  if (err != 0) return err;
  return ctl_copy_out(a, old);
}

int ctl_prof_lg_sample(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(prof_lg_sample()));
}
int ctl_prof_nsamples(const CtlArgs& a) noexcept { return ctl_read_only(a, prof_totals().samples_taken); }
int ctl_prof_nlive(const CtlArgs& a) noexcept { return ctl_read_only(a, prof_totals().samples_live); }
int ctl_prof_nsites(const CtlArgs& a) noexcept { return ctl_read_only(a, prof_totals().sites); }
int ctl_prof_live_bytes(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(prof_totals().inuse_bytes + 0.5));
}
int ctl_prof_peak_bytes(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(prof_totals().peak_bytes + 0.5));
}

int ctl_jemalloc_answer(const CtlArgs& a, const char* name) noexcept {
  const JemallocOption* row = find_jemalloc_option(name);
  if (row == nullptr) return ENOENT;
  const char* v = row->value;
  const bool negative = v[0] == '-';
  std::uint64_t n = 0;
  for (const char* p = negative ? v + 1 : v; *p >= '0' && *p <= '9'; ++p) n = n * 10 + static_cast<unsigned>(*p - '0');
  switch (row->reads) {
    case JeReads::Bool: return ctl_read_only(a, v[0] == 't');
    case JeReads::Size: return ctl_read_only(a, static_cast<std::size_t>(n));
    case JeReads::Ssize: return ctl_read_only(a, negative ? -static_cast<long>(n) : static_cast<long>(n));
    case JeReads::String: return ctl_read_only(a, v);
    case JeReads::None: break;
  }
  return ENOENT;
}

bool ctl_all_arenas(std::size_t i) noexcept { return i == kArenasAll || i == narenas(); }

bool ctl_arena_index_ok(const std::size_t* mib, std::size_t depth) noexcept {
  return mib[depth] <= narenas() || mib[depth] == kArenasAll;
}

int ctl_arena_initialized(const CtlArgs& a) noexcept {
  const std::size_t i = a.mib[1];
  const bool init = ctl_all_arenas(i) ? true : arena_get(static_cast<unsigned>(i)) != nullptr;
  return ctl_read_only(a, init);
}

// frontend/purge.h: the caller's cache first, as malloc_trim does.
int ctl_arena_purge(const CtlArgs& a) noexcept {
  if (const int e = ctl_void_args(a); e != 0) return e;
  const std::size_t i = a.mib[1];
  purge_now(ctl_all_arenas(i) ? kPurgeAllArenas : static_cast<unsigned>(i));
  return 0;
}

int ctl_arena_decay(const CtlArgs& a) noexcept {
  if (const int e = ctl_void_args(a); e != 0) return e;
  for_arenas(a.mib[1], [](Arena* ar) {
    ArenaObserverLock guard(ar);
    ar->purge_locked(false);
  });
  huge_cache_decay(default_decay_ms(), false);
  return 0;
}

int ctl_arena_dirty_decay_ms(const CtlArgs& a) noexcept {
  const std::size_t i = a.mib[1];
  const bool all = ctl_all_arenas(i);
  Arena* single = all ? nullptr : arena_get(static_cast<unsigned>(i));
  if (!all && single == nullptr) return EFAULT;  // not initialised
  long want;
  int err = 0;
  const bool writing = ctl_take_write(a, &want, &err);
  if (err != 0) return err;
  if (writing && want < -1) return EFAULT;
  // One value to report: the single arena's (reading every arena at once is refused).
  long old = 0;
  if (single != nullptr) old = static_cast<long>(single->decay_ms.load(std::memory_order_relaxed));
  else if (a.oldp != nullptr) return EFAULT;
  if (writing) {
    for_arenas(i, [want](Arena* ar) {
      ArenaObserverLock guard(ar);
      ar->decay_ms.store(want, std::memory_order_relaxed);
      if (want >= 0) ar->purge_locked(true);  // what was dirty counts as fully decayed
    });
  }
  return ctl_copy_out(a, old);
}

int ctl_arenas_narenas(const CtlArgs& a) noexcept { return ctl_read_only(a, narenas()); }

int ctl_arenas_tcache_max(const CtlArgs& a) noexcept {
  const Options& o = options();
  std::size_t max = 0;
  if (o.tcache && !o.junk && !o.zero) {
    for (unsigned c = 0; c < kNumLookupClasses && class_bytes(c) <= o.tcache_max; ++c) max = class_bytes(c);
  }
  return ctl_read_only(a, max);
}

int ctl_arenas_dirty_decay_ms(const CtlArgs& a) noexcept {
  const long old = static_cast<long>(default_decay_ms());
  long want;
  int err = 0;
  if (ctl_take_write(a, &want, &err)) {
    if (want < -1) return EFAULT;
    set_default_decay_ms(want);
  }
  if (err != 0) return err;
  return ctl_copy_out(a, old);
}

int ctl_arenas_lookup(const CtlArgs& a) noexcept {
  void* p = nullptr;
  int err = 0;
  if (!ctl_take_write(a, &p, &err)) return err != 0 ? err : EINVAL;
  unsigned index;
  switch (chunk_kind(p)) {
    case ChunkKind::kArena:
      index = chunk_of(p)->arena_index;
      break;
    case ChunkKind::kHugeHead: {
      HugeInfo h;
      if (!huge_lookup(p, &h)) return EINVAL;
      index = h.arena;
      break;
    }
    case ChunkKind::kGuard:  // the arena it is charged to
      if (!guard_arena_of(p, &index)) return EINVAL;
      break;
    default:
      return EINVAL;
  }
  return ctl_copy_out(a, index);
}

bool ctl_bin_index_ok(const std::size_t* mib, std::size_t depth) noexcept {
  return mib[depth] < kNumSmallClasses;
}
bool ctl_lrun_index_ok(const std::size_t* mib, std::size_t depth) noexcept {
  return mib[depth] < kNumLargeClasses;
}
int ctl_arenas_bin_size(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(kClasses[a.mib[2]].bytes));
}
int ctl_arenas_bin_nregs(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::uint32_t>(kClasses[a.mib[2]].nregs));
}
int ctl_arenas_bin_run_size(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(kClasses[a.mib[2]].run_pages) * kPageSize);
}
int ctl_arenas_lrun_size(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(kClasses[kNumSmallClasses + a.mib[2]].bytes));
}

// bento purges with MADV_DONTNEED: pages never sit in a muzzy stage, as jemalloc's with a
// muzzy decay time of 0. Writing 0 is accepted; anything else cannot be honoured.
int ctl_muzzy_decay_ms(const CtlArgs& a) noexcept {
  long want;
  int err = 0;
  if (ctl_take_write(a, &want, &err) && want != 0) return EFAULT;
  if (err != 0) return err;
  return ctl_copy_out(a, 0L);
}

int ctl_arenas_create(const CtlArgs& a) noexcept {
  if (a.newp != nullptr || a.newlen != 0) return EPERM;  // extent hooks: not supported
  const unsigned i = arena_create_manual();
  if (i == kMaxArenas) return EAGAIN;
  return ctl_copy_out(a, i);
}

// Explicit caches: ids handed out by tcache.create until tcache.destroy, kept by
// frontend/explicit_tcache (the *allocx calls check the ids they are given). A cache
// never holds an object (MALLOCX_TCACHE(id) bypasses caching), so flushing one has
// nothing to return; the ids behave as jemalloc documents them.
namespace {
int write_tcache_id(const CtlArgs& a, bool destroy) noexcept {
  if (a.oldp != nullptr || a.oldlenp != nullptr) return EPERM;
  unsigned id;
  int err = 0;
  if (!ctl_take_write(a, &id, &err)) return err != 0 ? err : EINVAL;
  const bool ok = destroy ? explicit_tcache_destroy(id) : explicit_tcache_flush(id);
  return ok ? 0 : EFAULT;
}
}  // namespace

int ctl_tcache_create(const CtlArgs& a) noexcept {
  if (a.newp != nullptr || a.newlen != 0) return EPERM;
  const unsigned id = explicit_tcache_create();
  if (id == kMaxExplicitCaches) return EAGAIN;
  return ctl_copy_out(a, id);
}
int ctl_tcache_flush(const CtlArgs& a) noexcept { return write_tcache_id(a, false); }
int ctl_tcache_destroy(const CtlArgs& a) noexcept { return write_tcache_id(a, true); }

int ctl_background_thread(const CtlArgs& a) noexcept {
  const bool old = background_stats().purging;
  bool want;
  int err = 0;
  if (ctl_take_write(a, &want, &err) && !background_set(want)) return EAGAIN;
  if (err != 0) return err;
  return ctl_copy_out(a, old);
}
int ctl_opt_background_thread(const CtlArgs& a) noexcept {
  const Options& o = options();
  return ctl_read_only(a, o.background_purge || o.daemon);
}
int ctl_stats_background_num_threads(const CtlArgs& a) noexcept {
  return ctl_read_only(a, static_cast<std::size_t>(background_stats().running ? 1 : 0));
}
int ctl_stats_background_num_runs(const CtlArgs& a) noexcept { return ctl_read_only(a, background_stats().runs); }
int ctl_stats_background_run_interval(const CtlArgs& a) noexcept {
  return ctl_read_only(a, background_stats().interval_ns);
}

bool ctl_stats_arena_index_ok(const std::size_t* mib, std::size_t depth) noexcept {
  const std::size_t i = mib[depth];
  if (ctl_all_arenas(i)) return true;
  return with_snapshot([i](Snapshot& s) {
           const ArenaSnapshot* as = s.arena(i);
           return as != nullptr && as->initialized ? 0 : ENOENT;
         }) == 0;
}

int ctl_stats_bin_occupancy(const CtlArgs& a) noexcept {
  return with_snapshot([&](Snapshot& s) {
    const ArenaSnapshot* as = s.arena(a.mib[2]);
    if (as == nullptr) return ENOENT;
    return ctl_read_only(a, bin_occupancy(as->bins[a.mib[4]], static_cast<unsigned>(a.mib[4])));
  });
}

}  // namespace bento
