// Memory goes back to the OS: after a freed burst, resident memory falls once the decay
// time has passed (this test runs with BENTO_CONF=dirty_decay_ms:200).
#define BOOST_TEST_MODULE purge
#include <boost/test/unit_test.hpp>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>
#include <thread>
#include <vector>

namespace {
std::size_t resident_mib() {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, res = 0;
  if (f != nullptr) {
    if (fscanf(f, "%lu %lu", &size, &res) != 2) res = 0;
    fclose(f);
  }
  return res * 4096 / (1 << 20);
}

std::size_t burst_and_free(std::size_t mib, std::size_t object_bytes) {
  std::vector<void*> objs;
  for (std::size_t done = 0; done < mib << 20; done += object_bytes) {
    void* p = malloc(object_bytes);
    memset(p, 0x3c, object_bytes);
    objs.push_back(p);
  }
  const std::size_t peak = resident_mib();
  for (void* p : objs) free(p);
  return peak;
}

// A little allocator activity after the decay time lets the arena notice.
std::size_t settle() {
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  for (int i = 0; i < 4; ++i) {
    void* volatile q = malloc(100000);  // volatile: the compiler may not drop the pair
    free(q);
  }
  return resident_mib();
}

// settle(), repeated until resident memory is at most `limit` MiB or 5 s have passed
// (on a loaded machine the purging thread may not run within the first decay period).
std::size_t settle_to(std::size_t limit) {
  std::size_t now = settle();
  for (int i = 0; i < 8 && now > limit; ++i) now = settle();
  return now;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_freed_burst_of_large_objects_returns_to_the_os) {
  const std::size_t before = resident_mib();
  const std::size_t peak = burst_and_free(256, 64 * 1024);
  const std::size_t after = settle_to(before + (peak - before) / 10);
  BOOST_TEST_MESSAGE("large: before " << before << " peak " << peak << " after " << after << " MiB");
  BOOST_TEST(peak >= before + 200);
  BOOST_TEST(after <= before + (peak - before) / 10);
}

BOOST_AUTO_TEST_CASE(a_freed_burst_of_small_objects_returns_to_the_os) {
  const std::size_t before = resident_mib();
  const std::size_t peak = burst_and_free(256, 96);
  const std::size_t after = settle_to(before + (peak - before) / 10);
  BOOST_TEST_MESSAGE("small: before " << before << " peak " << peak << " after " << after << " MiB");
  BOOST_TEST(peak >= before + 200);
  BOOST_TEST(after <= before + (peak - before) / 10);
}

BOOST_AUTO_TEST_CASE(huge_objects_are_unmapped_on_free) {
  // Let the helper thread finish purging the earlier bursts: it must not shrink `before`
  // while the huge object is filled.
  const std::size_t before = settle();
  void* volatile vp = malloc(300u << 20);  // volatile: keep the compiler from eliding it
  void* p = vp;
  memset(p, 1, 300u << 20);
  BOOST_TEST(resident_mib() >= before + 290);
  free(p);
  BOOST_TEST(resident_mib() <= before + 5);
}
