// platform/thread.h: the thread facilities bento needs without allocating: a
// thread-exit hook (a pthread key whose destructor flushes the thread's cache), fork
// handlers, a thread id, and creating a helper thread with all signals blocked.
#pragma once
#include <cstdint>

namespace bento::os {

using ThreadExitHook = void (*)(void* value);

// Creates the one key bento uses. Returns false if the process has no keys left.
bool thread_exit_hook_create(ThreadExitHook hook) noexcept;
// Arms the hook for this thread: `value` is passed to it at thread exit.
void thread_exit_hook_arm(void* value) noexcept;

bool register_fork_handlers(void (*prepare)(), void (*parent)(), void (*child)()) noexcept;

std::uintptr_t thread_self() noexcept;  // pthread_self, as an integer
int thread_tid() noexcept;             // kernel thread id

// Starts a detached thread running fn(arg) with every signal blocked.
bool start_helper_thread(void* (*fn)(void*), void* arg) noexcept;
void set_thread_name(const char* name) noexcept;  // at most 15 characters

}  // namespace bento::os
