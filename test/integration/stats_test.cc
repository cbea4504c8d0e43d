// The statistics report and glibc's stats calls: every section in text, JSON that parses
// and agrees with mallctl at the same epoch, no allocation while printing, callbacks that
// misbehave, and mallinfo2 / malloc_info / malloc_stats / malloc_trim.
#define BOOST_TEST_MODULE stats
#include <boost/test/unit_test.hpp>

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nlohmann/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "bento/bento.h"
#include "../support/errno_check.h"
#include "../support/busy_threads.h"
#include "../support/subprocess.h"

extern "C" void malloc_stats_print(void (*)(void*, const char*), void*, const char*);

namespace {
void append(void* opaque, const char* text) { static_cast<std::string*>(opaque)->append(text); }

std::string report(const char* opts) {
  std::string out;
  out.reserve(1 << 20);
  bento_stats_print(append, &out, opts);
  return out;
}

template <class T>
T read(const std::string& name) {
  T v{};
  size_t len = sizeof(v);
  BOOST_REQUIRE_MESSAGE(bento_mallctl(name.c_str(), &v, &len, nullptr, 0) == 0, name);
  return v;
}

void refresh() {
  std::uint64_t e = 1;
  BOOST_REQUIRE(bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e)) == 0);
}

void* volatile g_sink;
void* opaque(void* p) {
  g_sink = p;
  return g_sink;
}

// A fixed buffer the no-allocation test writes into.
char g_buf[1 << 20];
size_t g_used = 0;
void into_buffer(void*, const char* text) {
  const size_t n = strlen(text);
  if (g_used + n < sizeof(g_buf)) {
    memcpy(g_buf + g_used, text, n);
    g_used += n;
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(text_report_has_every_section) {
  std::vector<void*> keep;
  for (int i = 0; i < 100; ++i) keep.push_back(opaque(malloc(static_cast<size_t>(i) * 300 + 1)));
  keep.push_back(opaque(malloc(40000)));
  keep.push_back(opaque(malloc(5u << 20)));
  const std::string t = report("");
  for (const char* section : {"___ Begin bento statistics ___", "bento_version: \"", "opt:", "  narenas: ",
                              "arenas:", "stats:", "  allocated: ", "mutexes:", "lock ctl:", "merged:",
                              "arena ", "occupancy: ", "pdirty: ", "small:", "large:", "huge:",
                              "contention:", "trylock_failures", "favourite_switches", "bins:", "lruns:",
                              "--- End bento statistics ---"}) {
    BOOST_TEST(t.find(section) != std::string::npos, "missing: " << section);
  }
  // Letters leave sections out; unknown letters are ignored.
  const std::string lean = report("gbxlaZQ");
  BOOST_TEST(lean.find("bento_version:") == std::string::npos);
  BOOST_TEST(lean.find("bins:") == std::string::npos);
  BOOST_TEST(lean.find("contention:") == std::string::npos);
  BOOST_TEST(lean.find("arena ") == std::string::npos);
  BOOST_TEST(lean.find("merged:") != std::string::npos);
  BOOST_TEST(report("m").find("merged:") == std::string::npos);
  for (void* p : keep) free(p);
}

BOOST_AUTO_TEST_CASE(json_parses_and_equals_mallctl_at_the_same_epoch) {
  void* big = opaque(malloc(3u << 20));
  const auto doc = nlohmann::json::parse(report("J"));
  const auto& b = doc.at("bento");
  BOOST_TEST(b.at("version").get<int>() == 2);
  const auto& st = b.at("stats");
  BOOST_TEST(st.at("epoch").get<uint64_t>() == read<uint64_t>("epoch"));
  for (const char* k : {"allocated", "active", "metadata", "resident", "mapped", "retained"}) {
    BOOST_TEST(st.at(k).get<size_t>() == read<size_t>(std::string("stats.") + k), k);
  }
  const auto& merged = b.at("stats.arenas").at("merged");
  BOOST_TEST(merged.at("pactive").get<size_t>() == read<size_t>("stats.arenas.4096.pactive"));
  BOOST_TEST(merged.at("huge").at("allocated").get<size_t>() == read<size_t>("stats.arenas.4096.huge.allocated"));
  BOOST_TEST(merged.at("contention").at("lock_ops").get<uint64_t>() ==
             read<uint64_t>("stats.arenas.4096.contention.lock_ops"));
  const auto& bins = merged.at("bins");
  BOOST_REQUIRE(bins.size() == read<unsigned>("arenas.nbins"));
  for (unsigned j = 0; j < bins.size(); ++j) {
    const std::string base = "stats.arenas.4096.bins." + std::to_string(j) + ".";
    BOOST_TEST(bins[j].at("nmalloc").get<uint64_t>() == read<uint64_t>(base + "nmalloc"));
    BOOST_TEST(bins[j].at("curregs").get<size_t>() == read<size_t>(base + "curregs"));
    BOOST_TEST(bins[j].at("occupancy").get<uint64_t>() == read<uint64_t>(base + "occupancy"));
  }
  for (auto it = b.at("stats.arenas").begin(); it != b.at("stats.arenas").end(); ++it) {
    if (it.key() == "merged") continue;
    BOOST_TEST(it.value().at("allocated").get<size_t>() ==
               read<size_t>("stats.arenas." + it.key() + ".allocated"));
  }
  // Every number of the merged view is its mallctl leaf's (both come from the stat table).
  int compared = 0;
  for (const auto& [key, v] : merged.items()) {
    if (!v.is_number_unsigned()) continue;
    const std::string name = "stats.arenas.4096." + key;
    uint64_t leaf = 0;
    size_t len = sizeof(leaf);
    if (bento_mallctl(name.c_str(), &leaf, &len, nullptr, 0) != 0) {
      uint32_t small = 0;  // a 4-byte leaf (nthreads)
      len = sizeof(small);
      BOOST_TEST_REQUIRE(bento_mallctl(name.c_str(), &small, &len, nullptr, 0) == 0, name);
      leaf = small;
    }
    BOOST_TEST(v.get<uint64_t>() == leaf, name);
    ++compared;
  }
  BOOST_TEST(compared >= 20);
  BOOST_TEST(b.at("opt").at("narenas").get<unsigned>() == read<unsigned>("opt.narenas"));
  BOOST_TEST(b.at("arenas").at("bin").size() == bins.size());
  free(big);
}

// Prometheus's text exposition format (letter P): each family's HELP and TYPE, then all
// its samples together; counters end in _total. Returns the families, and the value of
// bento_allocated_bytes in *allocated.
struct Exposition {
  std::vector<std::string> families;
  size_t samples = 0;
  double allocated = -1;
};
Exposition check_exposition(const std::string& p) {
  Exposition x;
  std::string current, type;
  size_t pos = 0;
  while (pos < p.size()) {
    const size_t end = p.find('\n', pos);
    BOOST_REQUIRE(end != std::string::npos);
    const std::string line = p.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# HELP ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      for (const auto& f : x.families) BOOST_TEST(f != current, "family " << current << " written twice");
      x.families.push_back(current);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      type = line.substr(line.rfind(' ') + 1);
      BOOST_TEST((type == "counter" || type == "gauge"), line);
      BOOST_TEST((type != "counter" || current.size() > 6), line);
      if (type == "counter") BOOST_TEST(current.substr(current.size() - 6) == "_total", line);
      continue;
    }
    const size_t brace = line.find('{');
    BOOST_REQUIRE_MESSAGE(brace != std::string::npos, line);
    BOOST_TEST(line.substr(0, brace) == current, "sample outside its family: " << line);
    BOOST_TEST(line.find("pid=\"") == brace + 1, line);
    const double v = std::stod(line.substr(line.rfind(' ') + 1));
    if (current == "bento_allocated_bytes") x.allocated = v;
    ++x.samples;
  }
  return x;
}

BOOST_AUTO_TEST_CASE(prometheus_families_are_whole_and_agree_with_mallctl) {
  void* big = opaque(malloc(3u << 20));
  const std::string p = report("P");
  const Exposition x = check_exposition(p);
  BOOST_TEST(x.families.size() > 50u);
  BOOST_TEST(x.samples > x.families.size());
  read<uint64_t>("epoch");
  BOOST_TEST(x.allocated > 3e6);
  BOOST_TEST(p.find("bento_arena_bin_nmalloc_total{pid=") != std::string::npos);
  BOOST_TEST(p.find("bento_arena_contention_wait_seconds_total{") != std::string::npos);
  free(big);
}

// More values than the emitter remembers families for (PrometheusEmitter::kMaxValues):
// every class in use in 24 arenas. Those past the limit are named on every pass; the
// families must still come whole, each sample under its own.
BOOST_AUTO_TEST_CASE(prometheus_families_are_whole_with_many_arenas_in_use) {
  std::vector<std::pair<void*, int>> keep;
  unsigned a = 0;
  for (int i = 0; i < 24; ++i) {
    size_t len = sizeof(a);
    BOOST_REQUIRE(bento_mallctl("arenas.create", &a, &len, nullptr, 0) == 0);
    const int flags = BENTO_MALLOCX_ARENA(a) | BENTO_MALLOCX_TCACHE_NONE;
    for (size_t size = 16; size <= (512u << 10); size += size / 4) keep.emplace_back(bento_mallocx(size, flags), flags);
  }
  const std::string p = report("P");
  const Exposition x = check_exposition(p);
  BOOST_TEST(x.samples > 9000u, "only " << x.samples << " samples: the case does not pass the limit");
  // The last arena's bins are past the limit: present, and in their family.
  BOOST_TEST(p.find("bento_arena_bin_curregs{") != std::string::npos);
  size_t bin_samples = 0, last_arena = 0;
  const std::string last = "arena=\"" + std::to_string(a) + "\",bin=";
  for (size_t at = p.find("bento_arena_bin_curregs{"); at != std::string::npos;
       at = p.find("bento_arena_bin_curregs{", at + 1)) {
    ++bin_samples;
    if (p.substr(at, p.find('\n', at) - at).find(last) != std::string::npos) ++last_arena;
  }
  BOOST_TEST(bin_samples >= 24u * 20u);
  BOOST_TEST(last_arena >= 20u, last_arena << " bins of the last arena");
  for (auto& [ptr, flags] : keep) bento_dallocx(ptr, flags);
}

BOOST_AUTO_TEST_CASE(printing_allocates_nothing) {
  // Warm up: the first report sets up its snapshot storage.
  bento_stats_print(into_buffer, nullptr, "");
  for (const char* opts : {"", "J", "gm", "P"}) {
    g_used = 0;
    uint64_t before = 0, after = 0;
    size_t len = sizeof(before);
    bento_mallctl("thread.allocated", &before, &len, nullptr, 0);  // (no std::string here)
    bento_stats_print(into_buffer, nullptr, opts);
    bento_mallctl("thread.allocated", &after, &len, nullptr, 0);
    BOOST_TEST(after == before, "opts '" << opts << "' allocated " << after - before << " bytes");
    BOOST_TEST(g_used > 1000u);
  }
}

BOOST_AUTO_TEST_CASE(callbacks_that_allocate_or_recurse_do_not_deadlock) {
  std::string out;
  int calls = 0;
  struct Ctx {
    std::string* out;
    int* calls;
  } ctx{&out, &calls};
  bento_stats_print(
      [](void* p, const char* text) {
        auto* c = static_cast<Ctx*>(p);
        c->out->append(text);  // allocates
        size_t v, len = sizeof(v);
        bento_mallctl("stats.allocated", &v, &len, nullptr, 0);  // takes the ctl lock
        if ((*c->calls)++ == 0) malloc_stats_print(append, c->out, "");  // prints again
      },
      &ctx, "");
  BOOST_TEST(calls > 1);
  BOOST_TEST(out.find("called from its own write callback") != std::string::npos);
  BOOST_TEST(out.find("--- End bento statistics ---") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(null_callback_writes_to_stderr) {
  const auto r = bento::test::run_in_child([] { malloc_stats_print(nullptr, nullptr, "J"); });
  BOOST_TEST(r.exited);
  BOOST_TEST(nlohmann::json::parse(r.err).contains("bento"));
}

BOOST_AUTO_TEST_CASE(mallinfo2_agrees_with_mallctl) {
  void* h = opaque(malloc(7u << 20));
  const struct mallinfo2 m = mallinfo2();
  // mallinfo2 refreshed the snapshot; mallctl reads the same one.
  BOOST_TEST(m.uordblks + m.hblkhd == read<size_t>("stats.allocated"));
  BOOST_TEST(m.hblkhd == read<size_t>("stats.arenas.4096.huge.allocated"));
  BOOST_TEST(m.hblks >= 1u);
  BOOST_TEST(m.arena == read<size_t>("stats.arenas.4096.mapped"));
  BOOST_TEST(m.arena == m.uordblks + m.fordblks);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const struct mallinfo old = mallinfo();  // deprecated by glibc, still answered
#pragma GCC diagnostic pop
  BOOST_TEST(old.hblkhd == static_cast<int>(m.hblkhd));
  free(h);
}

BOOST_AUTO_TEST_CASE(malloc_info_and_malloc_stats_have_glibc_shape) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  BOOST_REQUIRE(malloc_info(0, f) == 0);
  fclose(f);
  const std::string xml(buf, len);
  free(buf);
  BOOST_TEST(xml.find("<malloc version=\"1\">") == 0u);
  BOOST_TEST(xml.find("<heap nr=\"") != std::string::npos);
  BOOST_TEST(xml.find("<total type=\"mmap\"") != std::string::npos);
  BOOST_TEST(xml.find("</malloc>") != std::string::npos);
  size_t opens = 0, closes = 0;
  for (size_t at = 0; (at = xml.find("<heap ", at)) != std::string::npos; ++at) ++opens;
  for (size_t at = 0; (at = xml.find("</heap>", at)) != std::string::npos; ++at) ++closes;
  BOOST_TEST(opens == closes);
  bento::test::clear_errno();
  BOOST_TEST(malloc_info(1, stdout) == -1);
  BOOST_TEST(bento::test::read_errno() == EINVAL);
  const auto r = bento::test::run_in_child([] { malloc_stats(); });
  BOOST_TEST(r.err.find("Total (incl. mmap):\nsystem bytes     =") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("in use bytes     =") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malloc_trim_returns_a_freed_burst) {
  std::vector<void*> v;
  for (int i = 0; i < 2000; ++i) {
    v.push_back(malloc(32768));  // a cached large class: the thread cache holds some
    memset(v.back(), 1, 32768);
  }
  for (void* p : v) free(p);
  uint64_t e = 1;
  bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e));
  const size_t before = read<size_t>("stats.resident");
  BOOST_TEST(malloc_trim(0) == 1);
  bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e));
  const size_t after = read<size_t>("stats.resident");
  BOOST_TEST(after + (50u << 20) < before, "resident " << before << " -> " << after);
  BOOST_TEST(malloc_trim(0) == 0);  // nothing left to give back
}

// A stats refresh takes each arena's lock for a moment. A busy thread that finds its
// favourite held by it must wait, not move on to the next arena: a reader polling every
// few milliseconds (the daemon, bench/run's memory split, a scrape) would otherwise move
// every busy thread round the arenas, each leaving a working set of dirty pages behind.
BOOST_AUTO_TEST_CASE(reading_stats_does_not_move_busy_threads_to_other_arenas) {
  const unsigned narenas = read<unsigned>("arenas.narenas");
  constexpr unsigned kBusy = 4;
  if (narenas < kBusy + 1) {
    BOOST_TEST_MESSAGE("fewer than 5 arenas: the busy threads would share them; skipped");
    return;
  }
  bento::test::BusyThreads busy(kBusy, 11);
  const auto switches = [] {
    refresh();
    return read<std::uint64_t>("stats.arenas.4096.contention.favourite_switches");
  };
  const std::uint64_t before = switches();
  // 20,000 refreshes, or 2 s of them: a debug_level=2 build walks an arena at every slow
  // path, and then manages a few hundred.
  constexpr int kRefreshes = 20000;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int done = 0;
  while (done < kRefreshes && std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 100; ++i) refresh();
    done += 100;
  }
  const std::uint64_t moved = switches() - before;
  busy.stop();
  BOOST_TEST_MESSAGE("favourite switches during " << done << " refreshes: " << moved);
  // Without the wait: about 1,300 moves here (2 cores); with it, 0 to 11.
  BOOST_TEST(moved <= 50u);
}
