// pairs: the fast path, timed. Single thread; for each size 16, 64, 256, 1024:
// free(malloc(n)) pairs, and batches of 1000 mallocs then 1000 frees.
//   pairs [threads(ignored)] [scale]
#include "common.h"

int main(int argc, char** argv) {
  const double scale = bench::arg_scale(argc, argv);
  const long pairs = static_cast<long>(20'000'000 * scale);
  static void* batch[1000];
  double total = 0;
  for (std::size_t size : {16u, 64u, 256u, 1024u}) {
    double t0 = bench::now();
    for (long i = 0; i < pairs; ++i) {
      void* p = std::malloc(size);
      bench::sink(p);
      std::free(p);
    }
    const double pair_s = bench::now() - t0;
    t0 = bench::now();
    for (long r = 0; r < pairs / 1000; ++r) {
      for (auto& b : batch) bench::sink(b = std::malloc(size));
      for (auto* b : batch) std::free(b);
    }
    const double batch_s = bench::now() - t0;
    std::printf("bench name=pairs size=%zu pair_ns=%.2f batch_ns=%.2f\n", size, pair_s * 1e9 / pairs,
                batch_s * 1e9 / (pairs / 1000 * 1000));
    total += pair_s + batch_s;
  }
  std::printf("bench name=pairs seconds=%.4f ops_per_s=%.0f\n", total, 8.0 * pairs / total);
  return 0;
}
