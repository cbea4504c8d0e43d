// jemalloc 5's namespace on bento, as a jemalloc 5 client uses it: the names it reads
// (slabs, large extents, background thread, zero reallocs), arena.<narenas> meaning every
// arena (Redis's MEMORY PURGE), arenas.create with thread.arena, explicit tcache ids, and
// the invariants a client relies on (stats.resident >= stats.active).
#define BOOST_TEST_MODULE jemalloc5
#include <boost/test/unit_test.hpp>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <thread>

#include "bento/bento.h"
#include "../support/mallctl_read.h"

namespace {
using bento::test::ctl_read;
using bento::test::ctl_refresh;
using bento::test::opaque;
}  // namespace

BOOST_AUTO_TEST_CASE(slab_and_extent_names_are_the_runs_and_large_classes) {
  const unsigned nbins = ctl_read<unsigned>("arenas.nbins");
  for (unsigned j = 0; j < nbins; ++j) {
    const std::string b = "arenas.bin." + std::to_string(j) + ".";
    BOOST_TEST(ctl_read<size_t>(b + "slab_size") == ctl_read<size_t>(b + "run_size"));
  }
  const unsigned nlextents = ctl_read<unsigned>("arenas.nlextents");
  BOOST_TEST(nlextents == ctl_read<unsigned>("arenas.nlruns"));
  BOOST_TEST(ctl_read<size_t>("arenas.lextent.0.size") == ctl_read<size_t>("arenas.lrun.0.size"));
  BOOST_TEST(ctl_read<size_t>("arenas.lextent.0.size") > ctl_read<size_t>("arenas.bin." + std::to_string(nbins - 1) + ".size"));

  void* small[300];
  for (auto& p : small) p = opaque(malloc(48));
  void* large = opaque(malloc(ctl_read<size_t>("arenas.lextent.0.size")));
  ctl_refresh();
  const std::string bin = "stats.arenas.4096.bins.2.";  // 48 B
  BOOST_TEST(ctl_read<size_t>(bin + "curslabs") == ctl_read<size_t>(bin + "curruns"));
  BOOST_TEST(ctl_read<size_t>(bin + "curslabs") >= 1u);
  BOOST_TEST(ctl_read<uint64_t>(bin + "nslabs") == ctl_read<uint64_t>(bin + "nruns"));
  BOOST_TEST(ctl_read<size_t>(bin + "nonfull_slabs") <= ctl_read<size_t>(bin + "curslabs"));
  BOOST_TEST(ctl_read<uint64_t>(bin + "nreslabs") == ctl_read<uint64_t>(bin + "reruns"));
  const std::string lx = "stats.arenas.4096.lextents.0.";
  BOOST_TEST(ctl_read<uint64_t>(lx + "nmalloc") >= 1u);
  BOOST_TEST(ctl_read<size_t>(lx + "curlextents") == ctl_read<size_t>("stats.arenas.4096.lruns.0.curruns"));
  BOOST_TEST(ctl_read<uint64_t>(lx + "nrequests") == ctl_read<uint64_t>("stats.arenas.4096.lruns.0.nrequests"));
  free(large);
  for (void* p : small) free(p);
}

BOOST_AUTO_TEST_CASE(arena_narenas_is_every_arena) {
  const unsigned n = ctl_read<unsigned>("arenas.narenas");
  const std::string all = "arena." + std::to_string(n) + ".";
  // Dirty pages in some arena, then the legacy "all arenas" purge (what Redis calls).
  void* blocks[64];
  for (auto& p : blocks) {
    p = opaque(malloc(256 << 10));
    memset(p, 1, 256 << 10);
  }
  for (void* p : blocks) free(p);
  BOOST_REQUIRE(bento_mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0) == 0);
  BOOST_TEST(bento_mallctl((all + "purge").c_str(), nullptr, nullptr, nullptr, 0) == 0);
  ctl_refresh();
  BOOST_TEST(ctl_read<size_t>("stats.arenas." + std::to_string(n) + ".pdirty") == 0u);
  BOOST_TEST(ctl_read<size_t>("stats.arenas.4096.pdirty") == 0u);
  BOOST_TEST(bento_mallctl((all + "decay").c_str(), nullptr, nullptr, nullptr, 0) == 0);
  // One past it is no arena; an action given a value is refused.
  const std::string past = "arena." + std::to_string(n + 1) + ".purge";
  BOOST_TEST(bento_mallctl(past.c_str(), nullptr, nullptr, nullptr, 0) == ENOENT);
  int one = 1;
  BOOST_TEST(bento_mallctl((all + "purge").c_str(), nullptr, nullptr, &one, sizeof(one)) == EPERM);
  // A decay time written to every arena is what the merged view says.
  ssize_t ms = 500;
  BOOST_TEST(bento_mallctl("arena.4096.dirty_decay_ms", nullptr, nullptr, &ms, sizeof(ms)) == 0);
  ctl_refresh();
  BOOST_TEST(ctl_read<ssize_t>("stats.arenas.4096.dirty_decay_ms") == 500);
  ms = 10000;
  BOOST_TEST(bento_mallctl((all + "dirty_decay_ms").c_str(), nullptr, nullptr, &ms, sizeof(ms)) == 0);
  ctl_refresh();
  BOOST_TEST(ctl_read<ssize_t>("stats.arenas.4096.dirty_decay_ms") == 10000);
}

BOOST_AUTO_TEST_CASE(resident_is_never_below_active) {
  for (int round = 0; round < 3; ++round) {
    void* p = opaque(malloc(static_cast<size_t>(round + 1) << 22));
    memset(p, 1, 4096);
    ctl_refresh();
    BOOST_TEST(ctl_read<size_t>("stats.resident") >= ctl_read<size_t>("stats.active"));
    BOOST_TEST(ctl_read<size_t>("stats.mapped") >= ctl_read<size_t>("stats.resident"));
    free(p);
    BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
    ctl_refresh();
    BOOST_TEST(ctl_read<size_t>("stats.resident") >= ctl_read<size_t>("stats.active"));
  }
}

BOOST_AUTO_TEST_CASE(arenas_create_gives_an_arena_a_thread_can_move_to) {
  const unsigned before = ctl_read<unsigned>("arenas.narenas");
  unsigned index = 0;
  size_t len = sizeof(index);
  BOOST_REQUIRE(bento_mallctl("arenas.create", &index, &len, nullptr, 0) == 0);
  BOOST_TEST(index == before);
  BOOST_TEST(ctl_read<unsigned>("arenas.narenas") == before + 1);
  BOOST_TEST(ctl_read<bool>("arena." + std::to_string(index) + ".initialized"));
  // A thread moved there allocates there, and stays there under its own load.
  unsigned found = 0, stayed = 0;
  std::thread t([&] {
    unsigned i = index;
    if (bento_mallctl("thread.arena", nullptr, nullptr, &i, sizeof(i)) != 0) return;
    for (int k = 0; k < 200; ++k) {
      void* p = opaque(malloc(20000 + k));
      void* q = p;
      unsigned owner = 0;
      size_t olen = sizeof(owner);
      bento_mallctl("arenas.lookup", &owner, &olen, &q, sizeof(q));
      found += owner == index;
      free(p);
    }
    unsigned now = 0;
    size_t nlen = sizeof(now);
    bento_mallctl("thread.arena", &now, &nlen, nullptr, 0);
    stayed = now == index;
  });
  t.join();
  BOOST_TEST(found == 200u);
  BOOST_TEST(stayed == 1u);
  ctl_refresh();
  const std::string s = "stats.arenas." + std::to_string(index) + ".";
  BOOST_TEST(ctl_read<size_t>(s + "chunks") >= 1u);  // its own chunks served them
  // The all-arenas index is narenas now: the new arena is one of them.
  BOOST_TEST(bento_mallctl(("arena." + std::to_string(before + 1) + ".purge").c_str(), nullptr, nullptr, nullptr, 0) == 0);
}

BOOST_AUTO_TEST_CASE(explicit_tcache_ids_behave_as_documented) {
  unsigned a = 0, b = 0;
  size_t len = sizeof(a);
  BOOST_REQUIRE(bento_mallctl("tcache.create", &a, &len, nullptr, 0) == 0);
  BOOST_REQUIRE(bento_mallctl("tcache.create", &b, &len, nullptr, 0) == 0);
  BOOST_TEST(a != b);
  BOOST_TEST(bento_mallctl("tcache.flush", nullptr, nullptr, &a, sizeof(a)) == 0);
  BOOST_TEST(bento_mallctl("tcache.destroy", nullptr, nullptr, &a, sizeof(a)) == 0);
  BOOST_TEST(bento_mallctl("tcache.flush", nullptr, nullptr, &a, sizeof(a)) == EFAULT);
  BOOST_TEST(bento_mallctl("tcache.destroy", nullptr, nullptr, &a, sizeof(a)) == EFAULT);
  unsigned bad = 99999;
  BOOST_TEST(bento_mallctl("tcache.destroy", nullptr, nullptr, &bad, sizeof(bad)) == EFAULT);
  BOOST_TEST(bento_mallctl("tcache.destroy", nullptr, nullptr, &b, sizeof(b)) == 0);
  unsigned c = 0;
  BOOST_REQUIRE(bento_mallctl("tcache.create", &c, &len, nullptr, 0) == 0);
  BOOST_TEST((c == a || c == b));  // ids are reused
  BOOST_TEST(bento_mallctl("tcache.destroy", nullptr, nullptr, &c, sizeof(c)) == 0);
}

BOOST_AUTO_TEST_CASE(background_thread_switches_the_helper_thread) {
  const bool opt = ctl_read<bool>("opt.background_thread");
  BOOST_TEST(opt == ctl_read<bool>("opt.background_purge"));
  bool on = true, old = false;
  size_t len = sizeof(old);
  BOOST_REQUIRE(bento_mallctl("background_thread", &old, &len, &on, sizeof(on)) == 0);
  BOOST_TEST(ctl_read<bool>("background_thread"));
  BOOST_TEST(ctl_read<size_t>("stats.background_thread.num_threads") == 1u);
  bool off = false;
  BOOST_REQUIRE(bento_mallctl("background_thread", nullptr, nullptr, &off, sizeof(off)) == 0);
  BOOST_TEST(!ctl_read<bool>("background_thread"));
  const uint64_t runs = ctl_read<uint64_t>("stats.background_thread.num_runs");
  BOOST_TEST(ctl_read<uint64_t>("stats.background_thread.run_interval") >= 0u);
  BOOST_REQUIRE(bento_mallctl("background_thread", nullptr, nullptr, &on, sizeof(on)) == 0);
  BOOST_TEST(ctl_read<uint64_t>("stats.background_thread.num_runs") >= runs);
}

BOOST_AUTO_TEST_CASE(zero_reallocs_counts_realloc_to_zero) {
  ctl_refresh();
  const size_t before = ctl_read<size_t>("stats.zero_reallocs");
  for (int i = 0; i < 5; ++i) BOOST_TEST(realloc(opaque(malloc(100)), 0) == nullptr);
  ctl_refresh();
  BOOST_TEST(ctl_read<size_t>("stats.zero_reallocs") == before + 5);
}

// Names of jemalloc 5 for what bento does not have answer as jemalloc would describe
// bento (no sbrk, no muzzy stage, one helper thread), so a client's reads succeed.
BOOST_AUTO_TEST_CASE(names_for_what_bento_lacks_describe_bento) {
  BOOST_TEST(std::string(ctl_read<const char*>("opt.dss")) == "disabled");
  BOOST_TEST(std::string(ctl_read<const char*>("opt.percpu_arena")) == "disabled");
  BOOST_TEST(std::string(ctl_read<const char*>("opt.zero_realloc")) == "free");
  BOOST_TEST(ctl_read<ssize_t>("opt.muzzy_decay_ms") == 0);
  BOOST_TEST(ctl_read<ssize_t>("opt.lg_prof_interval") == -1);
  BOOST_TEST(ctl_read<size_t>("opt.max_background_threads") == 1u);
  BOOST_TEST(ctl_read<bool>("opt.prof_thread_active_init"));
  BOOST_TEST(ctl_read<bool>("config.fill"));
  BOOST_TEST(!ctl_read<bool>("config.xmalloc"));
  BOOST_TEST(ctl_read<size_t>("max_background_threads") == 1u);
  BOOST_TEST(std::string(ctl_read<const char*>("arena.0.dss")) == "disabled");
  BOOST_TEST(ctl_read<uint32_t>("arenas.bin.0.nshards") == 1u);
  BOOST_TEST(ctl_read<ssize_t>("arenas.muzzy_decay_ms") == 0);
  ssize_t zero = 0, five = 5;
  BOOST_TEST(bento_mallctl("arena.0.muzzy_decay_ms", nullptr, nullptr, &zero, sizeof(zero)) == 0);
  BOOST_TEST(bento_mallctl("arena.0.muzzy_decay_ms", nullptr, nullptr, &five, sizeof(five)) == EFAULT);
  BOOST_TEST(bento_mallctl("thread.idle", nullptr, nullptr, nullptr, 0) == 0);
  ctl_refresh();
  BOOST_TEST(ctl_read<uint64_t>("stats.arenas.4096.dirty_npurge") == ctl_read<uint64_t>("stats.arenas.4096.npurge"));
  BOOST_TEST(ctl_read<uint64_t>("stats.arenas.4096.dirty_purged") == ctl_read<uint64_t>("stats.arenas.4096.purged"));
  BOOST_TEST(ctl_read<uint64_t>("stats.arenas.4096.muzzy_npurge") == 0u);
  // A name jemalloc has for something bento does not do at all still says so.
  BOOST_TEST(bento_mallctl("arena.0.reset", nullptr, nullptr, nullptr, 0) == ENOENT);
}
