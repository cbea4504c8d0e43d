// larson: a server simulation. Threads replace random slots of one shared array of
// objects (16 B to 1 KiB) for a fixed time; most frees are of objects other threads made.
//   larson THREADS [scale]
#include "common.h"

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv);
  const double seconds = 1.0 * bench::arg_scale(argc, argv);
  constexpr std::size_t kSlots = 1 << 16;
  static std::atomic<void*> slots[kSlots];
  bench::Rng init(99);
  for (auto& s : slots) s.store(std::malloc(16 + init.below(1009)));
  std::atomic<long> ops{0};
  const double secs = bench::run_threads(threads, [&](unsigned id) {
    bench::Rng rng(id + 7);
    long n = 0;
    const double end = bench::now() + seconds;  // the threads start together
    while (bench::now() < end) {
      for (int k = 0; k < 64; ++k) {
        void* fresh = std::malloc(16 + rng.below(1009));
        static_cast<char*>(fresh)[0] = 1;
        std::free(slots[rng.below(kSlots)].exchange(fresh, std::memory_order_acq_rel));
      }
      n += 64;
    }
    ops.fetch_add(n);
  });
  for (auto& s : slots) std::free(s.load());
  std::printf("bench name=larson threads=%u seconds=%.4f ops_per_s=%.0f\n", threads, secs, ops.load() / secs);
  return 0;
}
