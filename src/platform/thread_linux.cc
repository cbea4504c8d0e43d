// platform/thread_linux.cc: pthread-based implementation of thread.h.
// Guards: g_key is written once during bento's single-threaded initialisation.
#include <pthread.h>
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

bool register_fork_handlers(void (*prepare)(), void (*parent)(), void (*child)()) noexcept {
  return ::pthread_atfork(prepare, parent, child) == 0;
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
  pthread_t t;
  const bool ok = ::pthread_create(&t, &attr, fn, arg) == 0;
  ::pthread_attr_destroy(&attr);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

void set_thread_name(const char* name) noexcept { ::pthread_setname_np(::pthread_self(), name); }

}  // namespace bento::os
