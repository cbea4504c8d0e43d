// platform/thread_linux.cc: pthread-based implementation of thread.h.
// Guards: g_key is written once during bento's single-threaded initialisation.
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/thread.h"

namespace bento::os {

namespace {
constinit pthread_key_t g_key;
constinit bool g_key_ok = false;
}  // namespace

bool thread_exit_hook_create(ThreadExitHook hook) noexcept {
  g_key_ok = ::pthread_key_create(&g_key, hook) == 0;
  return g_key_ok;
}

void thread_exit_hook_arm(void* value) noexcept {
  if (g_key_ok) ::pthread_setspecific(g_key, value);
}

// pthread_atfork itself is a stub that libc_nonshared.a links at the very end of the
// library's text, alone in a 64 KiB window of it that the kernel then maps (fault-around)
// in every process: the call it makes, named here (glibc's ABI since 2.3.2), keeps the
// registration with the rest of the start-up code.
extern "C" int __register_atfork(void (*prepare)(), void (*parent)(), void (*child)(), void* dso_handle);
extern "C" void* __dso_handle __attribute__((weak));

bool register_fork_handlers(void (*prepare)(), void (*parent)(), void (*child)()) noexcept {
  return __register_atfork(prepare, parent, child, __dso_handle) == 0;
}

std::uintptr_t thread_self() noexcept { return static_cast<std::uintptr_t>(::pthread_self()); }

int thread_tid() noexcept { return static_cast<int>(::syscall(SYS_gettid)); }

bool start_helper_thread(void* (*fn)(void*), void* arg) noexcept {
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  ::pthread_attr_init(&attr);
  ::pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // The helper formats into fixed buffers of a few KiB: 256 KiB of stack is plenty, and
  // mapping the default 8 MiB is a cost every process pays at start-up.
  ::pthread_attr_setstacksize(&attr, std::size_t{256} << 10);
  pthread_t t;
  const bool ok = ::pthread_create(&t, &attr, fn, arg) == 0;
  ::pthread_attr_destroy(&attr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

void set_thread_name(const char* name) noexcept { ::pthread_setname_np(::pthread_self(), name); }

namespace {
// /proc/self/stat: "pid (comm) state ..." with num_threads the 20th field. comm may hold
// spaces and parentheses: fields are counted from the last ')'.
bool read_process_stat(char* state, int* threads) noexcept {
  const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  const char* s = nullptr;
  for (const char* p = buf; *p != '\0'; ++p) {
    if (*p == ')') s = p;
  }
  if (s == nullptr || s[1] != ' ') return false;
  s += 2;  // field 3: state
  *state = *s;
  for (int field = 3; field < 20; ++field) {
    while (*s != '\0' && *s != ' ') ++s;
    if (*s == '\0') return false;
    ++s;
  }
  int count = 0;
  for (; *s >= '0' && *s <= '9'; ++s) count = count * 10 + (*s - '0');
  *threads = count;
  return true;
}
}  // namespace

int thread_count() noexcept {
  char state = 0;
  int threads = 0;
  return read_process_stat(&state, &threads) ? threads : 0;
}

bool only_thread_left() noexcept {
  char state = 0;
  int threads = 0;
  if (!read_process_stat(&state, &threads)) return false;
  if (threads == 1) return true;
  return threads == 2 && state == 'Z' && thread_tid() != static_cast<int>(::getpid());
}

void exit_as_last_thread() noexcept { ::exit(0); }

}  // namespace bento::os
