// test/support/errno_check.h: errno through volatile accesses. Clang models malloc as
// touching no memory of the caller's, so with a plain `errno` it may assume the value
// set before the call is the one read after it.
#pragma once
#include <cerrno>

namespace bento::test {
inline void clear_errno() { *static_cast<volatile int*>(&errno) = 0; }
inline int read_errno() { return *static_cast<volatile int*>(&errno); }
}  // namespace bento::test
