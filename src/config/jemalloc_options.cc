// config/jemalloc_options.cc: the rows of jemalloc_options.def and the lookup by name.
#include "config/jemalloc_options.h"

namespace bento {

const JemallocOption kJemallocOptionTable[] = {
#define JEMALLOC_OPT(name, action, target, reads, value, doc) {name, JeAction::action, target, JeReads::reads, value, doc},
#include "config/jemalloc_options.def"
#undef JEMALLOC_OPT
};
const std::size_t kNumJemallocOptions = sizeof(kJemallocOptionTable) / sizeof(kJemallocOptionTable[0]);

const JemallocOption* find_jemalloc_option(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNumJemallocOptions; ++i) {
    const std::string_view row = kJemallocOptionTable[i].name;
    if (!row.empty() && row.back() == '*') {
      const std::string_view prefix = row.substr(0, row.size() - 1);
      if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) {
        return &kJemallocOptionTable[i];
      }
    } else if (name == row) {
      return &kJemallocOptionTable[i];
    }
  }
  return nullptr;
}

}  // namespace bento
