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

template <class... Args>
void log_warning(fmt::format_string<Args...> f, Args&&... args) noexcept {
  char buf[kLogLineMax];
  FixedWriter w(buf, sizeof(buf) - 1);
  w.put("bento: ");
  w.print(f, std::forward<Args>(args)...);
  w.put("\n");
  if (w.truncated()) buf[sizeof(buf) - 2] = '\n';
  os::write_stderr(w.view());
}

// Reports and aborts. For provable heap corruption and invalid frees, never for bad
// input that can be refused.
template <class... Args>
[[noreturn]] BENTO_NOINLINE BENTO_COLD void fatal(fmt::format_string<Args...> f,
                                                  Args&&... args) noexcept {
  log_warning(f, std::forward<Args>(args)...);
  os::abort_process();
}

}  // namespace bento
