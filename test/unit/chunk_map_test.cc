// chunk_map: chunks carved from shared reservations by many threads at once are
// chunk-aligned, writable and never overlap; big requests get their own mapping; what
// is handed out can be unmapped chunk by chunk.
#define BOOST_TEST_MODULE chunk_map
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

#include "chunk/chunk_map.h"
#include "platform/os.h"
#include "sizeclass/size_classes.h"
#include "../support/threads.h"

using namespace bento;

namespace {
struct Range {
  std::uintptr_t start;
  std::size_t bytes;
};
}  // namespace

BOOST_AUTO_TEST_CASE(threads_get_aligned_disjoint_writable_chunks) {
  constexpr unsigned kThreads = 8, kPerThread = 100;
  std::mutex m;
  std::vector<Range> all;
  test::Failures failures;
  test::run_threads(kThreads, [&](unsigned id) {
    std::vector<Range> mine;
    for (unsigned i = 0; i < kPerThread; ++i) {
      const std::size_t bytes = ((i + id) % 3 + 1) * kChunkSize;  // 1 to 3 chunks
      void* p = chunk_map(bytes);
      if (p == nullptr || (reinterpret_cast<std::uintptr_t>(p) & (kChunkSize - 1)) != 0) {
        failures.add();
        continue;
      }
      // First and last byte writable; the mark tells whose it is.
      static_cast<unsigned char*>(p)[0] = static_cast<unsigned char>(id);
      static_cast<unsigned char*>(p)[bytes - 1] = static_cast<unsigned char>(id);
      mine.push_back(Range{reinterpret_cast<std::uintptr_t>(p), bytes});
    }
    for (const Range& r : mine) {
      if (reinterpret_cast<unsigned char*>(r.start)[0] != id) failures.add();
    }
    std::lock_guard<std::mutex> g(m);
    all.insert(all.end(), mine.begin(), mine.end());
  });
  BOOST_TEST(failures.get() == 0);
  BOOST_TEST(all.size() == std::size_t{kThreads} * kPerThread);
  std::sort(all.begin(), all.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
  std::size_t overlaps = 0;
  for (std::size_t i = 1; i < all.size(); ++i) overlaps += all[i - 1].start + all[i - 1].bytes > all[i].start;
  BOOST_TEST(overlaps == 0u);
  for (const Range& r : all) os::unmap(reinterpret_cast<void*>(r.start), r.bytes);
}

BOOST_AUTO_TEST_CASE(big_requests_are_mapped_on_their_own) {
  const std::size_t bytes = 40 * kChunkSize;  // more than a reservation carves
  auto* p = static_cast<char*>(chunk_map(bytes));
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST((reinterpret_cast<std::uintptr_t>(p) & (kChunkSize - 1)) == 0u);
  std::memset(p + bytes - kChunkSize, 7, kChunkSize);
  BOOST_TEST(os::resident_pages(p, bytes) == kChunkSize / kPageSize);
  os::unmap(p, bytes);
}

BOOST_AUTO_TEST_CASE(consecutive_chunks_come_from_one_reservation) {
  // One mmap serves many chunks: most consecutive requests are neighbours.
  std::vector<char*> got;
  for (int i = 0; i < 16; ++i) got.push_back(static_cast<char*>(chunk_map(kChunkSize)));
  int neighbours = 0;
  for (std::size_t i = 1; i < got.size(); ++i) neighbours += got[i] == got[i - 1] + kChunkSize;
  BOOST_TEST(neighbours >= 13);
  for (char* p : got) os::unmap(p, kChunkSize);
}
