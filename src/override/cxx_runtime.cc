// override/cxx_runtime.cc: for libbento.so only, which links no C++ runtime (see
// override/new_delete.cc): the libstdc++ helpers that header code in src/ calls on paths
// that cannot run (fmt's inline buffers growing through std::allocator; an out-of-range
// std::string_view::substr; fmt's failed assertions in debug builds, which terminate). Defined hidden, under the names the headers call, so
// the library needs nothing of libstdc++ and the program's own calls still reach
// libstdc++'s. Reaching one is a bug of ours: one line, then abort.
//
// They are C functions under the helpers' symbol names, so the headers' declarations
// (default visibility) do not apply to them.
#include "platform/os.h"

#define BENTO_CXX_HELPER(mangled, what)                                                       \
  extern "C" [[noreturn]] __attribute__((visibility("hidden"), used)) void bento_cxx_##what() \
      asm(mangled);                                                                         \
  extern "C" void bento_cxx_##what() {                                                        \
    static const char msg[] = "bento: internal error: " #what " (a C++ library helper)\n";   \
    bento::os::write_all(2, msg, sizeof msg - 1);                                             \
    bento::os::abort_process();                                                               \
  }

BENTO_CXX_HELPER("_ZSt17__throw_bad_allocv", bad_alloc)
BENTO_CXX_HELPER("_ZSt28__throw_bad_array_new_lengthv", bad_array_new_length)
BENTO_CXX_HELPER("_ZSt24__throw_out_of_range_fmtPKcz", out_of_range)
BENTO_CXX_HELPER("_ZSt9terminatev", terminate)
