// base/select.h: the step of a partial selection sort, for "the n largest of m" where n
// is small (a report's top 20): no allocation, O(n m).
#pragma once
#include <cstddef>
#include <utility>

namespace bento {

// Moves the element of a[k..m) with the largest key(element) to a[k].
template <class T, class Key>
void move_largest_to(T* a, std::size_t k, std::size_t m, Key key) noexcept {
  std::size_t best = k;
  for (std::size_t i = k + 1; i < m; ++i) {
    if (key(a[i]) > key(a[best])) best = i;
  }
  std::swap(a[best], a[k]);
}

}  // namespace bento
