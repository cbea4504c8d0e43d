// daemon/json_text.h: JSON text for the daemon's typed answers, written piece by piece
// into a ReportOut (fixed buffers, no allocation): one flat object per line. Keys are the
// protocol's own identifiers (never escaped); every string value is escaped
// (put_json_string, stats/report_out.h), so names and values from outside or from the
// process cannot break a line.
#pragma once
#include <cstdint>
#include <string_view>

#include "stats/report_out.h"

namespace bento {


// One JSON object on one line: {"k":v,...}\n, closed by the destructor.
class JsonLine {
 public:
  explicit JsonLine(ReportOut& out) noexcept : out_(out) { out_.put("{"); }
  ~JsonLine() { out_.put("}\n"); }
  JsonLine(const JsonLine&) = delete;
  JsonLine& operator=(const JsonLine&) = delete;

  void string(const char* key, std::string_view v) noexcept {
    key_prefix(key);
    put_json_string(out_, v);
  }
  void number(const char* key, std::uint64_t v) noexcept {
    key_prefix(key);
    out_.print("{}", v);
  }
  void number(const char* key, std::int64_t v) noexcept {
    key_prefix(key);
    out_.print("{}", v);
  }
  void boolean(const char* key, bool v) noexcept {
    key_prefix(key);
    out_.put(v ? "true" : "false");
  }
  // What follows the key is written by the caller (a value of its own making).
  ReportOut& key(const char* key) noexcept {
    key_prefix(key);
    return out_;
  }

 private:
  void key_prefix(const char* key) noexcept {
    out_.put(first_ ? "\"" : ",\"");
    first_ = false;
    out_.put(key);
    out_.put("\":");
  }

  ReportOut& out_;
  bool first_ = true;
};

}  // namespace bento
