// Size classes: every size maps to the smallest class that holds it, the lookup table
// and the arithmetic agree with a walk of the table, and the run geometry is exact.
#define BOOST_TEST_MODULE size_classes
#include <boost/test/unit_test.hpp>

#include "sizeclass/size_classes.h"

using namespace bento;

BOOST_AUTO_TEST_CASE(every_size_up_to_large_max_maps_to_the_smallest_class_that_holds_it) {
  unsigned expected = 0;
  for (std::size_t size = 1; size <= kLargeMaxBytes; ++size) {
    while (class_bytes(expected) < size) ++expected;
    const unsigned got = size_to_class(size);
    if (got != expected) BOOST_FAIL("size " << size << " -> class " << got << ", want " << expected);
  }
  BOOST_TEST(size_to_class(0) == 0u);
}

BOOST_AUTO_TEST_CASE(lookup_table_and_arithmetic_agree_with_the_table_walk) {
  for (std::size_t size = 0; size <= kLookupMaxBytes; ++size) {
    if (size_to_class_lookup(size) != size_to_class_search(size)) BOOST_FAIL("size " << size);
  }
  for (std::size_t size = 0; size <= kLargeMaxBytes; ++size) {
    if (size_to_class_compute(size) != size_to_class_search(size)) BOOST_FAIL("size " << size);
  }
}

BOOST_AUTO_TEST_CASE(a_power_of_two_and_a_header_rounds_up_by_an_eighth_not_a_quarter) {
  for (std::size_t base : {1024u, 2048u, 4096u, 8192u}) {
    BOOST_TEST(usable_size_for(base + 8) == base + base / 8);
    BOOST_TEST(usable_size_for(base + base / 8 + 1) == base + base / 4);
    BOOST_TEST(kClasses[size_to_class(base + 8)].run_pages == 9u);
  }
  BOOST_TEST(usable_size_for(512 + 8) == 640u);  // below 1 KiB, four classes per doubling only
}

BOOST_AUTO_TEST_CASE(runs_are_the_fewest_pages_the_region_size_divides) {
  for (unsigned c = 0; c < kNumSmallClasses; ++c) {
    const SizeClassInfo& k = kClasses[c];
    BOOST_TEST(k.run_pages * kPageSize % k.bytes == 0u);
    for (unsigned p = 1; p < k.run_pages; ++p) BOOST_TEST(p * kPageSize % k.bytes != 0u);
    BOOST_TEST(k.nregs <= kMaxRegionsPerRun);
  }
}

BOOST_AUTO_TEST_CASE(region_inverse_gives_exact_indexes_for_every_offset_of_a_run) {
  for (unsigned c = 0; c < kNumSmallClasses; ++c) {
    const SizeClassInfo& k = kClasses[c];
    for (std::size_t off = 0; off < k.run_pages * kPageSize; ++off) {
      const std::size_t idx = static_cast<std::size_t>((off * k.reg_inv) >> 32);
      if (idx != off / k.bytes) BOOST_FAIL("class " << c << " offset " << off);
    }
  }
}

BOOST_AUTO_TEST_CASE(align_mask_is_the_alignment_every_object_of_the_class_has) {
  for (unsigned c = 0; c < kNumClasses; ++c) {
    const SizeClassInfo& k = kClasses[c];
    const std::size_t align = k.align_mask + 1u;
    BOOST_TEST(is_pow2(align));
    if (c < kNumSmallClasses) {
      BOOST_TEST(k.bytes % align == 0u);  // region i at run start + i * bytes
      BOOST_TEST((align >= kPageSize || k.bytes % (2 * align) != 0u));
    } else {
      BOOST_TEST(align == kPageSize);
    }
  }
}

BOOST_AUTO_TEST_CASE(usable_size_is_at_least_the_request_and_huge_rounds_to_pages) {
  BOOST_TEST(usable_size_for(kLargeMaxBytes) == kLargeMaxBytes);
  BOOST_TEST(usable_size_for(kLargeMaxBytes + 1) == kLargeMaxBytes + kPageSize);
  BOOST_TEST(usable_size_for(3 * kMiB + 5) == 3 * kMiB + kPageSize);
  BOOST_TEST(usable_size_for(~std::size_t{0}) == 0u);  // cannot be represented
  for (std::size_t s = 1; s < 4 * kMiB; s += 997) BOOST_TEST(usable_size_for(s) >= s);
}

BOOST_AUTO_TEST_CASE(internal_fragmentation_stays_under_25_percent_above_64_bytes) {
  for (std::size_t s = 65; s <= kLargeMaxBytes; s += 13) {
    const std::size_t u = usable_size_for(s);
    if ((u - s) * 4 >= u) BOOST_FAIL("size " << s << " usable " << u);
  }
}
