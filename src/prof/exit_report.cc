// prof/exit_report.cc: opt.prof_final and opt.prof_leak (exit_report.h). Runs once, in
// the library destructor, after the program's own destructors; scratch memory comes from
// the OS.
#include "prof/exit_report.h"

#include "base/fixed_writer.h"
#include "base/select.h"
#include "config/options.h"
#include "platform/log.h"
#include "platform/os.h"
#include "prof/profile_writer.h"
#include "prof/sample_table.h"
#include "prof/sampler.h"
#include "prof/scratch.h"
#include "prof/stack_print.h"

namespace bento {

namespace {

constexpr unsigned kLeakSites = 20;
constexpr unsigned kLeakFrames = 12;

void line(FixedWriter& w) noexcept {
  w.put("\n");
  os::write_stderr(w.view());
  w.clear();
}

void leak_report() noexcept {
  Scratch<ProfSiteCounts> scratch;
  const std::size_t m = scratch.fill([](ProfSiteCounts* out, std::size_t cap) { return prof_copy_sites(out, cap, false); });
  ProfSiteCounts* sites = scratch.get();
  if (sites == nullptr) return;
  double total = 0, objects = 0;
  for (std::size_t i = 0; i < m; ++i) {
    total += sites[i].inuse_bytes;
    objects += sites[i].inuse_objects;
  }
  char buf[512];
  FixedWriter w(buf, sizeof(buf));
  w.print("bento: prof_leak: about {} bytes in {} objects still allocated at exit (sampled, one sample per {} bytes on average)",
          static_cast<std::uint64_t>(total + 0.5), static_cast<std::uint64_t>(objects + 0.5),
          std::uint64_t{1} << prof_lg_sample());
  line(w);
  // The largest sites first: a selection of the top kLeakSites, moved to the front.
  for (unsigned k = 0; k < kLeakSites && k < m; ++k) {
    move_largest_to(sites, k, m, [](const ProfSiteCounts& s) { return s.inuse_bytes; });
    const ProfSiteCounts& c = sites[k];
    if (c.inuse_bytes < 0.5) break;
    w.print("bento:   {} bytes in {} objects of {} bytes, allocated at:", static_cast<std::uint64_t>(c.inuse_bytes + 0.5),
            static_cast<std::uint64_t>(c.inuse_objects + 0.5), c.site->usize);
    line(w);
    print_stack(c.site->pcs, c.site->depth < kLeakFrames ? c.site->depth : kLeakFrames);
  }
}

}  // namespace

void prof_at_exit() noexcept {
  if (!prof_enabled()) return;
  const Options& o = options();
  if (o.prof_final) {
    char name[512];
    const int e = prof_dump_file(nullptr, ProfileKind::kNow, 'f', name, sizeof(name));
    if (e != 0) log_warning("prof_final: cannot write '{}' (errno {}): no profile at exit", name, e);
  }
  if (o.prof_leak) leak_report();
}

}  // namespace bento
