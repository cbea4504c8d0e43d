// base/fixed_writer.h: formats text into a caller-owned fixed buffer with
// fmt::format_to_n. Never allocates (integers, strings and pointers only: no locale,
// no float specs). Output past the end is dropped but still counted, so a caller can
// say how much room it would have needed. print() only packs its arguments (the format
// string is still checked at compile time); the formatting itself is one function, in
// fixed_writer.cc, so fmt's code is not copied into every file that reports something.
#pragma once
#include <fmt/core.h>

#include <cstddef>
#include <string_view>
#include <utility>

namespace bento {

class FixedWriter {
 public:
  FixedWriter(char* buf, std::size_t cap) noexcept : begin_(buf), pos_(buf), end_(buf + cap) {}

  template <class... Args>
  void print(fmt::format_string<Args...> f, Args&&... args) noexcept {
    vprint(f, fmt::make_format_args(args...));
  }
  void vprint(fmt::string_view f, fmt::format_args args) noexcept;
  void put(std::string_view s) noexcept {
    const auto room = static_cast<std::size_t>(end_ - pos_);
    const std::size_t n = s.size() < room ? s.size() : room;
    for (std::size_t i = 0; i < n; ++i) pos_[i] = s[i];
    pos_ += n;
    needed_ += s.size();
  }
  void clear() noexcept {
    pos_ = begin_;
    needed_ = 0;
  }

  const char* data() const noexcept { return begin_; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(pos_ - begin_); }
  std::size_t room() const noexcept { return static_cast<std::size_t>(end_ - pos_); }
  std::size_t needed() const noexcept { return needed_; }
  bool truncated() const noexcept { return needed_ > size(); }
  std::string_view view() const noexcept { return {begin_, size()}; }

 private:
  char* begin_;
  char* pos_;
  char* end_;
  std::size_t needed_ = 0;
};

}  // namespace bento
