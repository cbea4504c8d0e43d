// list_ivec: the founding lecture's pair, per thread:
//   list  build a linked list of 10,000 small nodes (16-64 B) and tear it down, many times
//   ivec  grow an int vector one element at a time with realloc to 100,000, many times
//   list_ivec THREADS [scale] [list|ivec]
#include <cstring>

#include "common.h"

namespace {
struct Node {
  Node* next;
  long value;
};

void list_work(unsigned id, long rounds) {
  bench::Rng rng(id + 1);
  for (long r = 0; r < rounds; ++r) {
    Node* head = nullptr;
    for (int i = 0; i < 10000; ++i) {
      auto* n = static_cast<Node*>(std::malloc(16 + rng.below(49)));
      n->next = head;
      n->value = i;
      head = n;
    }
    long sum = 0;
    while (head != nullptr) {
      Node* next = head->next;
      sum += head->value;
      std::free(head);
      head = next;
    }
    bench::sink(reinterpret_cast<void*>(sum));
  }
}

void ivec_work(long rounds) {
  for (long r = 0; r < rounds; ++r) {
    int* v = nullptr;
    for (int n = 1; n <= 100000; ++n) {
      v = static_cast<int*>(std::realloc(v, sizeof(int) * static_cast<std::size_t>(n)));
      v[n - 1] = n;
    }
    bench::sink(v);
    std::free(v);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv);
  const double scale = bench::arg_scale(argc, argv);
  const std::string which = argc > 3 ? argv[3] : "list";
  long rounds = static_cast<long>((which == "list" ? 6000 : 600) * scale);
  if (rounds < 1) rounds = 1;
  const double secs = bench::run_threads(threads, [&](unsigned id) {
    if (which == "list") list_work(id, rounds);
    else ivec_work(rounds);
  });
  const double ops = which == "list" ? 2.0 * 10000 * rounds * threads : 100000.0 * rounds * threads;
  std::printf("bench name=%s threads=%u seconds=%.4f ops_per_s=%.0f\n", which.c_str(), threads, secs, ops / secs);
  return 0;
}
