// stats/exit_dump.cc: the report at exit (opt.stats_print), written where the options say.
// Called by the library destructor (override/library_start.cc), which runs after the
// program's atexit handlers and static destructors. A program that ends with _exit, or
// is killed, prints nothing.
#include "base/fixed_writer.h"
#include "config/options.h"
#include "frontend/init.h"
#include "platform/log.h"
#include "platform/os.h"
#include "stats/report.h"

namespace bento {

namespace {
void write_fd(void* opaque, const char* text) {
  const int fd = *static_cast<int*>(opaque);
  std::size_t n = 0;
  while (text[n] != '\0') ++n;
  os::write_all(fd, text, n);
}

// Expands "%p" to the pid (so forked children write their own files); false if too long.
bool expand_path(const char* pattern, char* out, std::size_t cap) noexcept {
  FixedWriter w(out, cap - 1);
  for (const char* p = pattern; *p != '\0'; ++p) {
    if (p[0] == '%' && p[1] == 'p') {
      w.print("{}", os::pid());
      ++p;
    } else {
      w.put(std::string_view(p, 1));
    }
  }
  out[w.size()] = '\0';
  return !w.truncated();
}
}  // namespace

void stats_print_at_exit() noexcept {
  const Options& o = options();
  const char* letters = o.stats_print_opts.c_str();
  if (o.stats_print_file.len == 0) {
    stats_print(nullptr, nullptr, letters);
    return;
  }
  char path[512];
  if (!expand_path(o.stats_print_file.c_str(), path, sizeof(path))) {
    log_warning("stats_print_file: path too long: {}", o.stats_print_file.c_str());
    return;
  }
  int fd = os::open_for_write(path);
  if (fd < 0) {
    log_warning("stats_print_file: cannot open '{}': statistics not written", path);
    return;
  }
  stats_print(write_fd, &fd, letters);
  os::close_fd(fd);
}

}  // namespace bento
