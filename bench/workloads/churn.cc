// churn: threads that come and go. Rounds of THREADS short-lived threads, created and
// joined together; each builds linked structures of small objects (16-256 B), frees most
// of them, and hands the rest to a shared exchange where a thread of the next round frees
// them (objects outlive their threads, frees of other threads' objects). Fixed work.
//   churn THREADS [scale]
#include <mutex>

#include "common.h"

namespace {
struct Node {
  Node* next;
  std::size_t size;
};

Node* build(bench::Rng& rng, int n) {
  Node* head = nullptr;
  for (int i = 0; i < n; ++i) {
    const std::size_t s = 16 + rng.below(241);
    auto* node = static_cast<Node*>(std::malloc(s < sizeof(Node) ? sizeof(Node) : s));
    node->next = head;
    node->size = s;
    head = node;
  }
  return head;
}

void free_list(Node* head) {
  while (head != nullptr) {
    Node* next = head->next;
    std::free(head);
    head = next;
  }
}
}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv, 2);
  const long rounds = static_cast<long>(600 * bench::arg_scale(argc, argv));
  constexpr unsigned kSlots = 64;
  std::mutex exchange_lock;
  Node* exchange[kSlots] = {};  // lists handed from one round's threads to the next's
  long ops = 0;
  const double t0 = bench::now();
  for (long r = 0; r < rounds; ++r) {
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        bench::Rng rng(static_cast<std::uint64_t>(r) * 131 + t + 1);
        for (int k = 0; k < 8; ++k) {
          Node* kept = build(rng, 2000);
          Node* handed = build(rng, 500);
          free_list(kept);
          Node* old;
          {
            std::lock_guard<std::mutex> g(exchange_lock);
            const unsigned slot = static_cast<unsigned>(rng.below(kSlots));
            old = exchange[slot];
            exchange[slot] = handed;
          }
          free_list(old);
        }
      });
    }
    for (auto& t : ts) t.join();
    ops += static_cast<long>(threads) * 8 * 2500;
  }
  for (Node* l : exchange) free_list(l);
  const double secs = bench::now() - t0;
  std::printf("bench name=churn threads=%u seconds=%.4f ops_per_s=%.0f\n", threads, secs, ops / secs);
  return 0;
}
