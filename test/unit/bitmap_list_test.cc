// Bitmap and intrusive list: the two containers the allocator builds on.
#define BOOST_TEST_MODULE bitmap_list
#include <boost/test/unit_test.hpp>

#include <set>
#include <vector>

#include "base/bitmap.h"
#include "base/list.h"
#include "../support/rng.h"

using namespace bento;

BOOST_AUTO_TEST_CASE(set_first_then_find_walks_every_set_bit_in_order) {
  Bitmap<256> b;
  for (std::size_t n : {0u, 1u, 63u, 64u, 65u, 200u, 256u}) {
    b.set_first(n);
    BOOST_TEST(b.count() == n);
    std::size_t seen = 0;
    for (std::size_t i = b.find_first(); i != b.kNone; i = b.find_from(i + 1)) BOOST_TEST(i == seen++);
    BOOST_TEST(seen == n);
  }
}

BOOST_AUTO_TEST_CASE(random_set_and_reset_agree_with_a_std_set) {
  Bitmap<501> b;
  b.clear_all();
  std::set<std::size_t> model;
  test::Rng rng(7);
  for (int step = 0; step < 20000; ++step) {
    const std::size_t i = rng.below(501);
    if (rng.below(2) != 0) { b.set(i); model.insert(i); } else { b.reset(i); model.erase(i); }
    const std::size_t from = rng.below(510);
    auto it = model.lower_bound(from);
    const std::size_t want = it == model.end() ? b.kNone : *it;
    if (b.find_from(from) != want) BOOST_FAIL("step " << step);
  }
  BOOST_TEST(b.count() == model.size());
}

namespace {
struct Item {
  int v;
  ListNode node;
};
using List = IntrusiveList<Item, &Item::node>;
std::vector<int> values(const List& l) {
  std::vector<int> out;
  for (Item* i = l.front(); i != nullptr; i = l.next(i)) out.push_back(i->v);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(intrusive_list_keeps_order_through_inserts_and_removes) {
  Item a{1, {}}, b{2, {}}, c{3, {}}, d{4, {}};
  List l;
  BOOST_TEST(l.empty());
  l.push_back(&a);
  l.push_back(&c);
  l.push_front(&d);
  l.insert_after(&a, &b);
  BOOST_TEST((values(l) == std::vector<int>{4, 1, 2, 3}));
  BOOST_TEST(l.prev(&b) == &a);
  BOOST_TEST(l.prev(&d) == nullptr);
  l.remove(&a);
  BOOST_TEST(!a.node.linked());
  l.insert_after(nullptr, &a);
  BOOST_TEST((values(l) == std::vector<int>{1, 4, 2, 3}));
  BOOST_TEST(l.pop_front() == &a);
  BOOST_TEST(l.back() == &c);
}
