// test/support/mallctl_read.h: the integration tests' mallctl helpers (Boost.Test, main
// thread only): a typed read that must succeed with the leaf's exact size, an epoch
// refresh, and a sink that keeps the compiler from dropping a malloc/free pair.
#pragma once
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "bento/bento.h"

namespace bento::test {

// A literal name is read without allocating: a guarded or sampled test counts the
// allocations between two reads, and a std::string name longer than the small-string
// buffer would be one of them.
template <class T>
T ctl_read(const char* name) {
  T v{};
  std::size_t len = sizeof(v);
  const int rc = bento_mallctl(name, &v, &len, nullptr, 0);
  BOOST_REQUIRE_MESSAGE(rc == 0, name << ": " << rc);
  BOOST_REQUIRE_MESSAGE(len == sizeof(T), name << ": length " << len);
  return v;
}
template <class T>
T ctl_read(const std::string& name) {
  return ctl_read<T>(name.c_str());
}

inline void ctl_refresh() {
  std::uint64_t e = 1;
  BOOST_REQUIRE(bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e)) == 0);
}

inline void* volatile g_sink;
inline void* opaque(void* p) {
  g_sink = p;
  return g_sink;
}

}  // namespace bento::test
