// daemon_fuzz: the daemon's request parser and handler on arbitrary input, as the daemon
// sees it: at most 4 KiB, text only, then handled. Answers are discarded; every answer
// must start with "ok" or "error".
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "daemon/protocol.h"

namespace {
struct Sink {
  bool first = true;
  bool well_formed = true;
};
void take(void* ctx, const char* text) {
  auto* s = static_cast<Sink*>(ctx);
  if (s->first) {
    s->well_formed = std::strncmp(text, "ok", 2) == 0 || std::strncmp(text, "error", 5) == 0;
    s->first = false;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > bento::kMaxRequestBytes) return 0;
  const std::string_view req(reinterpret_cast<const char*>(data), size);
  if (!bento::request_is_text(req)) return 0;
  // `set` of thread-independent names is allowed; the handler refuses thread.* itself.
  Sink sink;
  {
    bento::ReportOut out(take, &sink);
    bento::handle_request(req, out);
  }
  if (!sink.first && !sink.well_formed) __builtin_trap();
  return 0;
}
