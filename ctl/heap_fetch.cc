// ctl/heap_fetch.cc: the heap profile's transfer from the daemon (heap_fetch.h).
#include "heap_fetch.h"

#include "text.h"

namespace bentoctl {

namespace {

std::string base64_decode(const std::vector<std::string>& body_lines) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  for (const auto& l : body_lines) {
    unsigned acc = 0;
    int bits = 0;
    for (char c : l) {
      if (c == '=') break;
      const int v = value(c);
      if (v < 0) throw CtlError("the daemon's profile is damaged (not base64)");
      acc = (acc << 6) | static_cast<unsigned>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((acc >> bits) & 0xff));
      }
    }
  }
  return out;
}

}  // namespace

HeapProfile fetch_heap_profile(const Client& client, int pid, bool peak, int timeout_ms) {
  const Response r = client.request(pid, std::string("heap pprof") + (peak ? " peak" : ""), timeout_ms);
  return {base64_decode(lines(r.body)), r.status};
}

}  // namespace bentoctl
