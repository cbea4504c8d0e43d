// mallctl_fuzz: arbitrary names (and sometimes writes) through bento_mallctl and
// bento_mallctlnametomib / bento_mallctlbymib: only the documented error codes, never a
// crash. Input: a name, then optionally '\0' and up to 8 bytes to write.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bento/bento.h"

namespace {
bool documented(int rc) { return rc == 0 || rc == ENOENT || rc == EINVAL || rc == EPERM || rc == EFAULT || rc == EAGAIN; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  char name[300];
  std::size_t n = 0;
  while (n < size && n < sizeof(name) - 1 && data[n] != 0) {
    name[n] = static_cast<char>(data[n]);
    ++n;
  }
  name[n] = '\0';
  // Names that would change the process for the rest of the run are read only.
  const bool may_write = std::strncmp(name, "thread.", 7) != 0;
  alignas(8) unsigned char out[16];
  std::size_t len = 8;
  unsigned char in[8] = {};
  const std::size_t in_len = size > n + 1 ? (size - n - 1 < 8 ? size - n - 1 : 8) : 0;
  if (in_len != 0) std::memcpy(in, data + n + 1, in_len);
  int rc = bento_mallctl(name, out, &len, (may_write && in_len != 0) ? in : nullptr, in_len);
  if (!documented(rc)) __builtin_trap();
  std::size_t mib[8];
  std::size_t miblen = 8;
  rc = bento_mallctlnametomib(name, mib, &miblen);
  if (!documented(rc)) __builtin_trap();
  if (rc == 0) {
    len = 8;
    rc = bento_mallctlbymib(mib, miblen, out, &len, nullptr, 0);
    if (!documented(rc)) __builtin_trap();
  }
  return 0;
}
