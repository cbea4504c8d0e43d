// daemon_fuzz: the daemon's request parser and handler on arbitrary input, as the daemon
// sees it: at most 4 KiB, text only, then handled. Every answer must start with "ok" or
// "error"; a typed answer ("ok protocol=2": get, list, set) must be one JSON object per
// line, each starting with its name, with no raw control character inside.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "daemon/protocol.h"

namespace {
struct Sink {
  std::string text;
};
void take(void* ctx, const char* text) {
  auto* s = static_cast<Sink*>(ctx);
  if (s->text.size() < (1u << 20)) s->text += text;  // list answers are long; a prefix will do
}

bool typed_lines_well_formed(std::string_view body) {
  while (!body.empty()) {
    const auto nl = body.find('\n');
    if (nl == std::string_view::npos) return true;  // cut short by the 1 MiB cap
    const std::string_view line = body.substr(0, nl);
    if (line.substr(0, 9) != "{\"name\":\"" || line.back() != '}') return false;
    for (char c : line) {
      if (static_cast<unsigned char>(c) < 0x20) return false;
    }
    body.remove_prefix(nl + 1);
  }
  return true;
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
  const std::string_view answer = sink.text;
  if (answer.empty()) return 0;
  if (answer.substr(0, 2) != "ok" && answer.substr(0, 5) != "error") __builtin_trap();
  constexpr std::string_view kTyped = "ok protocol=2\n";
  if (answer.substr(0, kTyped.size()) == kTyped && !typed_lines_well_formed(answer.substr(kTyped.size()))) {
    __builtin_trap();
  }
  return 0;
}
