// mallctl/handlers.h: the leaf handlers the node table (nodes.cc) points at. Plain ones are
// defined in handlers.cc; the per-field stats readers are templates over a member or a
// function, defined here so the table can instantiate them.
#pragma once
#include <cerrno>
#include <type_traits>

#include "config/options.h"
#include "mallctl/leaf.h"
#include "stats/snapshot.h"

namespace bento {

// version, epoch, config.*
int ctl_version(const CtlArgs& a) noexcept;
int ctl_epoch(const CtlArgs& a) noexcept;
int ctl_config_debug(const CtlArgs& a) noexcept;
int ctl_config_stats(const CtlArgs& a) noexcept;
int ctl_config_malloc_conf(const CtlArgs& a) noexcept;

// thread.*
int ctl_thread_arena(const CtlArgs& a) noexcept;
int ctl_thread_allocated(const CtlArgs& a) noexcept;
int ctl_thread_allocatedp(const CtlArgs& a) noexcept;
int ctl_thread_deallocated(const CtlArgs& a) noexcept;
int ctl_thread_deallocatedp(const CtlArgs& a) noexcept;
int ctl_thread_tcache_enabled(const CtlArgs& a) noexcept;
int ctl_thread_tcache_flush(const CtlArgs& a) noexcept;

// prof.* (the heap profiler, prof/).
int ctl_prof_active(const CtlArgs& a) noexcept;
int ctl_prof_dump(const CtlArgs& a) noexcept;
int ctl_prof_dump_peak(const CtlArgs& a) noexcept;
int ctl_prof_reset(const CtlArgs& a) noexcept;
int ctl_guard_sample(const CtlArgs& a) noexcept;
int ctl_prof_lg_sample(const CtlArgs& a) noexcept;
int ctl_prof_nsamples(const CtlArgs& a) noexcept;
int ctl_prof_nlive(const CtlArgs& a) noexcept;
int ctl_prof_nsites(const CtlArgs& a) noexcept;
int ctl_prof_live_bytes(const CtlArgs& a) noexcept;
int ctl_prof_peak_bytes(const CtlArgs& a) noexcept;

// arena.<i>.*   (mib[1] is the arena index; MALLCTL_ARENAS_ALL, or narenas as jemalloc's
// legacy spelling, means every arena)
bool ctl_all_arenas(std::size_t i) noexcept;
bool ctl_arena_index_ok(const std::size_t* mib, std::size_t depth) noexcept;
int ctl_arena_initialized(const CtlArgs& a) noexcept;
int ctl_arena_purge(const CtlArgs& a) noexcept;
int ctl_arena_decay(const CtlArgs& a) noexcept;
int ctl_arena_dirty_decay_ms(const CtlArgs& a) noexcept;

// arenas.*
int ctl_arenas_narenas(const CtlArgs& a) noexcept;
int ctl_arenas_tcache_max(const CtlArgs& a) noexcept;
int ctl_arenas_dirty_decay_ms(const CtlArgs& a) noexcept;
int ctl_arenas_lookup(const CtlArgs& a) noexcept;
int ctl_arenas_create(const CtlArgs& a) noexcept;
int ctl_muzzy_decay_ms(const CtlArgs& a) noexcept;  // arena.<i>. and arenas.: always 0

// tcache.create / flush / destroy: explicit cache ids (mallctl/handlers.cc)
int ctl_tcache_create(const CtlArgs& a) noexcept;
int ctl_tcache_flush(const CtlArgs& a) noexcept;
int ctl_tcache_destroy(const CtlArgs& a) noexcept;

// background_thread, opt.background_thread, stats.background_thread.*
int ctl_background_thread(const CtlArgs& a) noexcept;
int ctl_opt_background_thread(const CtlArgs& a) noexcept;
int ctl_stats_background_num_threads(const CtlArgs& a) noexcept;
int ctl_stats_background_num_runs(const CtlArgs& a) noexcept;
int ctl_stats_background_run_interval(const CtlArgs& a) noexcept;
bool ctl_bin_index_ok(const std::size_t* mib, std::size_t depth) noexcept;
bool ctl_lrun_index_ok(const std::size_t* mib, std::size_t depth) noexcept;
int ctl_arenas_bin_size(const CtlArgs& a) noexcept;      // mib[2] = bin
int ctl_arenas_bin_nregs(const CtlArgs& a) noexcept;
int ctl_arenas_bin_run_size(const CtlArgs& a) noexcept;
int ctl_arenas_lrun_size(const CtlArgs& a) noexcept;     // mib[2] = large class

// opt.<name> of a jemalloc option bento ignores: the row's answer
// (config/jemalloc_options.def).
int ctl_jemalloc_answer(const CtlArgs& a, const char* name) noexcept;

// Constants.
template <auto V>
int ctl_constant(const CtlArgs& a) noexcept {
  return ctl_read_only(a, V);
}

// opt.<name>: the option's value, read-only.
template <std::size_t Offset, OptKind K>
int ctl_opt(const CtlArgs& a) noexcept {
  const char* field = reinterpret_cast<const char*>(&options()) + Offset;
  if constexpr (K == OptKind::Bool) return ctl_read_only(a, *reinterpret_cast<const bool*>(field));
  if constexpr (K == OptKind::Unsigned) return ctl_read_only(a, *reinterpret_cast<const unsigned*>(field));
  if constexpr (K == OptKind::Size) return ctl_read_only(a, *reinterpret_cast<const std::size_t*>(field));
  if constexpr (K == OptKind::Int) return ctl_read_only(a, static_cast<long>(*reinterpret_cast<const std::int64_t*>(field)));
  if constexpr (K == OptKind::String) {
    const char* s = reinterpret_cast<const opt_types::String*>(field)->c_str();
    return ctl_read_only(a, s);
  }
}
constexpr CtlType ctl_opt_type(OptKind k) noexcept {
  switch (k) {
    case OptKind::Bool: return CtlType::kBool;
    case OptKind::Unsigned: return CtlType::kUnsigned;
    case OptKind::Size: return CtlType::kSize;
    case OptKind::Int: return CtlType::kSsize;
    case OptKind::String: return CtlType::kString;
  }
  return CtlType::kVoid;
}

// ---- stats.* ----
// Runs fn(snapshot) under the ctl lock; the first stats read ever refreshes once. A
// resident_mincore leaf (Residency) has the epoch's residency measured first.
template <bool Residency = false, class F>
int with_snapshot(F&& fn) noexcept {
  CtlGuard g;
  Snapshot& s = g.snapshot();
  if (s.epoch == 0 && !g.refresh()) return EAGAIN;
  if (Residency && !g.measure_residency()) return EAGAIN;
  return fn(s);
}
// Whether a stat member is a resident_mincore figure, the only ones the refresh leaves
// to measure_residency.
template <auto Field, auto Residency>
constexpr bool is_field() noexcept {
  if constexpr (std::is_same_v<decltype(Field), decltype(Residency)>) {
    return Field == Residency;
  } else {
    return false;
  }
}
bool ctl_stats_arena_index_ok(const std::size_t* mib, std::size_t depth) noexcept;

// The leaf type a stat table's type column names (config/stat_fields.h).
#define BENTO_CTL_STAT_TYPE(type) CtlType::k##type

template <auto Field>  // stats.<name>: a member of Snapshot
int ctl_stats_global(const CtlArgs& a) noexcept {
  constexpr bool residency = is_field<Field, &Snapshot::resident_mincore>();
  return with_snapshot<residency>([&](Snapshot& s) { return ctl_read_only(a, s.*Field); });
}
template <auto Field>  // stats.chunk_pool.<name>
int ctl_stats_pool(const CtlArgs& a) noexcept {
  return with_snapshot([&](Snapshot& s) { return ctl_read_only(a, s.pool.*Field); });
}
// stats.arenas.<i>.<...>: fn(const ArenaSnapshot&), mib[2] = arena.
template <bool Residency = false, class F>
int with_arena_snapshot(const CtlArgs& a, F&& fn) noexcept {
  return with_snapshot<Residency>([&](Snapshot& s) {
    const ArenaSnapshot* as = s.arena(a.mib[2]);
    return as == nullptr ? ENOENT : ctl_read_only(a, fn(*as));
  });
}
template <auto Fn>  // a function of the arena's snapshot
int ctl_stats_arena(const CtlArgs& a) noexcept {
  return with_arena_snapshot(a, Fn);
}
template <auto Field>  // a member of ArenaSnapshot
int ctl_stats_arena_member(const CtlArgs& a) noexcept {
  constexpr bool residency = is_field<Field, &ArenaSnapshot::resident_mincore>();
  return with_arena_snapshot<residency>(a, [](const ArenaSnapshot& s) { return s.*Field; });
}
template <auto Part, auto Field>  // a member of one of its parts: pages, huge, lock
int ctl_stats_arena_part(const CtlArgs& a) noexcept {
  return with_arena_snapshot(a, [](const ArenaSnapshot& s) { return (s.*Part).*Field; });
}
template <auto Field>  // stats.arenas.<i>.bins.<j>.<field>
int ctl_stats_bin(const CtlArgs& a) noexcept {
  return with_arena_snapshot(a, [&](const ArenaSnapshot& s) { return s.bins[a.mib[4]].*Field; });
}
template <auto Field>  // stats.arenas.<i>.lruns.<j>.<field> (and lextents)
int ctl_stats_lrun(const CtlArgs& a) noexcept {
  return with_arena_snapshot(a, [&](const ArenaSnapshot& s) { return s.lruns[a.mib[4]].*Field; });
}
int ctl_stats_bin_occupancy(const CtlArgs& a) noexcept;
template <unsigned Lock, auto Fn>  // stats.mutexes.<lock>.<field>
int ctl_stats_global_mutex(const CtlArgs& a) noexcept {
  return with_snapshot([&](Snapshot& s) { return ctl_read_only(a, Fn(s.global_locks[Lock])); });
}

}  // namespace bento
