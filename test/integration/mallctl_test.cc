// The mallctl namespace through the exported API: every documented node answers with its
// type, every error code, writes that take effect, and statistics that follow what the
// program does.
#define BOOST_TEST_MODULE mallctl
#include <boost/test/unit_test.hpp>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "bento/bento.h"
#include "../support/rng.h"
#include "../support/threads.h"

namespace {

template <class T>
T read(const char* name) {
  T v{};
  size_t len = sizeof(v);
  const int rc = bento_mallctl(name, &v, &len, nullptr, 0);
  BOOST_REQUIRE_MESSAGE(rc == 0, name << " -> " << rc);
  return v;
}
template <class T>
int write(const char* name, T v) {
  return bento_mallctl(name, nullptr, nullptr, &v, sizeof(v));
}
void refresh() {
  uint64_t e = 1;
  BOOST_REQUIRE(bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e)) == 0);
}
// Keeps the compiler from dropping a malloc/free pair whose pointer it can see unused.
void* volatile g_sink;
void* opaque(void* p) {
  g_sink = p;
  return g_sink;
}
void flush_cache() { BOOST_REQUIRE(bento_mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0) == 0); }

struct Leaf {
  std::string name, type, access;
};
// The node list of doc/mallctl.md (generated from the tree and checked against it).
std::vector<Leaf> documented_leaves() {
  const char* dir = std::getenv("BENTO_SOURCE_DIR");
  BOOST_REQUIRE(dir != nullptr);
  std::ifstream in(std::string(dir) + "/doc/mallctl.md");
  const std::regex row(R"(^\| `([^`]+)` \| ([^|]+) \| ([-rw]{2}) \|)");
  std::vector<Leaf> out;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) {
      std::string type = m[2];
      type.erase(type.find_last_not_of(' ') + 1);
      out.push_back({m[1], type, m[3]});
    }
  }
  return out;
}
size_t type_size(const std::string& t) {
  if (t == "bool") return sizeof(bool);
  if (t == "unsigned" || t == "uint32_t") return 4;
  if (t == "void") return 0;
  return 8;  // uint64_t, size_t, ssize_t, const char *, pointer
}
std::string with_indexes(std::string name, const std::string& i, const std::string& j) {
  for (auto [pat, val] : {std::pair{std::string("<i>"), i}, std::pair{std::string("<j>"), j}}) {
    for (size_t at; (at = name.find(pat)) != std::string::npos;) name.replace(at, pat.size(), val);
  }
  return name;
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_documented_node_answers_with_its_type) {
  refresh();
  const auto leaves = documented_leaves();
  BOOST_TEST(leaves.size() > 140u);
  const unsigned fav = read<unsigned>("thread.arena");
  int checked = 0;
  for (const Leaf& l : leaves) {
    for (const std::string& i : {std::to_string(fav), std::string("4096")}) {
      const std::string name = with_indexes(l.name, i, "3");
      if (l.type == "void") {
        // An action: no data either way; data is refused.
        if (name.find("purge") == std::string::npos && name.find("decay") == std::string::npos &&
            name.find("flush") == std::string::npos)
          continue;
        BOOST_TEST(bento_mallctl(name.c_str(), nullptr, nullptr, nullptr, 0) == 0, name);
        char buf[8];
        size_t len = sizeof(buf);
        BOOST_TEST(bento_mallctl(name.c_str(), buf, &len, nullptr, 0) == EPERM, name);
        ++checked;
        continue;
      }
      if (name == "arena.4096.dirty_decay_ms") continue;  // write-only for every arena
      if (name == "arenas.lookup") continue;              // reads answer a written pointer
      alignas(8) unsigned char buf[16] = {};
      size_t len = type_size(l.type);
      if (l.access == "-w") {  // write-only (prof.dump, prof.reset): a read is refused
        BOOST_TEST(bento_mallctl(name.c_str(), buf, &len, nullptr, 0) == EPERM, name);
        ++checked;
        continue;
      }
      BOOST_TEST(bento_mallctl(name.c_str(), buf, &len, nullptr, 0) == 0, name);
      BOOST_TEST(len == type_size(l.type), name);
      size_t wrong = type_size(l.type) + 1;
      BOOST_TEST(bento_mallctl(name.c_str(), buf, &wrong, nullptr, 0) == EINVAL, name);
      if (l.access == "r-") {
        BOOST_TEST(bento_mallctl(name.c_str(), nullptr, nullptr, buf, type_size(l.type)) == EPERM, name);
      }
      ++checked;
    }
  }
  BOOST_TEST(checked > 250);
}

BOOST_AUTO_TEST_CASE(error_codes) {
  size_t v;
  size_t len = sizeof(v);
  for (const char* bad : {"", "nope", "stats", "stats.", ".stats", "stats..allocated", "version.x",
                          "arenas.bin.39.size", "arenas.bin.x.size", "arenas.bin.-1.size",
                          "arena.99999.purge", "stats.arenas.4095.nthreads", "opt.narena",
                          "arenas.bin.00000000000000000000001.size"}) {
    BOOST_TEST(bento_mallctl(bad, &v, &len, nullptr, 0) == ENOENT, "'" << bad << "'");
  }
  size_t small = 3;
  BOOST_TEST(bento_mallctl("stats.allocated", &v, &small, nullptr, 0) == EINVAL);
  BOOST_TEST(small == 3u);  // what fits was copied
  unsigned a = 0;
  BOOST_TEST(bento_mallctl("thread.arena", nullptr, nullptr, &a, 2) == EINVAL);
  const char* ver = "x";
  BOOST_TEST(bento_mallctl("version", nullptr, nullptr, &ver, sizeof(ver)) == EPERM);
  len = sizeof(v);
  BOOST_TEST(bento_mallctl("thread.tcache.flush", &v, &len, nullptr, 0) == EPERM);
  const unsigned n = read<unsigned>("arenas.narenas");
  BOOST_TEST(write("thread.arena", n) == EFAULT);
  long decay;
  len = sizeof(decay);
  BOOST_TEST(bento_mallctl("arena.4096.dirty_decay_ms", &decay, &len, nullptr, 0) == EFAULT);
  BOOST_TEST(write("arena.0.dirty_decay_ms", -2L) == EFAULT);
  void* foreign = &v;
  unsigned idx;
  len = sizeof(idx);
  BOOST_TEST(bento_mallctl("arenas.lookup", &idx, &len, &foreign, sizeof(foreign)) == EINVAL);
}

BOOST_AUTO_TEST_CASE(mibs_walk_the_same_tree) {
  size_t mib[8];
  size_t miblen = 8;
  BOOST_REQUIRE(bento_mallctlnametomib("arenas.bin.0.size", mib, &miblen) == 0);
  BOOST_TEST(miblen == 4u);
  size_t prev = 0;
  const unsigned nbins = read<unsigned>("arenas.nbins");
  for (unsigned j = 0; j < nbins; ++j) {
    mib[2] = j;
    size_t size, len = sizeof(size);
    BOOST_REQUIRE(bento_mallctlbymib(mib, miblen, &size, &len, nullptr, 0) == 0);
    BOOST_TEST(size > prev);
    prev = size;
  }
  mib[2] = nbins;
  size_t size, len = sizeof(size);
  BOOST_TEST(bento_mallctlbymib(mib, miblen, &size, &len, nullptr, 0) == ENOENT);
  // A partial name gives a partial MIB; the caller completes it.
  size_t part[8];
  size_t partlen = 8;
  BOOST_REQUIRE(bento_mallctlnametomib("arenas.lrun", part, &partlen) == 0);
  BOOST_TEST(partlen == 2u);
  part[2] = 0;
  part[3] = 0;  // "size" is the first (only) child
  BOOST_TEST(bento_mallctlbymib(part, 4, &size, &len, nullptr, 0) == 0);
  BOOST_TEST(size == 16384u);
  size_t tiny = 2;
  BOOST_TEST(bento_mallctlnametomib("arenas.bin.0.size", mib, &tiny) == ENOENT);
}

BOOST_AUTO_TEST_CASE(thread_arena_moves_allocations) {
  const unsigned n = read<unsigned>("arenas.narenas");
  const unsigned target = n - 1;
  unsigned old = 99;
  size_t len = sizeof(old);
  unsigned want = target;
  BOOST_REQUIRE(bento_mallctl("thread.arena", &old, &len, &want, sizeof(want)) == 0);
  BOOST_TEST(read<unsigned>("thread.arena") == target);
  flush_cache();  // cached objects came from the old arena
  for (size_t size : {48u, 5000u, 100000u, 5000000u}) {
    void* p = opaque(malloc(size));
    unsigned owner = 99;
    len = sizeof(owner);
    BOOST_TEST(bento_mallctl("arenas.lookup", &owner, &len, &p, sizeof(p)) == 0);
    BOOST_TEST(owner == target, "size " << size);
    free(p);
  }
}

BOOST_AUTO_TEST_CASE(stats_allocated_follows_what_the_program_holds) {
  flush_cache();
  refresh();
  const size_t before = read<size_t>("stats.allocated");
  void* huge = opaque(malloc(10u << 20));
  void* large[3];
  for (auto& l : large) l = opaque(malloc(100000));  // 114688-byte class, never cached
  refresh();
  const size_t during = read<size_t>("stats.allocated");
  BOOST_TEST(during - before == (10u << 20) + 3 * 114688u);
  BOOST_TEST(read<size_t>("stats.active") >= during);
  BOOST_TEST(read<size_t>("stats.mapped") >= read<size_t>("stats.active"));
  free(huge);
  for (auto& l : large) free(l);
  refresh();
  BOOST_TEST(read<size_t>("stats.allocated") == before);
}

BOOST_AUTO_TEST_CASE(resident_matches_the_pages_touched) {
  // Nothing left to decay while we measure (freed chunks and huge mappings of the cases
  // before would otherwise go back in between and hide pages of the delta).
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
  refresh();
  const size_t before = read<size_t>("stats.resident_mincore");
  char* p = static_cast<char*>(opaque(malloc(64u << 20)));
  for (size_t i = 0; i < (32u << 20); i += 4096) p[i] = 1;  // touch half
  refresh();
  const size_t during = read<size_t>("stats.resident_mincore");
  const long delta = static_cast<long>(during) - static_cast<long>(before);
  // 32 MiB of touched pages, give or take a few pages of metadata.
  BOOST_TEST(delta >= (32l << 20), "delta " << delta);
  BOOST_TEST(delta <= (32l << 20) + 64 * 4096, "delta " << delta);
  free(p);
}

BOOST_AUTO_TEST_CASE(residency_is_walked_once_an_epoch_and_only_when_asked) {
  refresh();
  const auto walks = [] { return read<uint64_t>("stats.residency_walks"); };
  const uint64_t w0 = walks();
  // Counters, and the refresh itself, do not walk the mappings.
  BOOST_TEST(read<size_t>("stats.allocated") > 0u);
  BOOST_TEST(read<size_t>("stats.arenas.4096.pactive") > 0u);
  refresh();
  BOOST_TEST(walks() == w0);
  // The first resident_mincore read of an epoch walks once; later reads reuse it.
  const size_t all = read<size_t>("stats.resident_mincore");
  BOOST_TEST(walks() == w0 + 1);
  BOOST_TEST(all > 0u);
  BOOST_TEST(read<size_t>("stats.arenas.4096.resident_mincore") <= all);
  BOOST_TEST(read<size_t>("stats.resident_mincore") == all);
  BOOST_TEST(walks() == w0 + 1);
  BOOST_TEST(read<uint64_t>("stats.residency_ns") > 0u);
  // A new epoch: an arena's figure walks again.
  refresh();
  BOOST_TEST(read<size_t>("stats.arenas.4096.resident_mincore") > 0u);
  BOOST_TEST(walks() == w0 + 2);
  // A report measures it too (it prints resident_mincore).
  refresh();
  bento_stats_print([](void*, const char*) {}, nullptr, "J");
  BOOST_TEST(walks() == w0 + 3);
}

BOOST_AUTO_TEST_CASE(arena_purge_lowers_resident) {
  flush_cache();
  std::vector<void*> v;
  for (int i = 0; i < 1024; ++i) {
    v.push_back(malloc(64 * 1024));
    memset(v.back(), 7, 64 * 1024);
  }
  for (void* p : v) free(p);
  refresh();
  const size_t dirty_resident = read<size_t>("stats.resident");
  const size_t pdirty = read<size_t>("stats.arenas.4096.pdirty");
  BOOST_TEST(pdirty >= 1024u * 16u / 2u);  // unless the decay already ran
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
  refresh();
  BOOST_TEST(read<size_t>("stats.arenas.4096.pdirty") == 0u);
  BOOST_TEST(read<size_t>("stats.resident") + (48u << 20) < dirty_resident);
}

// An arena that no thread has as its favourite any more (its threads exited) gives its
// free pages back at its next decay, whatever the decay time, and its wholly free chunks
// to the shared pool; an arena in use keeps them until the decay time.
BOOST_AUTO_TEST_CASE(an_arena_no_thread_uses_gives_its_pages_back) {
  const unsigned n = read<unsigned>("arenas.narenas");
  const unsigned mine = read<unsigned>("thread.arena");
  const unsigned target = n == 1 ? 0 : (mine == n - 1 ? n - 2 : n - 1);
  auto churn = [] {
    std::vector<void*> v;
    for (int i = 0; i < 2000; ++i) {
      v.push_back(malloc(2048));
      memset(v.back(), 3, 2048);
    }
    for (void* p : v) free(p);
    bento_mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
  };
  refresh();
  const uint64_t nput_before = read<uint64_t>("stats.chunk_pool.nput");
  std::string pdirty = "stats.arenas." + std::to_string(target) + ".pdirty";
  std::string chunks = "stats.arenas." + std::to_string(target) + ".chunks";
  std::string decay = "arena." + std::to_string(target) + ".decay";
  if (target == mine) {  // one arena: the main thread uses it
    churn();
    BOOST_REQUIRE(bento_mallctl(decay.c_str(), nullptr, nullptr, nullptr, 0) == 0);
    refresh();
    BOOST_TEST(read<size_t>(pdirty.c_str()) > 0u);  // in use: kept for the decay time
    return;
  }
  int moved = -1;
  std::thread t([&] {
    moved = write("thread.arena", target);
    churn();
  });
  t.join();
  BOOST_REQUIRE(moved == 0);
  BOOST_REQUIRE(bento_mallctl(decay.c_str(), nullptr, nullptr, nullptr, 0) == 0);
  refresh();
  BOOST_TEST(read<unsigned>(("stats.arenas." + std::to_string(target) + ".nthreads").c_str()) == 0u);
  BOOST_TEST(read<size_t>(pdirty.c_str()) == 0u);
  // Its wholly free chunks went to the pool (4 MB took at least two). One may stay,
  // pinned by objects that earlier cases of this program left in that arena (seen in
  // CI's clang lane; alone, the arena ends with none).
  BOOST_TEST(read<size_t>(chunks.c_str()) <= 1u);
  BOOST_TEST(read<uint64_t>("stats.chunk_pool.nput") > nput_before);
}

// A working set of big blocks: freed blocks are cached up to what the live huge objects
// map (not only the fixed 64 MiB a shard), and a block of the same size reuses one.
BOOST_AUTO_TEST_CASE(freed_huge_blocks_are_cached_up_to_the_live_working_set) {
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);  // empty cache
  constexpr size_t kBlock = 16u << 20;
  std::vector<char*> live;
  for (int i = 0; i < 12; ++i) {
    live.push_back(static_cast<char*>(opaque(malloc(kBlock))));
    live.back()[0] = 1;
  }
  std::vector<char*> freed(live.begin(), live.begin() + 6);
  for (char* p : freed) free(p);
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") >= 6 * kBlock);  // 96 MiB: beyond the fixed 64
  std::vector<char*> again;
  for (int i = 0; i < 6; ++i) again.push_back(static_cast<char*>(opaque(malloc(kBlock))));
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") == 0u);
  int reused = 0;
  for (char* p : again) reused += std::find(freed.begin(), freed.end(), p) != freed.end();
  BOOST_TEST(reused == 6);
  for (char* p : again) free(p);
  for (size_t i = 6; i < live.size(); ++i) free(live[i]);
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") == 0u);
}

// Cached huge pages beyond two fifths of what live huge objects map (at least 64 MiB) are
// purged, oldest first; the ranges stay cached, and a reuse of either kind reads as zero
// where calloc promises it.
BOOST_AUTO_TEST_CASE(cached_huge_pages_beyond_two_fifths_of_the_live_ones_are_purged) {
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);  // empty cache
  constexpr size_t kBlock = 16u << 20, kLive = 12, kFreed = 6;
  std::vector<char*> live;
  for (size_t i = 0; i < kLive; ++i) {
    live.push_back(static_cast<char*>(opaque(malloc(kBlock))));
    memset(live.back(), 0x5a, kBlock);  // every page resident
  }
  refresh();
  const size_t resident_live = read<size_t>("stats.resident_mincore");
  for (size_t i = 0; i < kFreed; ++i) free(live[i]);
  refresh();
  // Live huge objects map 6 x 16 MiB now: two fifths of it are below the floor, 64 MiB.
  BOOST_TEST(read<size_t>("stats.huge_cached") >= kFreed * kBlock);  // all kept
  const size_t dirty = read<size_t>("stats.huge_cached_dirty");
  BOOST_TEST(dirty <= size_t{64} << 20);
  BOOST_TEST(dirty >= kBlock);  // the newest stay as they were
  // The purged pages went back: of the 96 MiB freed, at least 32 MiB.
  BOOST_TEST(read<size_t>("stats.resident_mincore") + (size_t{32} << 20) <= resident_live);
  std::vector<char*> again;
  for (size_t i = 0; i < kFreed; ++i) {
    char* p = static_cast<char*>(opaque(calloc(1, kBlock)));
    BOOST_REQUIRE(p != nullptr);
    bool zero = true;
    for (size_t off = 0; off < kBlock; off += 4096) zero = zero && p[off] == 0 && p[off + 4095] == 0;
    BOOST_TEST(zero);
    again.push_back(p);
  }
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") == 0u);  // every block served from the cache
  for (char* p : again) free(p);
  for (size_t i = kFreed; i < kLive; ++i) free(live[i]);
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") == 0u);
  BOOST_TEST(read<size_t>("stats.huge_cached_dirty") == 0u);
}

// A request bigger than every cached range grows the largest dirty one: its pages move to
// the new object's head (mremap: no copy, no page fault) and nothing stays cached. calloc
// of such a range still reads as zero.
BOOST_AUTO_TEST_CASE(a_bigger_request_grows_a_freed_huge_block) {
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);  // empty cache
  constexpr size_t kOld = 16u << 20, kNew = 24u << 20;
  char* a = static_cast<char*>(opaque(malloc(kOld)));
  BOOST_REQUIRE(a != nullptr);
  memset(a, 0x5a, kOld);
  free(opaque(a));  // opaque: the bytes are read after the free, by b
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached_dirty") == kOld);
  char* b = static_cast<char*>(opaque(malloc(kNew)));
  BOOST_REQUIRE(b != nullptr);
  BOOST_TEST(b[0] == 0x5a);  // a's pages, moved
  BOOST_TEST(b[kOld - 1] == 0x5a);
  BOOST_TEST(b[kOld] == 0);  // the fresh tail
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") == 0u);
  b[kNew - 1] = 1;
  free(b);
  char* c = static_cast<char*>(opaque(calloc(1, kNew + kOld)));  // grows b's range in turn
  BOOST_REQUIRE(c != nullptr);
  bool zero = true;
  for (size_t off = 0; off < kNew + kOld; off += 4096) zero = zero && c[off] == 0 && c[off + 4095] == 0;
  BOOST_TEST(zero);
  refresh();
  BOOST_TEST(read<size_t>("stats.huge_cached") == 0u);
  free(c);
  BOOST_REQUIRE(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
}

// With caches, freed objects stay with the thread until a flush; without (the -nocache
// rerun), they are back in their runs at once and a flush has nothing to do.
BOOST_AUTO_TEST_CASE(tcache_flush_empties_the_cache) {
  const bool cached = read<bool>("opt.tcache");
  flush_cache();
  const unsigned fav = read<unsigned>("thread.arena");
  const std::string curregs = "stats.arenas." + std::to_string(fav) + ".bins.3.curregs";
  void* p[100];
  for (auto& x : p) x = opaque(malloc(64));
  refresh();
  const size_t live = read<size_t>(curregs.c_str());
  for (auto& x : p) free(x);
  refresh();
  const size_t after_free = read<size_t>(curregs.c_str());
  flush_cache();
  refresh();
  const size_t after_flush = read<size_t>(curregs.c_str());
  if (cached) {
    BOOST_TEST(after_flush + 100u <= after_free);  // the flush returned the 100
  } else {
    BOOST_TEST(after_free + 100u <= live);
    BOOST_TEST(after_flush == after_free);
  }
}

BOOST_AUTO_TEST_CASE(thread_allocated_counts_bytes) {
  const uint64_t a0 = read<uint64_t>("thread.allocated");
  const uint64_t d0 = read<uint64_t>("thread.deallocated");
  uint64_t* ap = read<uint64_t*>("thread.allocatedp");
  void* x = opaque(malloc(1000));    // 1024-byte class
  void* y = opaque(malloc(200000));  // 229376-byte class
  BOOST_TEST(read<uint64_t>("thread.allocated") - a0 == 1024u + 229376u);
  free(x);
  free(y);
  BOOST_TEST(read<uint64_t>("thread.deallocated") - d0 == 1024u + 229376u);
  BOOST_TEST(*ap >= a0 - 1024 * 1024);  // a live counter, current to within a refill
  BOOST_TEST(ap == read<uint64_t*>("thread.allocatedp"));
}

BOOST_AUTO_TEST_CASE(decay_time_can_be_changed_per_arena) {
  const unsigned fav = read<unsigned>("thread.arena");
  const std::string name = "arena." + std::to_string(fav) + ".dirty_decay_ms";
  long old = 0, want = 1234;
  size_t len = sizeof(old);
  BOOST_REQUIRE(bento_mallctl(name.c_str(), &old, &len, &want, sizeof(want)) == 0);
  BOOST_TEST(read<long>(name.c_str()) == 1234);
  refresh();
  BOOST_TEST(read<long>(("stats.arenas." + std::to_string(fav) + ".dirty_decay_ms").c_str()) == 1234);
  BOOST_TEST(write(name.c_str(), old) == 0);
  BOOST_TEST(write("arena.4096.dirty_decay_ms", old) == 0);
}

BOOST_AUTO_TEST_CASE(random_names_never_crash_and_fail_cleanly) {
  const char* parts[] = {"stats", "arenas", "arena", "bins", "0", "4096", "1", "35", "allocated",
                         "nmalloc", "thread", "opt", "mutexes", "ctl", "num_ops", "", "x",
                         "contention", "lock_ops", "18446744073709551615", "purge", "size"};
  bento::test::Rng rng(99);
  int ok = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string name;
    const int n = 1 + static_cast<int>(rng.below(6));
    for (int k = 0; k < n; ++k) {
      if (k) name += rng.below(20) == 0 ? ".." : ".";
      name += parts[rng.below(sizeof(parts) / sizeof(parts[0]))];
    }
    alignas(8) char buf[16];
    size_t len = 8;
    const int rc = bento_mallctl(name.c_str(), buf, &len, nullptr, 0);
    if (rc == 0) ++ok;
    else if (rc != ENOENT && rc != EINVAL && rc != EPERM && rc != EFAULT) BOOST_FAIL(name << " -> " << rc);
  }
  BOOST_TEST(ok > 0);
}
