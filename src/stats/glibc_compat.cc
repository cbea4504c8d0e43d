// stats/glibc_compat.cc: the numbers behind glibc's mallinfo2, malloc_stats, malloc_info
// and malloc_trim, answered from bento's own counters (a fresh snapshot each call) so
// tools that call them work under LD_PRELOAD. The mapping is in doc/stats.md.
#include <cstring>

#include "frontend/purge.h"
#include "stats/report.h"
#include "stats/report_out.h"
#include "stats/snapshot.h"

namespace bento {

namespace {
std::size_t free_regions(const ArenaSnapshot& a, unsigned c) noexcept {
  const BinStats& b = a.bins[c];
  return b.curruns * kClasses[c].nregs - b.curregs;
}
std::size_t arena_in_use(const ArenaSnapshot& a) noexcept { return a.allocated() - a.huge.allocated; }
}  // namespace

MallinfoNumbers stats_mallinfo() noexcept {
  CtlGuard g;
  MallinfoNumbers m{};
  if (!g.refresh()) return m;
  const ArenaSnapshot& all = g.snapshot().merged();
  m.arena = all.mapped;
  for (unsigned c = 0; c < kNumSmallClasses; ++c) m.ordblks += free_regions(all, c);
  m.hblks = all.huge.curobjs;
  m.hblkhd = all.huge.allocated;
  m.uordblks = arena_in_use(all) + g.snapshot().guarded;  // the guard pool's objects too
  m.fordblks = m.arena > m.uordblks ? m.arena - m.uordblks : 0;
  m.keepcost = all.pages.pdirty * kPageSize;
  return m;
}

void stats_malloc_stats(StatsWriteCb write_cb, void* opaque) noexcept {
  ReportOut o(write_cb, opaque);
  CtlGuard g;
  if (!g.refresh()) return;
  const Snapshot& s = g.snapshot();
  for (unsigned i = 0; i < s.narenas; ++i) {
    const ArenaSnapshot& a = s.arenas[i];
    if (!a.initialized) continue;
    o.print("Arena {}:\nsystem bytes     = {:>10}\nin use bytes     = {:>10}\n", i, a.mapped, arena_in_use(a));
  }
  const ArenaSnapshot& all = s.arenas[s.narenas];
  o.print("Total (incl. mmap):\nsystem bytes     = {:>10}\nin use bytes     = {:>10}\n",
          all.mapped + all.huge.mapped, s.allocated);
  o.print("max mmap regions = {:>10}\nmax mmap bytes   = {:>10}\n", all.huge.curobjs, all.huge.mapped);
}

void stats_malloc_info(StatsWriteCb write_cb, void* opaque) noexcept {
  ReportOut o(write_cb, opaque);
  CtlGuard g;
  if (!g.refresh()) return;
  const Snapshot& s = g.snapshot();
  o.put("<malloc version=\"1\">\n");
  std::size_t rest_count = 0, rest_size = 0;
  for (unsigned i = 0; i < s.narenas; ++i) {
    const ArenaSnapshot& a = s.arenas[i];
    if (!a.initialized) continue;
    o.print("<heap nr=\"{}\">\n<sizes>\n", i);
    std::size_t count = 0, size = 0;
    for (unsigned c = 0; c < kNumSmallClasses; ++c) {
      const std::size_t n = free_regions(a, c);
      if (n == 0) continue;
      const std::size_t from = c == 0 ? 1 : class_bytes(c - 1) + 1;
      o.print("  <size from=\"{}\" to=\"{}\" total=\"{}\" count=\"{}\"/>\n", from, class_bytes(c),
              n * class_bytes(c), n);
      count += n;
      size += n * class_bytes(c);
    }
    // Free pages of the arena's chunks, as one more "size" band.
    const std::size_t free_bytes = a.pages.chunks * kMaxRunPages * kPageSize - a.pages.pactive * kPageSize;
    if (free_bytes != 0) {
      o.print("  <unsorted from=\"{}\" to=\"{}\" total=\"{}\" count=\"1\"/>\n", kPageSize, free_bytes, free_bytes);
      count += 1;
      size += free_bytes;
    }
    o.print("</sizes>\n<total type=\"fast\" count=\"0\" size=\"0\"/>\n<total type=\"rest\" count=\"{}\" size=\"{}\"/>\n",
            count, size);
    o.print("<system type=\"current\" size=\"{}\"/>\n<system type=\"max\" size=\"{}\"/>\n", a.mapped, a.mapped);
    o.print("<aspace type=\"total\" size=\"{}\"/>\n<aspace type=\"mprotect\" size=\"{}\"/>\n</heap>\n",
            a.mapped, a.mapped);
    rest_count += count;
    rest_size += size;
  }
  const ArenaSnapshot& all = s.arenas[s.narenas];
  o.print("<total type=\"fast\" count=\"0\" size=\"0\"/>\n<total type=\"rest\" count=\"{}\" size=\"{}\"/>\n",
          rest_count, rest_size);
  o.print("<total type=\"mmap\" count=\"{}\" size=\"{}\"/>\n", all.huge.curobjs, all.huge.mapped);
  o.print("<system type=\"current\" size=\"{}\"/>\n<system type=\"max\" size=\"{}\"/>\n", s.mapped, s.mapped);
  o.print("<aspace type=\"total\" size=\"{}\"/>\n<aspace type=\"mprotect\" size=\"{}\"/>\n</malloc>\n",
          s.mapped, s.mapped);
}

bool stats_trim() noexcept { return purge_now(kPurgeAllArenas) != 0; }

}  // namespace bento
