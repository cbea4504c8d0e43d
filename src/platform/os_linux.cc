// platform/os_linux.cc: Linux implementation of os.h. Stateless apart from cached
// facts read once (system page size).
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/units.h"
#include "platform/log.h"
#include "platform/os.h"

namespace bento::os {

void* map(std::size_t n) noexcept {
  void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void* map_aligned(std::size_t n, std::size_t align) noexcept {
  // Optimistic: the kernel hands out mappings top-down, so the next one often lands just
  // below the previous aligned one and is aligned itself.
  void* p = map(n);
  if (p == nullptr) return nullptr;
  if ((to_addr(p) & (align - 1)) == 0) return p;
  unmap(p, n);
  // Over-map by align - page and trim both ends.
  const std::size_t span = n + align - kPageSize;
  if (span < n) return nullptr;  // wrapped
  char* raw = static_cast<char*>(map(span));
  if (raw == nullptr) return nullptr;
  const std::uintptr_t start = align_up(to_addr(raw), align);
  const std::size_t head = start - to_addr(raw);
  const std::size_t tail = span - head - n;
  if (head != 0) unmap(raw, head);
  if (tail != 0) unmap(to_ptr(start + n), tail);
  return to_ptr(start);
}

void unmap(void* p, std::size_t n) noexcept { ::munmap(p, n); }

bool purge(void* p, std::size_t n) noexcept { return ::madvise(p, n, MADV_DONTNEED) == 0; }

bool hugepage_off(void* p, std::size_t n) noexcept {
  return ::madvise(p, n, MADV_NOHUGEPAGE) == 0;
}

bool remap_to(void* old, std::size_t old_n, void* dest, std::size_t new_n) noexcept {
  const int saved = errno;
  void* r = ::mremap(old, old_n, new_n, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
  errno = saved;
  return r != MAP_FAILED;
}

Remap remap_in_place(void* p, std::size_t old_n, std::size_t new_n) noexcept {
  const int saved = errno;
  if (::mremap(p, old_n, new_n, 0) != MAP_FAILED) return Remap::kDone;
  const Remap r = errno == EFAULT ? Remap::kSeveralMappings : Remap::kNoRoom;
  errno = saved;
  return r;
}

std::size_t resident_pages(const void* p, std::size_t n) noexcept {
  unsigned char vec[4096];  // one byte per page: 16 MiB per call
  std::size_t resident = 0;
  const auto* at = static_cast<const char*>(p);
  while (n > 0) {
    const std::size_t span = n < sizeof(vec) * kPageSize ? n : sizeof(vec) * kPageSize;
    if (::mincore(const_cast<char*>(at), span, vec) == 0) {
      const std::size_t pages = (span + kPageSize - 1) / kPageSize;
      for (std::size_t i = 0; i < pages; ++i) resident += vec[i] & 1;
    }
    at += span;
    n -= span;
  }
  return resident;
}

// What every process asks at start-up goes through getauxval and syscall, which the rest
// of the start-up calls too: sysconf, sched_getaffinity and getpid each sit in another
// 64 KiB of libc's text, and the kernel maps the whole 64 KiB around a first call
// (fault-around): 128 KiB of libc resident in every process for three calls.
std::size_t system_page_size() noexcept {
  const unsigned long ps = ::getauxval(AT_PAGESZ);
  return ps != 0 ? static_cast<std::size_t>(ps) : kPageSize;
}

unsigned cpus_available() noexcept {
  std::uint64_t mask[16] = {};  // 1,024 CPUs
  const long bytes = ::syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);  // bytes of mask written
  unsigned n = 0;
  for (long i = 0; i * 8 < bytes; ++i) {
    for (std::uint64_t w = mask[i]; w != 0; w &= w - 1) ++n;  // not __builtin_popcount: libgcc's, at the text's end
  }
  if (n > 0) return n;
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<unsigned>(online) : 1u;
}

int pid() noexcept { return static_cast<int>(::syscall(SYS_getpid)); }
unsigned uid() noexcept { return static_cast<unsigned>(::getuid()); }

const char* getenv(const char* name) noexcept { return ::secure_getenv(name); }

std::size_t resident_bytes() noexcept {
  // statm's second field is resident pages. Read into a stack buffer: no stdio.
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* s = buf;
  while (*s != '\0' && *s != ' ') ++s;  // skip size
  std::size_t pages = 0;
  for (++s; *s >= '0' && *s <= '9'; ++s) pages = pages * 10 + static_cast<std::size_t>(*s - '0');
  return pages * system_page_size();
}

std::size_t process_name(char* out, std::size_t cap) noexcept {
  if (cap == 0) return 0;
  out[0] = '\0';
  const int fd = ::open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  const ssize_t n = ::read(fd, out, cap - 1);
  ::close(fd);
  std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 0;
  while (len > 0 && out[len - 1] == '\n') --len;
  out[len] = '\0';
  return len;
}

static std::uint64_t clock_ns(clockid_t id) noexcept {
  struct timespec ts;
  ::clock_gettime(id, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}
std::uint64_t monotonic_ns() noexcept { return clock_ns(CLOCK_MONOTONIC); }
std::uint64_t coarse_ns() noexcept { return clock_ns(CLOCK_MONOTONIC_COARSE); }

void sleep_ns(std::uint64_t ns) noexcept {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000u);
  ts.tv_nsec = static_cast<long>(ns % 1000000000u);
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

int open_for_write(const char* path) noexcept {
  return ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

void close_fd(int fd) noexcept { ::close(fd); }

bool write_all(int fd, const void* buf, std::size_t n) noexcept {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void abort_process() noexcept { ::abort(); }

}  // namespace bento::os

namespace bento {
namespace {
constinit bool g_abort_on_warning = false;
}  // namespace
void set_abort_on_warning(bool on) noexcept { g_abort_on_warning = on; }
bool abort_on_warning() noexcept { return g_abort_on_warning; }
}  // namespace bento

namespace bento::os {

void set_errno_nomem() noexcept { errno = ENOMEM; }
void set_errno_inval() noexcept { errno = EINVAL; }

}  // namespace bento::os
