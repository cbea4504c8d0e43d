// platform/log.h: bento's messages to stderr. One line each, prefixed "bento: ",
// formatted into a stack buffer and written with write(2): no stdio, no allocation,
// so they are safe inside malloc and with a heap that may be corrupt.
#pragma once
#include <utility>

#include "base/compiler.h"
#include "base/fixed_writer.h"
#include "platform/os.h"

namespace bento {

inline constexpr std::size_t kLogLineMax = 512;

// opt.abort: warnings abort too. Set once at start-up.
void set_abort_on_warning(bool on) noexcept;
bool abort_on_warning() noexcept;

// Writes one message line; does not abort.
template <class... Args>
void log_line(fmt::format_string<Args...> f, Args&&... args) noexcept {
  char buf[kLogLineMax];
  FixedWriter w(buf, sizeof(buf) - 1);
  w.put("bento: ");
  w.print(f, std::forward<Args>(args)...);
  w.put("\n");
  if (w.truncated()) buf[sizeof(buf) - 2] = '\n';
  os::write_stderr(w.view());
}

// A problem bento worked around (a bad option, a resource it could not get).
template <class... Args>
void log_warning(fmt::format_string<Args...> f, Args&&... args) noexcept {
  log_line(f, std::forward<Args>(args)...);
  if (abort_on_warning()) os::abort_process();
}

// Reports and aborts. For provable heap corruption and invalid frees, never for bad
// input that can be refused.
template <class... Args>
[[noreturn]] BENTO_NOINLINE BENTO_COLD void fatal(fmt::format_string<Args...> f,
                                                  Args&&... args) noexcept {
  log_line(f, std::forward<Args>(args)...);
  os::abort_process();
}

}  // namespace bento
