// larson: a server simulation. Threads replace random slots of one shared array of
// objects (16 B to 1 KiB) for a fixed time; most frees are of objects other threads made.
//   larson THREADS [scale] [malloc|sized]
//   sized: C++ new[] and sized operator delete[](p, n), as a C++ server compiled with
//          -fsized-deallocation frees (a slot holds the size beside the pointer, in its
//          top 16 bits, as a type would give it: the free does not read the object)
#include <new>

#include "common.h"

namespace {
bool g_sized = false;
constexpr unsigned kSizeShift = 48;  // user addresses stay below 2^47
std::uintptr_t make(std::size_t n) {
  void* p = g_sized ? static_cast<void*>(new char[n]) : std::malloc(n);
  static_cast<char*>(p)[0] = 1;
  return reinterpret_cast<std::uintptr_t>(p) | (std::uintptr_t{n} << kSizeShift);
}
void drop(std::uintptr_t slot) {
  auto* p = reinterpret_cast<char*>(slot & ((std::uintptr_t{1} << kSizeShift) - 1));
  if (g_sized) {
    ::operator delete[](p, slot >> kSizeShift);
  } else {
    std::free(p);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv);
  const double seconds = 1.0 * bench::arg_scale(argc, argv);
  g_sized = argc > 3 && std::string(argv[3]) == "sized";
  constexpr std::size_t kSlots = 1 << 16;
  static std::atomic<std::uintptr_t> slots[kSlots];
  bench::Rng init(99);
  for (auto& s : slots) s.store(make(16 + init.below(1009)));
  std::atomic<long> ops{0};
  const double secs = bench::run_threads(threads, [&](unsigned id) {
    bench::Rng rng(id + 7);
    long n = 0;
    const double end = bench::now() + seconds;  // the threads start together
    while (bench::now() < end) {
      for (int k = 0; k < 64; ++k) {
        const std::uintptr_t fresh = make(16 + rng.below(1009));
        drop(slots[rng.below(kSlots)].exchange(fresh, std::memory_order_acq_rel));
      }
      n += 64;
    }
    ops.fetch_add(n);
  });
  for (auto& s : slots) drop(s.load());
  std::printf("bench name=larson%s threads=%u seconds=%.4f ops_per_s=%.0f\n", g_sized ? "-sized" : "", threads, secs, ops.load() / secs);
  return 0;
}
