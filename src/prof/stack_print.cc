// prof/stack_print.cc: print_stack (stack_print.h).
#include "prof/stack_print.h"

#include <dlfcn.h>

#include "base/fixed_writer.h"
#include "platform/os.h"

namespace bento {

void print_stack(const std::uintptr_t* pcs, unsigned n) noexcept {
  for (unsigned i = 0; i < n; ++i) {
    char buf[512];
    FixedWriter w(buf, sizeof(buf) - 1);
    Dl_info info{};
    const std::uintptr_t addr = pcs[i] - 1;  // inside the call
    w.print("bento:     #{} {:#x}", i, addr);
    if (dladdr(reinterpret_cast<void*>(addr), &info) != 0) {
      if (info.dli_sname != nullptr) {
        w.print(" {}+{:#x}", info.dli_sname, addr - reinterpret_cast<std::uintptr_t>(info.dli_saddr));
      }
      if (info.dli_fname != nullptr) {
        w.print(" ({}+{:#x})", info.dli_fname, addr - reinterpret_cast<std::uintptr_t>(info.dli_fbase));
      }
    }
    w.put("\n");
    os::write_stderr(w.view());
  }
}

}  // namespace bento
