// The stats switch: config.stats says how bento was built, and the namespace and the
// report follow it. Built with statistics, stats.* answers and the report has counters;
// built with -Dstats=false (test/run-all's no-stats lane), stats.* answers ENOENT as in a
// jemalloc built without stats, the report leaves the counters out, and everything else
// (allocation, epoch, arena actions, the levels the report still prints) works.
#define BOOST_TEST_MODULE build_config
#include <boost/test/unit_test.hpp>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#include "bento/bento.h"

namespace {
void append(void* opaque, const char* text) { static_cast<std::string*>(opaque)->append(text); }
std::string report(const char* opts) {
  std::string out;
  bento_stats_print(append, &out, opts);
  return out;
}
bool built_with_stats() {
  bool stats = false;
  size_t len = sizeof(stats);
  BOOST_REQUIRE(bento_mallctl("config.stats", &stats, &len, nullptr, 0) == 0);
  return stats;
}
void* volatile g_sink;
}  // namespace

BOOST_AUTO_TEST_CASE(stats_names_follow_the_build) {
  g_sink = malloc(1000);
  uint64_t e = 1;
  BOOST_TEST(bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e)) == 0);
  size_t v = 0, len = sizeof(v);
  const int rc = bento_mallctl("stats.allocated", &v, &len, nullptr, 0);
  size_t mib[8], miblen = 8;
  const int mib_rc = bento_mallctlnametomib("stats.arenas.0.bins.0.nmalloc", mib, &miblen);
  if (built_with_stats()) {
    BOOST_TEST(rc == 0);
    BOOST_TEST(v >= 1000u);
    BOOST_TEST(mib_rc == 0);
  } else {
    BOOST_TEST(rc == ENOENT);
    BOOST_TEST(mib_rc == ENOENT);
    len = sizeof(v);
    BOOST_TEST(bento_mallctl("stats.arenas.4096.pactive", &v, &len, nullptr, 0) == ENOENT);
  }
  // Not statistics: answered either way.
  unsigned n = 0;
  len = sizeof(n);
  BOOST_TEST(bento_mallctl("arenas.narenas", &n, &len, nullptr, 0) == 0);
  BOOST_TEST(bento_mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0);
  free(g_sink);
}

BOOST_AUTO_TEST_CASE(report_has_counters_only_when_counted) {
  void* p[100];
  for (auto& q : p) q = malloc(64);
  const std::string t = report("");
  const std::string j = report("J");
  for (void* q : p) free(q);
  BOOST_TEST(t.find("___ Begin bento statistics ___") != std::string::npos);
  BOOST_TEST(t.find("pactive: ") != std::string::npos);  // a level: kept in every build
  BOOST_TEST(j.find("\"curregs\":") != std::string::npos);
  const bool counters = t.find("nmalloc") != std::string::npos;
  BOOST_TEST(counters == built_with_stats());
  BOOST_TEST((j.find("\"nmalloc\":") != std::string::npos) == built_with_stats());
}
