// platform/mutex_linux.cc: futex waits and the contended paths of Mutex and
// ProfiledMutex.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "platform/mutex.h"
#include "platform/os.h"

namespace bento {

namespace {
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
void futex_wait(std::atomic<std::uint32_t>* addr, std::uint32_t expected) noexcept {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(addr), FUTEX_WAIT_PRIVATE, expected,
            nullptr, nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>* addr, int n) noexcept {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(addr), FUTEX_WAKE_PRIVATE, n, nullptr,
            nullptr, 0);
}
}  // namespace

bool Mutex::spin_try(unsigned spins) noexcept {
  for (unsigned i = 0; i < spins; ++i) {
    if (state_.load(std::memory_order_relaxed) == 0 && try_lock()) return true;
    cpu_relax();
  }
  return false;
}

void Mutex::lock_slow(unsigned spins) noexcept {
  if (spin_try(spins)) return;
  // Mark "held with sleepers" and sleep until we take it from the free state.
  while (state_.exchange(2, std::memory_order_acquire) != 0) {
    futex_wait(&state_, 2);
  }
}

void Mutex::wake_one() noexcept { futex_wake(&state_, 1); }

LockCounters& LockCounters::operator+=(const LockCounters& o) noexcept {
  lock_ops += o.lock_ops;
  trylock_failures += o.trylock_failures;
  blocking_waits += o.blocking_waits;
  spin_acquired += o.spin_acquired;
  sleeps += o.sleeps;
  owner_switches += o.owner_switches;
  wait_ns += o.wait_ns;
  max_wait_ns = std::max(max_wait_ns, o.max_wait_ns);
  max_waiters = std::max(max_waiters, o.max_waiters);
  return *this;
}

bool ProfiledMutex::held_by_caller() const noexcept {
  return m_.is_locked() && last_owner_ == static_cast<std::uintptr_t>(::pthread_self());
}

void ProfiledMutex::on_acquired() noexcept {
  ++c_.lock_ops;
  const auto self = static_cast<std::uintptr_t>(::pthread_self());
  if (self != last_owner_) {
    last_owner_ = self;
    ++c_.owner_switches;
  }
}

void ProfiledMutex::lock_contended() noexcept {
  const std::uint32_t waiting = waiters_.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::uint64_t start = os::monotonic_ns();
  const bool spun = m_.spin_try(Mutex::kDefaultSpins);
  if (!spun) m_.lock_no_spin();
  const std::uint64_t waited = os::monotonic_ns() - start;
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  // Now the owner: the plain counters are ours to update.
  ++c_.blocking_waits;
  if (spun) {
    ++c_.spin_acquired;
  } else {
    ++c_.sleeps;
  }
  c_.wait_ns += waited;
  c_.max_wait_ns = std::max(c_.max_wait_ns, waited);
  c_.max_waiters = std::max(c_.max_waiters, waiting);
  on_acquired();
}

LockCounters ProfiledMutex::read_locked() const noexcept {
  LockCounters out = c_;
  out.trylock_failures = trylock_failures_.load(std::memory_order_relaxed);
  return out;
}

void ProfiledMutex::reset_counters_locked() noexcept {
  c_ = LockCounters{};
  trylock_failures_.store(0, std::memory_order_relaxed);
}

void ProfiledMutex::reset_after_fork() noexcept {
  m_.reset_after_fork();
  waiters_.store(0, std::memory_order_relaxed);
  last_owner_ = 0;
}

}  // namespace bento
