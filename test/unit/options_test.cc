// The conf parser: every kind of value, every kind of mistake, clear messages; jemalloc's
// option names (jemalloc_options.def) and the order of the conf sources.
#define BOOST_TEST_MODULE options
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "config/conf_sources.h"
#include "config/jemalloc_options.h"
#include "config/options.h"
#include "../support/rng.h"

using namespace bento;

namespace {
struct Messages {
  std::vector<std::string> lines;    // bad pairs
  std::vector<std::string> ignored;  // jemalloc options bento does not implement
};
void collect(void* ctx, ConfMessage kind, std::string_view m) {
  auto* msgs = static_cast<Messages*>(ctx);
  (kind == ConfMessage::kBadPair ? msgs->lines : msgs->ignored).emplace_back(m);
}

unsigned parse(const char* conf, Options& o, Messages& m) {
  return parse_conf(conf, "BENTO_CONF", o, collect, &m);
}
}  // namespace

BOOST_AUTO_TEST_CASE(defaults_come_from_the_table) {
  Options o;
  BOOST_TEST(o.narenas == 0u);
  BOOST_TEST(o.tcache);
  BOOST_TEST(o.tcache_max == 32768u);
  BOOST_TEST(o.dirty_decay_ms == 10000);
  BOOST_TEST(!o.stats_print);
  BOOST_TEST(kNumOptions >= 11u);
}

BOOST_AUTO_TEST_CASE(good_pairs_of_every_kind_are_applied_in_order) {
  Options o;
  Messages m;
  BOOST_TEST(parse("narenas:8,tcache:false,tcache_max:0x1000,dirty_decay_ms:-1,"
                   "stats_print_opts:Jb,narenas:3,retain:true,tcache_max:16k",
                   o, m) == 0u);
  BOOST_TEST(m.lines.empty());
  BOOST_TEST(o.narenas == 3u);  // later wins
  BOOST_TEST(!o.tcache);
  BOOST_TEST(o.tcache_max == 16384u);
  BOOST_TEST(o.dirty_decay_ms == -1);
  BOOST_TEST(o.retain);
  BOOST_TEST(std::string(o.stats_print_opts.c_str()) == "Jb");
}

BOOST_AUTO_TEST_CASE(unknown_key_suggests_the_nearest_name) {
  Options o;
  Messages m;
  BOOST_TEST(parse("narena:4", o, m) == 1u);
  BOOST_REQUIRE(m.lines.size() == 1u);
  BOOST_TEST(m.lines[0] == "BENTO_CONF: unknown option 'narena' (did you mean 'narenas'?)");
  BOOST_TEST(o.narenas == 0u);
}

BOOST_AUTO_TEST_CASE(bad_values_are_reported_and_leave_the_option_alone) {
  Options o;
  Messages m;
  BOOST_TEST(parse("tcache:yes,narenas:-1,narenas:99999,tcache_max:12q,dirty_decay_ms:,narenas:2", o, m) == 5u);
  BOOST_TEST(o.tcache);
  BOOST_TEST(o.narenas == 2u);
  BOOST_TEST(m.lines[0] == "BENTO_CONF: option 'tcache' takes true or false, not 'yes'");
  BOOST_TEST(m.lines[1] == "BENTO_CONF: option 'narenas' must be between 0 and 4095, not '-1'");
  BOOST_TEST(m.lines[3] == "BENTO_CONF: option 'tcache_max' takes an integer, not '12q'");
}

BOOST_AUTO_TEST_CASE(malformed_strings_are_reported_not_misread) {
  Options o;
  Messages m;
  BOOST_TEST(parse("narenas", o, m) == 1u);
  BOOST_TEST(m.lines.back() == "BENTO_CONF: 'narenas' has no value (expected key:value)");
  BOOST_TEST(parse("narenas:2,", o, m) == 1u);
  BOOST_TEST(m.lines.back() == "BENTO_CONF: conf string ends with a comma");
  BOOST_TEST(o.narenas == 2u);
  BOOST_TEST(parse(",,tcache:false", o, m) == 2u);
  BOOST_TEST(!o.tcache);
  BOOST_TEST(parse("na-renas:1", o, m) == 1u);
  BOOST_TEST(m.lines.back() == "BENTO_CONF: malformed pair 'na-renas:1' (expected key:value)");
  BOOST_TEST(parse("", o, m) == 0u);
  BOOST_TEST(parse(nullptr, o, m) == 0u);
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes_and_every_bad_pair_is_reported) {
  test::Rng rng(42);
  const char alphabet[] = "narenastcache_maxdirty:,01-x\xff\x01 ";
  for (int round = 0; round < 20000; ++round) {
    char buf[64];
    const std::size_t n = rng.below(sizeof(buf) - 1);
    for (std::size_t i = 0; i < n; ++i) buf[i] = alphabet[rng.below(sizeof(alphabet) - 1)];
    buf[n] = '\0';
    Options o;
    Messages m;
    const unsigned bad = parse(buf, o, m);
    if (bad != m.lines.size()) BOOST_FAIL("round " << round << ": " << bad << " vs " << m.lines.size());
  }
}

BOOST_AUTO_TEST_CASE(values_render_back_as_they_were_given) {
  Options o;
  Messages m;
  parse("narenas:5,tcache:false,stats_print_opts:J", o, m);
  char buf[64];
  for (std::size_t i = 0; i < kNumOptions; ++i) {
    const OptionInfo& info = kOptionTable[i];
    format_option_value(info, o, buf, sizeof(buf));
    if (std::string(info.name) == "narenas") BOOST_TEST(std::string(buf) == "5");
    if (std::string(info.name) == "tcache") BOOST_TEST(std::string(buf) == "false");
    if (std::string(info.name) == "stats_print_opts") BOOST_TEST(std::string(buf) == "J");
  }
}

// --- jemalloc's option names ---------------------------------------------------------

namespace {
const OptionInfo* bento_option(std::string_view name) {
  for (std::size_t i = 0; i < kNumOptions; ++i) {
    if (name == kOptionTable[i].name) return &kOptionTable[i];
  }
  return nullptr;
}
unsigned parse_malloc_conf(const char* conf, Options& o, Messages& m) {
  return parse_conf(conf, "MALLOC_CONF", o, collect, &m);
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_jemalloc_row_agrees_with_bentos_table) {
  BOOST_TEST(kNumJemallocOptions >= 50u);
  for (std::size_t i = 0; i < kNumJemallocOptions; ++i) {
    const JemallocOption& row = kJemallocOptionTable[i];
    BOOST_TEST_CONTEXT(row.name) {
      BOOST_TEST(std::string(row.doc).size() > 0u);
      const bool prefix = std::string(row.name).back() == '*';
      switch (row.action) {
        case JeAction::Same:  // the name is bento's own
          BOOST_TEST(bento_option(row.name) != nullptr);
          BOOST_TEST(std::string(row.target).empty());
          break;
        case JeAction::Alias:
        case JeAction::Pow2:  // the name is not bento's; the target is
          BOOST_TEST(bento_option(row.name) == nullptr);
          BOOST_TEST(bento_option(row.target) != nullptr);
          if (row.action == JeAction::Pow2) BOOST_TEST((bento_option(row.target)->kind != OptKind::Bool));
          break;
        case JeAction::Ignore:
          BOOST_TEST((prefix || bento_option(row.name) == nullptr));
          BOOST_TEST(std::string(row.target).empty());
          break;
      }
      if (!prefix) BOOST_TEST(find_jemalloc_option(row.name) == &row);  // no duplicates
    }
  }
}

BOOST_AUTO_TEST_CASE(names_bento_shares_with_jemalloc_are_read_as_bentos_own) {
  Options o;
  Messages m;
  BOOST_TEST(parse_malloc_conf("narenas:3,tcache:false,dirty_decay_ms:0,abort_conf:true", o, m) == 0u);
  BOOST_TEST(m.lines.empty());
  BOOST_TEST(m.ignored.empty());
  BOOST_TEST(o.narenas == 3u);
  BOOST_TEST(!o.tcache);
  BOOST_TEST(o.dirty_decay_ms == 0);
  BOOST_TEST(o.abort_conf);
  BOOST_TEST((find_jemalloc_option("narenas")->action == JeAction::Same));
}

BOOST_AUTO_TEST_CASE(background_thread_sets_background_purge) {
  Options o;
  Messages m;
  BOOST_TEST(o.background_purge);
  BOOST_TEST(parse_malloc_conf("background_thread:false", o, m) == 0u);
  BOOST_TEST(!o.background_purge);
  BOOST_TEST(parse_malloc_conf("background_thread:true", o, m) == 0u);
  BOOST_TEST(o.background_purge);
  BOOST_TEST(parse_malloc_conf("background_thread:maybe", o, m) == 1u);
  BOOST_REQUIRE(m.lines.size() == 1u);
  BOOST_TEST(m.lines[0] == "MALLOC_CONF: option 'background_thread' takes true or false, not 'maybe'");
  BOOST_TEST(o.background_purge);
}

BOOST_AUTO_TEST_CASE(lg_tcache_max_sets_tcache_max_to_its_power_of_two) {
  Options o;
  Messages m;
  BOOST_TEST(parse_malloc_conf("lg_tcache_max:12", o, m) == 0u);
  BOOST_TEST(o.tcache_max == 4096u);
  BOOST_TEST(parse_malloc_conf("lg_tcache_max:0", o, m) == 0u);
  BOOST_TEST(o.tcache_max == 1u);
  BOOST_TEST(parse_malloc_conf("lg_tcache_max:15", o, m) == 0u);
  BOOST_TEST(o.tcache_max == 32768u);
  BOOST_TEST(parse_malloc_conf("lg_tcache_max:16,lg_tcache_max:-1,lg_tcache_max:x", o, m) == 3u);
  BOOST_REQUIRE(m.lines.size() == 3u);
  BOOST_TEST(m.lines[0] == "MALLOC_CONF: option 'lg_tcache_max' must be between 0 and 15, not '16'");
  BOOST_TEST(m.lines[2] == "MALLOC_CONF: option 'lg_tcache_max' takes an integer, not 'x'");
  BOOST_TEST(o.tcache_max == 32768u);  // left alone
}

BOOST_AUTO_TEST_CASE(jemalloc_options_bento_lacks_are_noted_not_bad) {
  Options o;
  Messages m;
  BOOST_TEST(parse_malloc_conf("metadata_thp:auto,narenas:2,hpa_slab_max_alloc:64k,muzzy_decay_ms:0", o, m) == 0u);
  BOOST_TEST(m.lines.empty());
  BOOST_REQUIRE(m.ignored.size() == 3u);
  BOOST_TEST(m.ignored[0] == "MALLOC_CONF: 'metadata_thp' is a jemalloc option bento does not implement; ignored");
  BOOST_TEST(m.ignored[1] == "MALLOC_CONF: 'hpa_slab_max_alloc' is a jemalloc option bento does not implement; ignored");
  BOOST_TEST(m.ignored[2] == "MALLOC_CONF: 'muzzy_decay_ms' is a jemalloc option bento does not implement; ignored");
  BOOST_TEST(o.narenas == 2u);
  // Any value is accepted, even none at all after the colon.
  BOOST_TEST(parse_malloc_conf("thp:,dss:primary", o, m) == 0u);
  BOOST_TEST(m.ignored.size() == 5u);
}

BOOST_AUTO_TEST_CASE(prefix_rows_match_only_longer_names) {
  BOOST_TEST(find_jemalloc_option("hpa_dirty_mult") != nullptr);
  BOOST_TEST(find_jemalloc_option("hpa") != nullptr);  // its own row
  BOOST_TEST(find_jemalloc_option("hpa_") == nullptr);
  BOOST_TEST(find_jemalloc_option("hp") == nullptr);
  BOOST_TEST(find_jemalloc_option("nosuchoption") == nullptr);
}

BOOST_AUTO_TEST_CASE(names_of_neither_allocator_stay_errors_with_suggestions) {
  Options o;
  Messages m;
  BOOST_TEST(parse_malloc_conf("frobnicate:1,backgroud_thread:true,metadata_tph:auto", o, m) == 3u);
  BOOST_REQUIRE(m.lines.size() == 3u);
  BOOST_TEST(m.lines[0] == "MALLOC_CONF: unknown option 'frobnicate'");
  BOOST_TEST(m.lines[1] == "MALLOC_CONF: unknown option 'backgroud_thread' (did you mean 'background_thread'?)");
  BOOST_TEST(m.lines[2] == "MALLOC_CONF: unknown option 'metadata_tph' (did you mean 'metadata_thp'?)");
  BOOST_TEST(m.ignored.empty());
}

BOOST_AUTO_TEST_CASE(conf_sources_are_read_jemallocs_first_then_bentos) {
  BOOST_REQUIRE(kNumConfSources == 5u);
  const char* want[] = {"built-in conf", "malloc_conf", "MALLOC_CONF", "bento_conf", "BENTO_CONF"};
  for (std::size_t i = 0; i < kNumConfSources; ++i) BOOST_TEST(std::string(kConfSources[i].name) == want[i]);
  // The unit test program defines neither symbol.
  BOOST_TEST(kConfSources[1].read() == nullptr);
  BOOST_TEST(kConfSources[3].read() == nullptr);
}
