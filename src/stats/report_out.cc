// stats/report_out.cc: the report's buffered writer and JSON emitter. State lives in the
// objects (on the caller's stack).
#include "stats/report_out.h"

#include <cstring>

#include "platform/os.h"

namespace bento {

void ReportOut::put(std::string_view s) noexcept {
  while (!s.empty()) {
    if (used_ == sizeof(buf_) - 1) flush();
    const std::size_t room = sizeof(buf_) - 1 - used_;
    const std::size_t n = s.size() < room ? s.size() : room;
    std::memcpy(buf_ + used_, s.data(), n);
    used_ += n;
    s.remove_prefix(n);
  }
}

void ReportOut::flush() noexcept {
  if (used_ == 0) return;
  buf_[used_] = '\0';
  if (cb_ != nullptr) {
    cb_(opaque_, buf_);
  } else {
    os::write_all(2, buf_, used_);
  }
  used_ = 0;
}

void JsonOut::key_prefix(const char* key) noexcept {
  if (depth_ >= 0) {
    if (!first_[depth_]) out_.put(",");
    first_[depth_] = false;
  }
  if (key != nullptr) out_.print("\"{}\":", key);
}

void JsonOut::begin(const char* key, char bracket) noexcept {
  key_prefix(key);
  out_.put(std::string_view(&bracket, 1));
  if (depth_ + 1 < static_cast<int>(sizeof(first_))) {
    ++depth_;
    first_[depth_] = true;
    closers_[depth_] = bracket == '{' ? '}' : ']';
  }
}

void JsonOut::close() noexcept {
  if (depth_ < 0) return;
  out_.put(std::string_view(&closers_[depth_], 1));
  --depth_;
}

void JsonOut::string(const char* key, std::string_view s) noexcept {
  key_prefix(key);
  put_json_string(out_, s);
}

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
