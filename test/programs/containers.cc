// containers: a C++ program that leans on std containers, strings and threads. It links
// no bento; the programs suite runs it with and without LD_PRELOAD and compares output.
//   containers            the container work on 4 threads
//   containers bad_alloc  operator new of an impossible size throws std::bad_alloc after
//                         the new_handler's calls; the nothrow form returns null
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <new>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {
std::uint64_t work(unsigned seed) {
  std::uint64_t x = seed * 2654435761u + 1, sum = 0;
  auto next = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  std::map<std::uint64_t, std::string> ordered;
  std::unordered_map<std::string, std::vector<int>> hashed;
  std::vector<std::shared_ptr<std::string>> shared;
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t k = next() % 50000;
    std::string s(static_cast<std::size_t>(next() % 200), static_cast<char>('a' + k % 26));
    ordered[k] = s;
    auto& v = hashed[s.substr(0, 8)];
    v.push_back(static_cast<int>(k));
    if (v.size() > 64) v.erase(v.begin(), v.begin() + 32);
    if (i % 7 == 0) shared.push_back(std::make_shared<std::string>(s + std::to_string(k)));
    if (shared.size() > 1000) shared.erase(shared.begin(), shared.begin() + 500);
    if (i % 1000 == 0) ordered.erase(ordered.begin(), ordered.lower_bound(next() % 50000));
  }
  for (auto& [k, v] : ordered) sum += k * v.size();
  for (auto& [k, v] : hashed) sum += v.size() * k.size();
  for (auto& s : shared) sum += s->size();
  return sum;
}
}  // namespace

int handler_calls = 0;
void handler() {
  if (++handler_calls == 3) std::set_new_handler(nullptr);
}

int bad_alloc_check() {
  std::set_new_handler(handler);
  const std::size_t huge = std::size_t{1} << 60;
  bool caught = false;
  try {
    void* volatile p = ::operator new(huge);
    (void)p;
  } catch (const std::bad_alloc&) {
    caught = true;
  }
  std::set_new_handler([] { throw std::bad_alloc(); });  // nothrow new must still give null
  void* q = ::operator new(huge, std::nothrow);
  std::printf("%s %d handler calls, nothrow %s\n", caught ? "caught std::bad_alloc" : "NOT CAUGHT", handler_calls,
              q == nullptr ? "null" : "NOT NULL");
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "bad_alloc") == 0) return bad_alloc_check();
  std::uint64_t results[4] = {};
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < 4; ++t) ts.emplace_back([&results, t] { results[t] = work(t + 1); });
  for (auto& t : ts) t.join();
  for (auto r : results) std::printf("%llu\n", static_cast<unsigned long long>(r));
  return 0;
}
