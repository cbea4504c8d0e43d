// mallctl/leaf.h: jemalloc's read/write conventions for leaf handlers, and helpers to
// declare nodes. A read copies into oldp when oldp and oldlenp are given; a wrong
// *oldlenp copies what fits, stores that length and fails with EINVAL. A write takes newp
// and must have newlen == sizeof(T).
#pragma once
#include <cerrno>
#include <cstring>

#include "mallctl/ctl.h"

namespace bento {

template <class T>
inline int ctl_copy_out(const CtlArgs& a, const T& v) noexcept {
  if (a.oldp == nullptr || a.oldlenp == nullptr) return 0;
  if (*a.oldlenp != sizeof(T)) {
    const std::size_t n = *a.oldlenp < sizeof(T) ? *a.oldlenp : sizeof(T);
    std::memcpy(a.oldp, &v, n);
    *a.oldlenp = n;
    return EINVAL;
  }
  std::memcpy(a.oldp, &v, sizeof(T));
  return 0;
}

// A read-only leaf's whole handler body.
template <class T>
inline int ctl_read_only(const CtlArgs& a, const T& v) noexcept {
  if (a.newp != nullptr || a.newlen != 0) return EPERM;
  return ctl_copy_out(a, v);
}

// True (and *out set) when the call writes; *err is set for a malformed write.
template <class T>
inline bool ctl_take_write(const CtlArgs& a, T* out, int* err) noexcept {
  if (a.newp == nullptr) {
    if (a.newlen != 0) *err = EINVAL;
    return false;
  }
  if (a.newlen != sizeof(T)) {
    *err = EINVAL;
    return false;
  }
  std::memcpy(out, a.newp, sizeof(T));
  return true;
}

// A void (action) leaf: no data either way.
inline int ctl_void_args(const CtlArgs& a) noexcept {
  return (a.oldp != nullptr || a.oldlenp != nullptr || a.newp != nullptr || a.newlen != 0) ? EPERM : 0;
}

// The C type behind a CtlType tag (the stat tables name their types by tag).
template <CtlType T> struct CtlCType;
template <> struct CtlCType<CtlType::kBool> { using type = bool; };
template <> struct CtlCType<CtlType::kUnsigned> { using type = unsigned; };
template <> struct CtlCType<CtlType::kUint32> { using type = std::uint32_t; };
template <> struct CtlCType<CtlType::kUint64> { using type = std::uint64_t; };
template <> struct CtlCType<CtlType::kSize> { using type = std::size_t; };
template <> struct CtlCType<CtlType::kSsize> { using type = long; };  // ssize_t
template <> struct CtlCType<CtlType::kString> { using type = const char*; };
template <> struct CtlCType<CtlType::kPointer> { using type = void*; };
template <CtlType T> using ctl_ctype_t = typename CtlCType<T>::type;

constexpr CtlNode ctl_leaf_node(const char* name, CtlType t, std::uint8_t access, CtlHandler h,
                                const char* doc) noexcept {
  return CtlNode{name, t, access, h, nullptr, 0, nullptr, nullptr, doc};
}
template <std::size_t N>
constexpr CtlNode ctl_named(const char* name, const CtlNode (&children)[N]) noexcept {
  return CtlNode{name, CtlType::kVoid, kCtlNone, nullptr, children, static_cast<std::uint16_t>(N),
                 nullptr, nullptr, nullptr};
}
// A named subtree a build may leave out: without it the name has no children, so every
// name below answers ENOENT.
template <std::size_t N>
constexpr CtlNode ctl_named_if(bool present, const char* name, const CtlNode (&children)[N]) noexcept {
  return present ? ctl_named(name, children)
                 : CtlNode{name, CtlType::kVoid, kCtlNone, nullptr, nullptr, 0, nullptr, nullptr, nullptr};
}
constexpr CtlNode ctl_indexed(const char* name, const CtlNode* child, CtlIndexOk ok) noexcept {
  return CtlNode{name, CtlType::kVoid, kCtlNone, nullptr, nullptr, 0, child, ok, nullptr};
}

}  // namespace bento
