// platform/thread.h: the thread facilities bento needs without allocating: a
// thread-exit hook (a pthread key whose destructor flushes the thread's cache), fork
// handlers, a thread id, creating a helper thread with all signals blocked, and telling
// when that helper is the last thread left.
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

// Threads in this process (from /proc/self/stat); 0 if that cannot be read. A main thread
// that called pthread_exit still counts until the whole process ends.
int thread_count() noexcept;
// Tells whether the calling thread is the only live one left: the count is 1, or 2 with
// the main thread gone (pthread_exit leaves it a zombie until the process ends).
bool only_thread_left() noexcept;
// What glibc does when the last thread returns: exit(0), atexit handlers included.
[[noreturn]] void exit_as_last_thread() noexcept;

}  // namespace bento::os
