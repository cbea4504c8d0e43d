// The heap profiler inside a real process: how often it samples, what its estimates say
// against the truth, that a sampled object behaves like any other (sizes, realloc,
// calloc, alignment, sized frees), the controls (prof.active, prof.reset, prof.dump), and
// no deadlock or lost sample with threads, thread exit, fork, dlopen and signals.
#define BOOST_TEST_MODULE prof
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <new>
#include <thread>
#include <vector>

#include "bento/bento.h"
#include "../support/threads.h"

extern "C" void free_sized(void* p, size_t size) noexcept;
extern "C" void free_aligned_sized(void* p, size_t align, size_t size) noexcept;

namespace {

template <class T>
T read(const char* name) {
  T v{};
  size_t n = sizeof(v);
  BOOST_REQUIRE_EQUAL(bento_mallctl(name, &v, &n, nullptr, 0), 0);
  return v;
}
void set_active(bool on) { BOOST_REQUIRE_EQUAL(bento_mallctl("prof.active", nullptr, nullptr, &on, sizeof(on)), 0); }
void reset(size_t lg) { BOOST_REQUIRE_EQUAL(bento_mallctl("prof.reset", nullptr, nullptr, &lg, sizeof(lg)), 0); }
uint64_t nsamples() { return read<uint64_t>("prof.nsamples"); }
uint64_t nlive() { return read<uint64_t>("prof.nlive"); }

// An allocation the compiler cannot remove (the pointer goes through a volatile of the
// thread's own).
thread_local void* volatile t_sink;
void touch_free(size_t n) {
  char* p = static_cast<char*>(malloc(n));
  p[0] = 1;
  t_sink = p;
  free(t_sink);
}

// Switches sampling on for a case, and restores the defaults after it.
struct Settings {
  Settings() { set_active(true); }
  ~Settings() {
    bool on = false;
    size_t lg = 19;
    bento_mallctl("prof.active", nullptr, nullptr, &on, sizeof(on));
    bento_mallctl("prof.reset", nullptr, nullptr, &lg, sizeof(lg));
  }
};

// Threads that allocate and free objects of `size` until the scope ends.
class BusyThreads {
 public:
  BusyThreads(unsigned n, size_t size) {
    for (unsigned t = 0; t < n; ++t) {
      threads_.emplace_back([this, size] {
        while (!stop_.load()) touch_free(size);
      });
    }
  }
  ~BusyThreads() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }
  std::thread& first() { return threads_.front(); }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(profiling_is_ready_by_default_and_samples_when_switched_on) {
  BOOST_TEST(read<bool>("opt.prof"));
  BOOST_TEST(!read<bool>("opt.prof_active"));  // bench/run: 5% at 512 KiB (doc/profiling.md)
  BOOST_TEST(!read<bool>("prof.active"));
  BOOST_TEST(read<size_t>("opt.lg_prof_sample") == 19u);
  BOOST_TEST(read<size_t>("prof.lg_sample") == 19u);
}

BOOST_AUTO_TEST_CASE(samples_follow_the_requested_bytes) {
  Settings s;
  // 64 KiB between samples on average; 80 MiB requested in three sizes (cached small,
  // uncached large, huge): about 1,280 samples, a Poisson count (sigma ~36).
  reset(16);
  const uint64_t before = nsamples();
  for (int i = 0; i < 10240; ++i) touch_free(4096);
  for (int i = 0; i < 640; ++i) touch_free(65536);
  for (int i = 0; i < 16; ++i) touch_free(1u << 20);
  const double got = static_cast<double>(nsamples() - before);
  // A 1 MiB request is sampled with probability 1 - exp(-16): expected counts by size.
  const double want = 10240 * (1 - std::exp(-4096.0 / 65536)) + 640 * (1 - std::exp(-1.0)) + 16 * (1 - std::exp(-16.0));
  BOOST_TEST(std::fabs(got - want) < 6 * std::sqrt(want), "samples " << got << ", expected " << want);
}

// A rate slower than a sample a MiB is drawn a MiB at a time and thinned: it keeps its
// mean. 4 MiB between samples, 1 GiB requested in 16 KiB objects: about 256 samples
// (sigma 16); unthinned it would be about 1,024.
BOOST_AUTO_TEST_CASE(a_slow_rate_keeps_its_mean) {
  Settings s;
  reset(22);
  const uint64_t before = nsamples();
  for (int i = 0; i < 65536; ++i) touch_free(16384);
  const double got = static_cast<double>(nsamples() - before);
  const double want = 65536 * (1 - std::exp(-16384.0 / (1 << 22)));
  BOOST_TEST(std::fabs(got - want) < 6 * std::sqrt(want), "samples " << got << ", expected " << want);
}

// prof.reset with a rate, made by another thread (as the daemon makes it for bentoctl),
// takes effect in a thread within about a MiB of its requests, not after an interval
// drawn at the old rate: here 2^40 bytes, which the thread would never reach. The thread
// only cycles one object through its cache: no slow path but the sampler's crossings.
BOOST_AUTO_TEST_CASE(a_new_rate_from_another_thread_takes_effect_at_once) {
  Settings s;
  reset(40);
  std::atomic<int> phase{0};
  uint64_t got = 0;
  std::thread worker([&] {
    touch_free(1024);  // its countdowns, drawn at 2^40
    phase = 1;
    while (phase.load() != 2) std::this_thread::yield();
    const uint64_t before = nsamples();
    for (int i = 0; i < 32768; ++i) touch_free(1024);  // 32 MiB: 2,048 samples at 2^14
    got = nsamples() - before;
  });
  while (phase.load() != 1) std::this_thread::yield();
  reset(14);
  phase = 2;
  worker.join();
  // Up to the first crossing (a MiB on average) at the old rate, none: about 64 fewer.
  // Below 1,400 means more than 10 MiB went by unsampled (odds e^-10); above 2,350 is
  // 6.7 sigma over 2,048.
  BOOST_TEST_MESSAGE("samples " << got);
  BOOST_TEST(got > 1400u, "samples " << got << ", expected about 1,980");
  BOOST_TEST(got < 2350u, "samples " << got << ", expected about 1,980");
}

BOOST_AUTO_TEST_CASE(live_bytes_estimate_the_heap_and_return_when_freed) {
  Settings s;
  reset(14);
  std::vector<void*> held;
  held.reserve(20000);
  const uint64_t live_before = nlive();
  const size_t bytes_before = read<size_t>("prof.live_bytes");
  for (int i = 0; i < 20000; ++i) held.push_back(malloc(1000));  // class 1024: 20 MB
  const double est = static_cast<double>(read<size_t>("prof.live_bytes") - bytes_before);
  const uint64_t live_held = nlive();
  for (void* p : held) free(p);
  const uint64_t live_after = nlive();  // read before Boost allocates for its messages
  const double truth = 20000.0 * 1024;
  BOOST_TEST(std::fabs(est - truth) < 0.2 * truth, "estimate " << est << " of " << truth);
  BOOST_TEST(live_held > live_before + 500);
  BOOST_TEST(live_after <= live_before);  // every sampled object freed is forgotten
}

BOOST_AUTO_TEST_CASE(a_sampled_object_behaves_like_any_other) {
  Settings s;
  reset(0);  // every allocation is sampled
  // Counted here and asserted after the loop: Boost's own allocations would be sampled.
  int unsampled = 0, wrong_size = 0, lost_contents = 0, not_zero = 0, misaligned = 0;
  const uint64_t live_before = nlive();
  for (size_t size : {1u, 16u, 100u, 1000u, 4096u, 14336u, 20000u, 100000u, 600000u, 3u << 20}) {
    set_active(false);
    void* q = malloc(size);
    const size_t plain = malloc_usable_size(q);
    free(q);
    set_active(true);
    const uint64_t taken = nsamples();
    char* p = static_cast<char*>(malloc(size));
    unsampled += nsamples() != taken + 1;
    wrong_size += malloc_usable_size(p) != plain;  // what it would have had
    memset(p, 0x5c, size);
    char* r = static_cast<char*>(realloc(p, size * 2 + 1));  // moves: a new sample
    for (size_t i = 0; i < size; ++i) lost_contents += r[i] != 0x5c;
    r = static_cast<char*>(realloc(r, size));
    free_sized(r, size);  // the ordinary size is the right one to give
    char* z = static_cast<char*>(calloc(1, size));
    for (size_t i = 0; i < size; ++i) not_zero += z[i] != 0;
    memset(z, 0x77, size);  // the next calloc may get these pages back
    free(z);
    for (size_t align : {64u, 4096u, 65536u}) {
      void* a = nullptr;
      misaligned += posix_memalign(&a, align, size) != 0 || reinterpret_cast<uintptr_t>(a) % align != 0;
      free_aligned_sized(a, align, size);
    }
    auto* o = new char[size];
    delete[] o;
  }
  const uint64_t live_after = nlive();
  BOOST_TEST(unsampled == 0);
  BOOST_TEST(wrong_size == 0);
  BOOST_TEST(lost_contents == 0);
  BOOST_TEST(not_zero == 0);
  BOOST_TEST(misaligned == 0);
  BOOST_TEST(live_after <= live_before);
}

BOOST_AUTO_TEST_CASE(prof_active_switches_sampling_off_and_on) {
  Settings s;
  reset(12);
  set_active(false);
  const uint64_t before = nsamples();
  for (int i = 0; i < 4000; ++i) touch_free(2048);  // 8 MiB: ~2,000 samples if it were on
  BOOST_TEST(nsamples() == before);
  set_active(true);
  for (int i = 0; i < 4000; ++i) touch_free(2048);
  BOOST_TEST(nsamples() > before + 1000);
}

BOOST_AUTO_TEST_CASE(controls_reject_bad_values) {
  Settings s;
  size_t lg = 13;
  BOOST_TEST(bento_mallctl("prof.reset", nullptr, nullptr, &lg, sizeof(lg)) == 0);
  BOOST_TEST(read<size_t>("prof.lg_sample") == 13u);
  lg = 99;
  BOOST_TEST(bento_mallctl("prof.reset", nullptr, nullptr, &lg, sizeof(lg)) == EINVAL);
  BOOST_TEST(read<size_t>("prof.lg_sample") == 13u);
  BOOST_TEST(bento_mallctl("prof.reset", nullptr, nullptr, nullptr, 0) == 0);  // counts only
  BOOST_TEST(nsamples() == 0u);
  const char* bad = "/nonexistent-dir/profile.pb.gz";
  BOOST_TEST(bento_mallctl("prof.dump", nullptr, nullptr, &bad, sizeof(bad)) == EFAULT);
  size_t n = 0;
  BOOST_TEST(bento_mallctl("prof.dump", &n, nullptr, nullptr, 0) == EPERM);  // write-only
}

BOOST_AUTO_TEST_CASE(dump_writes_a_gzipped_profile) {
  Settings s;
  reset(14);
  std::vector<void*> held;
  for (int i = 0; i < 2000; ++i) held.push_back(malloc(5000));
  char path[] = "/tmp/bento-prof-test-XXXXXX";
  const int fd = mkstemp(path);
  BOOST_REQUIRE(fd >= 0);
  close(fd);
  const char* p = path;
  BOOST_REQUIRE_EQUAL(bento_mallctl("prof.dump", nullptr, nullptr, &p, sizeof(p)), 0);
  FILE* f = fopen(path, "rb");
  BOOST_REQUIRE(f != nullptr);
  unsigned char head[2] = {};
  BOOST_TEST(fread(head, 1, 2, f) == 2u);
  fseek(f, 0, SEEK_END);
  BOOST_TEST(ftell(f) > 200);
  fclose(f);
  BOOST_TEST((head[0] == 0x1f && head[1] == 0x8b));
  BOOST_REQUIRE_EQUAL(bento_mallctl("prof.dump_peak", nullptr, nullptr, &p, sizeof(p)), 0);
  unlink(path);
  for (void* q : held) free(q);
}

BOOST_AUTO_TEST_CASE(threads_sample_and_free_each_others_objects) {
  Settings s;
  reset(12);
  constexpr unsigned kThreads = 4, kEach = 20000;
  std::vector<std::vector<void*>> kept(kThreads);
  for (auto& v : kept) v.reserve(kEach);
  const uint64_t live_before = nlive();
  bento::test::run_threads(kThreads, [&](unsigned t) {
    for (unsigned i = 0; i < kEach; ++i) {
      void* p = malloc(64 + (i % 64) * 16);
      if (i % 2 == 0) kept[t].push_back(p);  // outlives its thread, freed by main
      else free(p);
    }
  });
  const uint64_t live_held = nlive();
  for (auto& v : kept) for (void* p : v) free(p);
  const uint64_t live_after = nlive();
  BOOST_TEST(live_held > live_before + 100);
  // glibc keeps each exited thread's TLS vector (a malloc'ed block) with its cached
  // stack: one of those may be a live sample now.
  BOOST_TEST(live_after <= live_before + kThreads);
}

BOOST_AUTO_TEST_CASE(fork_while_threads_allocate_under_profiling) {
  Settings s;
  reset(10);  // a sample every KiB or so: the profiler's lock is busy
  int bad = 0;
  BusyThreads busy(3, 512);
  for (int i = 0; i < 40; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      for (int k = 0; k < 2000; ++k) touch_free(512);
      const char* dev_null = "/dev/null";
      _exit(bento_mallctl("prof.dump", nullptr, nullptr, &dev_null, sizeof(dev_null)) == 0 ? 0 : 3);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    bad += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  BOOST_TEST(bad == 0);
}

BOOST_AUTO_TEST_CASE(dlopen_while_threads_unwind) {
  Settings s;
  reset(10);
  int opened = 0;
  {
    BusyThreads busy(2, 1024);
    for (int i = 0; i < 100; ++i) {
      void* h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
      void* h2 = dlopen("libutil.so.1", RTLD_NOW | RTLD_LOCAL);
      opened += h != nullptr;
      if (h2 != nullptr) dlclose(h2);
      if (h != nullptr) dlclose(h);
    }
  }
  BOOST_TEST(opened == 100);
}

namespace {
std::atomic<long> g_signals{0};
void on_signal(int) { g_signals.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

BOOST_AUTO_TEST_CASE(signals_interrupt_allocating_threads) {
  Settings s;
  reset(8);
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigaction(SIGUSR1, &sa, nullptr);
  {
    BusyThreads worker(1, 256);
    for (int i = 0; i < 2000; ++i) {
      pthread_kill(worker.first().native_handle(), SIGUSR1);
      if (i % 100 == 0) usleep(1000);
    }
  }
  signal(SIGUSR1, SIG_DFL);
  BOOST_TEST(g_signals.load() > 0);
}
