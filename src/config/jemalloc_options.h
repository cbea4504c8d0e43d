// config/jemalloc_options.h: what bento does with each jemalloc 5.3 option name (the rows
// of jemalloc_options.def), for the conf parser, the tests and the docs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bento {

enum class JeAction : std::uint8_t {
  Same,    // bento's own option of the same name
  Alias,   // sets bento's option `target`, value as given
  Pow2,    // sets bento's option `target` to 2^value
  Ignore,  // no equivalent: noted on stderr, not a bad pair
};

// What mallctl opt.<name> answers for an ignored jemalloc name (None: no node).
enum class JeReads : std::uint8_t { None, Bool, Size, Ssize, String };

struct JemallocOption {
  const char* name;    // a trailing '*' matches every name with that prefix
  JeAction action;
  const char* target;  // bento's option for Alias and Pow2, else ""
  JeReads reads;
  const char* value;   // the answer, as text ("false", "0", "-1", "disabled")
  const char* doc;
};

extern const JemallocOption kJemallocOptionTable[];
extern const std::size_t kNumJemallocOptions;

// The row for a jemalloc option name, or null if jemalloc has no such option.
const JemallocOption* find_jemalloc_option(std::string_view name) noexcept;

}  // namespace bento
