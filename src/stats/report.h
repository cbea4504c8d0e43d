// stats/report.h: the statistics report (malloc_stats_print), in text, JSON or Prometheus, and the
// numbers glibc's stats calls answer with. The report works on a private copy of a fresh
// snapshot and holds no allocator lock while it calls write_cb, so a slow callback, or
// one that allocates or reads mallctl, stalls nothing; one that prints the report again is
// told so instead of deadlocking. Output goes through a fixed buffer: nothing here
// allocates.
//
// g_report_lock (report.cc) guards the private copy.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento {

using StatsWriteCb = void (*)(void* opaque, const char* text);

// jemalloc's letters: J JSON; g m a b l x omit general info, merged stats, per-arena
// stats, bins, large classes, lock tables. Others (d e h, unknown) are ignored. bento's
// own: P Prometheus's text exposition format (doc/stats.md).
enum class ReportFormat : unsigned char { kText, kJson, kPrometheus };
struct ReportOptions {
  ReportFormat format = ReportFormat::kText;
  bool general = true;
  bool merged = true;
  bool per_arena = true;
  bool bins = true;
  bool large = true;
  bool locks = true;
};
ReportOptions parse_report_options(const char* opts) noexcept;

// The report. write_cb null: stderr.
void stats_print(StatsWriteCb write_cb, void* opaque, const char* opts) noexcept;

// What glibc's mallinfo2 reports, from bento's counters (see doc/stats.md).
struct MallinfoNumbers {
  std::size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};
MallinfoNumbers stats_mallinfo() noexcept;
// glibc's malloc_stats text, and malloc_info's XML (options must be 0).
void stats_malloc_stats(StatsWriteCb write_cb, void* opaque) noexcept;
void stats_malloc_info(StatsWriteCb write_cb, void* opaque) noexcept;
// malloc_trim: flushes the calling thread's cache and purges every arena; true if any
// memory went back to the OS.
bool stats_trim() noexcept;

// The report at exit (opt.stats_print), to stderr or opt.stats_print_file ("%p": pid).
void stats_print_at_exit() noexcept;

}  // namespace bento
