// config/options.h: the options in force, filled once at start-up from the sources of
// conf_sources.h, in this order (later wins): the built-in default string, the program's
// `malloc_conf` symbol, the MALLOC_CONF environment variable, the program's `bento_conf`
// symbol and the BENTO_CONF environment variable; each in jemalloc's "key:value,key:value"
// syntax. jemalloc's option names are read too (jemalloc_options.def). Written only
// during single-threaded initialisation; read-only afterwards.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bento {

template <std::size_t N>
struct FixedString {
  char data[N + 1] = {};
  std::size_t len = 0;
  constexpr FixedString() = default;
  constexpr FixedString(const char* s) noexcept {  // NOLINT: implicit from literals
    while (len < N && s[len] != '\0') {
      data[len] = s[len];
      ++len;
    }
    data[len] = '\0';
  }
  std::string_view view() const noexcept { return {data, len}; }
  const char* c_str() const noexcept { return data; }
};

namespace opt_types {
using Bool = bool;
using Unsigned = unsigned;
using Size = std::size_t;
using Int = std::int64_t;
using String = FixedString<255>;
}  // namespace opt_types

struct Options {
#define BENTO_OPT(name, kind, def, min, max, doc) opt_types::kind name = def;
#include "config/options.def"
#undef BENTO_OPT
};

enum class OptKind : std::uint8_t { Bool, Unsigned, Size, Int, String };

// One row of the table, for the mallctl opt.* nodes, the report and the docs.
struct OptionInfo {
  const char* name;
  OptKind kind;
  std::int64_t min;
  std::int64_t max;
  const char* doc;
  std::size_t offset;  // of the field in Options
};

extern const OptionInfo kOptionTable[];
extern const std::size_t kNumOptions;

// The process-wide options (defaults until options_init runs).
Options& options() noexcept;

// Parses every source into options(). Reports each bad pair and each ignored jemalloc
// option on stderr (and aborts if abort_conf ends up true and a pair was bad). Returns
// the number of bad pairs.
unsigned options_init() noexcept;

// What a message of the parser is about.
enum class ConfMessage : std::uint8_t {
  kBadPair,  // refused: counted, and fatal under abort_conf
  kIgnored,  // a jemalloc option bento does not implement: noted, not counted
};

// Parses one conf string into `into`. `source` names it in messages. Each bad pair, and
// each ignored jemalloc option, is reported through `report` (may be null) and skipped.
// Returns the number of bad pairs.
using ConfReport = void (*)(void* ctx, ConfMessage kind, std::string_view message);
unsigned parse_conf(const char* conf, std::string_view source, Options& into,
                    ConfReport report, void* ctx) noexcept;

// Renders an option's current value into buf (NUL-terminated); returns its length.
std::size_t format_option_value(const OptionInfo& info, const Options& o, char* buf,
                                std::size_t cap) noexcept;

}  // namespace bento
