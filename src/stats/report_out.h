// stats/report_out.h: output helpers for the report: a buffered writer that hands
// NUL-terminated chunks to a write callback (or write(2) to stderr), and a compact JSON
// emitter on top of it. Fixed buffers only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "base/fixed_writer.h"
#include "stats/report.h"

namespace bento {

class ReportOut {
 public:
  ReportOut(StatsWriteCb cb, void* opaque) noexcept : cb_(cb), opaque_(opaque) {}
  ~ReportOut() { flush(); }
  ReportOut(const ReportOut&) = delete;
  ReportOut& operator=(const ReportOut&) = delete;

  template <class... Args>
  void print(fmt::format_string<Args...> f, Args&&... args) noexcept {
    char line[kLineMax];
    FixedWriter w(line, sizeof(line));
    w.print(f, std::forward<Args>(args)...);
    put(w.view());
  }
  void put(std::string_view s) noexcept;
  void flush() noexcept;

  static constexpr std::size_t kLineMax = 512;

 private:
  StatsWriteCb cb_;
  void* opaque_;
  char buf_[4096];
  std::size_t used_ = 0;
};

// Writes s as a JSON string, quotes included: `"` and `\` escaped, control characters and
// DEL as \n, \t, ... or \u00XX, valid UTF-8 as it is, any other byte as \ufffd (so a
// string from outside, an option or a file name, cannot break the document).
void put_json_string(ReportOut& out, std::string_view s) noexcept;

// Compact JSON: objects and arrays nest up to 12 deep; keys are plain identifiers.
class JsonOut {
 public:
  explicit JsonOut(ReportOut& out) noexcept : out_(out) {}
  void open(const char* key = nullptr) noexcept { begin(key, '{'); }
  void open_array(const char* key) noexcept { begin(key, '['); }
  void close() noexcept;
  void close_array() noexcept { close(); }
  void value(const char* key, std::uint64_t v) noexcept { key_prefix(key); out_.print("{}", v); }
  void value(const char* key, std::int64_t v) noexcept { key_prefix(key); out_.print("{}", v); }
  void value(const char* key, unsigned v) noexcept { value(key, static_cast<std::uint64_t>(v)); }
  void value(const char* key, bool v) noexcept { key_prefix(key); out_.put(v ? "true" : "false"); }
  void string(const char* key, std::string_view s) noexcept;
  // A value already rendered as JSON (a number).
  void raw(const char* key, std::string_view literal) noexcept {
    key_prefix(key);
    out_.put(literal);
  }

 private:
  void begin(const char* key, char bracket) noexcept;
  void key_prefix(const char* key) noexcept;

  ReportOut& out_;
  char closers_[12];
  bool first_[12];
  int depth_ = -1;
};

}  // namespace bento
