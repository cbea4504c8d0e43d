// base/list.h: an intrusive, circular, doubly linked list. Nodes live inside the objects
// they link (run metadata, chunks, thread states), so linking never allocates.
// Not thread-safe: the owner of the list holds whatever lock guards it.
#pragma once
#include <cstddef>

namespace bento {

struct ListNode {
  ListNode* prev = nullptr;
  ListNode* next = nullptr;
  bool linked() const noexcept { return next != nullptr; }
};

// T embeds a ListNode at member `Node`.
template <class T, ListNode T::*Node>
class IntrusiveList {
 public:
  // constexpr so that global lists are constant-initialised: malloc runs before any
  // static constructor of ours does.
  constexpr IntrusiveList() noexcept : head_{&head_, &head_} {}
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  // Forgets every element (used after fork and in tests); elements are not touched.
  void reset() noexcept { head_.prev = head_.next = &head_; }

  bool empty() const noexcept { return head_.next == &head_; }
  T* front() const noexcept { return empty() ? nullptr : owner(head_.next); }
  T* back() const noexcept { return empty() ? nullptr : owner(head_.prev); }
  T* next(T* x) const noexcept {
    ListNode* n = (x->*Node).next;
    return n == &head_ ? nullptr : owner(n);
  }

  T* prev(T* x) const noexcept {
    ListNode* n = (x->*Node).prev;
    return n == &head_ ? nullptr : owner(n);
  }

  void push_front(T* x) noexcept { insert_after(&head_, &(x->*Node)); }
  // Inserts x right after `pos`, or at the front when pos is null.
  void insert_after(T* pos, T* x) noexcept {
    insert_after(pos == nullptr ? &head_ : &(pos->*Node), &(x->*Node));
  }
  void push_back(T* x) noexcept { insert_after(head_.prev, &(x->*Node)); }
  void remove(T* x) noexcept {
    ListNode* n = &(x->*Node);
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = nullptr;
  }
  T* pop_front() noexcept {
    T* x = front();
    if (x != nullptr) remove(x);
    return x;
  }

 private:
  static void insert_after(ListNode* at, ListNode* n) noexcept {
    n->prev = at;
    n->next = at->next;
    at->next->prev = n;
    at->next = n;
  }
  static T* owner(ListNode* n) noexcept {
    // offsetof for a pointer-to-member: the distance from T to its node.
    const auto offset = reinterpret_cast<std::size_t>(&(static_cast<T*>(nullptr)->*Node));
    return reinterpret_cast<T*>(reinterpret_cast<char*>(n) - offset);
  }

  ListNode head_;
};

}  // namespace bento
