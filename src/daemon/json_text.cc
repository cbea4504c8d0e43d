// daemon/json_text.cc: JSON string escaping for the daemon's answers. No state.
#include "daemon/json_text.h"

namespace bento {

namespace {

// The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_sequence(const unsigned char* p, std::size_t n) noexcept {
  const unsigned c = p[0];
  std::size_t len;
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c >= 0xe0 && c <= 0xef) len = 3;
  else if (c >= 0xf0 && c <= 0xf4) len = 4;
  else return 0;
  if (n < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xc0) != 0x80) return 0;
  }
  if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) || (c == 0xf0 && p[1] < 0x90) ||
      (c == 0xf4 && p[1] >= 0x90)) {
    return 0;
  }
  return len;
}

}  // namespace

void put_json_string(ReportOut& out, std::string_view s) noexcept {
  char buf[128];
  std::size_t used = 0;
  auto emit = [&](std::string_view piece) {
    if (used + piece.size() > sizeof(buf)) {
      out.put(std::string_view(buf, used));
      used = 0;
    }
    for (char c : piece) buf[used++] = c;
  };
  emit("\"");
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (std::size_t i = 0; i < s.size();) {
    const unsigned c = p[i];
    if (c == '"') emit("\\\"");
    else if (c == '\\') emit("\\\\");
    else if (c == '\n') emit("\\n");
    else if (c == '\t') emit("\\t");
    else if (c == '\r') emit("\\r");
    else if (c == '\b') emit("\\b");
    else if (c == '\f') emit("\\f");
    else if (c < 0x20 || c == 0x7f) {
      const char hex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      emit(std::string_view(esc, 6));
    } else if (c < 0x80) {
      const char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else if (const std::size_t n = utf8_sequence(p + i, s.size() - i); n != 0) {
      emit(s.substr(i, n));
      i += n;
      continue;
    } else {
      emit("\\ufffd");
    }
    ++i;
  }
  emit("\"");
  out.put(std::string_view(buf, used));
}

}  // namespace bento
