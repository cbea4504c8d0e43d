// conf_fuzz: the conf parser on arbitrary strings: never crashes, never reads past the
// string, reports exactly as many bad pairs as it counts (ignored jemalloc names apart).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "config/options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  char buf[1024];
  const std::size_t n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
  std::memcpy(buf, data, n);
  buf[n] = '\0';
  bento::Options o;
  unsigned reports = 0;
  const unsigned bad = bento::parse_conf(
      buf, "fuzz", o,
      [](void* ctx, bento::ConfMessage kind, std::string_view) {
        if (kind == bento::ConfMessage::kBadPair) ++*static_cast<unsigned*>(ctx);
      },
      &reports);
  if (bad != reports) __builtin_trap();
  if (o.narenas > 4095 || o.tcache_max > 32768) __builtin_trap();  // bounds held
  return 0;
}
