// config/conf_sources.cc: the table of conf sources and how each is read. Runs before the
// heap exists: each source is a pointer to a string someone else owns.
#include "config/conf_sources.h"

#include "base/build.h"
#include "platform/os.h"

// A program may define `const char* malloc_conf = "...";` (jemalloc's) or
// `const char* bento_conf = "...";`. Each is seen when the executable exports it: when it
// links libbento (which references both) or libjemalloc (which defines malloc_conf
// weakly), or is linked with -rdynamic; under LD_PRELOAD alone an executable exports
// neither. A libjemalloc loaded without the program's definition gives its own, null.
extern "C" __attribute__((weak, visibility("default"))) const char* malloc_conf;
extern "C" __attribute__((weak, visibility("default"))) const char* bento_conf;

namespace bento {
namespace {

const char* read_builtin() noexcept { return kDefaultConf; }
const char* read_malloc_conf() noexcept { return &malloc_conf != nullptr ? malloc_conf : nullptr; }
const char* read_malloc_conf_env() noexcept { return os::getenv("MALLOC_CONF"); }
const char* read_bento_conf() noexcept { return &bento_conf != nullptr ? bento_conf : nullptr; }
const char* read_bento_conf_env() noexcept { return os::getenv("BENTO_CONF"); }

}  // namespace

const ConfSource kConfSources[] = {
    {"built-in conf", read_builtin},
    {"malloc_conf", read_malloc_conf},
    {"MALLOC_CONF", read_malloc_conf_env},
    {"bento_conf", read_bento_conf},
    {"BENTO_CONF", read_bento_conf_env},
};
const std::size_t kNumConfSources = sizeof(kConfSources) / sizeof(kConfSources[0]);

}  // namespace bento
