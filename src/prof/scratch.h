// prof/scratch.h: working memory for the profile's writers (the pprof writer, the
// daemon's answers, the report at exit), from the OS and returned at scope exit: they
// run inside the allocator's process and must not call malloc. Single owner, no lock.
#pragma once
#include <cstddef>

#include "platform/os.h"

namespace bento {

template <class T>
class Scratch {
 public:
  Scratch() = default;
  explicit Scratch(std::size_t n) noexcept { reserve(n); }
  ~Scratch() { release(); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // Room for n elements (the old contents are dropped); false when the OS says no.
  bool reserve(std::size_t n) noexcept {
    release();
    bytes_ = (n > 0 ? n : 1) * sizeof(T);
    p_ = static_cast<T*>(os::map(bytes_));
    return p_ != nullptr;
  }
  // Fills the memory by copy(out, cap), which copies up to cap elements and returns how
  // many there are: sized by a first call, and again if the count grew in between.
  // Returns how many were copied; 0 with get() null when the OS refuses memory.
  template <class Copy>
  std::size_t fill(Copy copy) noexcept {
    for (std::size_t want = copy(nullptr, 0) + 16;;) {
      if (!reserve(want)) return 0;
      const std::size_t n = copy(p_, want);
      if (n <= want) return n;
      want = n + 16;
    }
  }
  T* get() const noexcept { return p_; }

 private:
  void release() noexcept {
    if (p_ != nullptr) os::unmap(p_, bytes_);
    p_ = nullptr;
  }
  std::size_t bytes_ = 0;
  T* p_ = nullptr;
};

}  // namespace bento
