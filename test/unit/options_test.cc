// The BENTO_CONF parser: every kind of value, every kind of mistake, clear messages.
#define BOOST_TEST_MODULE options
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "config/options.h"
#include "../support/rng.h"

using namespace bento;

namespace {
struct Messages {
  std::vector<std::string> lines;
};
void collect(void* ctx, std::string_view m) { static_cast<Messages*>(ctx)->lines.emplace_back(m); }

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
