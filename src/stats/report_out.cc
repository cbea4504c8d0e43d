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
  out_.put("\"");
  for (char c : s) {
    if (c == '"' || c == '\\') {
      const char esc[2] = {'\\', c};
      out_.put(std::string_view(esc, 2));
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out_.print("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out_.put(std::string_view(&c, 1));
    }
  }
  out_.put("\"");
}

}  // namespace bento
