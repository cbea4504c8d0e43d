// ctl/symbolizer.cc: Symbolizer over libdwfl (symbolizer.h). libdw is opened with dlopen
// the first time a Symbolizer is made: only `heap --top` and `heap --live` name call
// sites, and loading libdw with its compression libraries cost every other command of
// bentoctl about half a millisecond at start-up.
#include "symbolizer.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <fmt/format.h>

#include "client.h"

namespace bentoctl {

namespace {
// The libdwfl functions used, each a row: X(name).
#define BENTO_DWFL_FUNCTIONS(X)                                                                    \
  X(dwfl_linux_proc_find_elf) X(dwfl_standard_find_debuginfo) X(dwfl_begin) X(dwfl_errmsg)         \
  X(dwfl_linux_proc_report) X(dwfl_report_end) X(dwfl_end) X(dwfl_addrmodule) X(dwfl_module_addrname) \
  X(dwfl_module_info) X(dwfl_module_getsrc) X(dwfl_lineinfo)

struct Libdw {
#define BENTO_DWFL_MEMBER(fn) decltype(&::fn) fn = nullptr;
  BENTO_DWFL_FUNCTIONS(BENTO_DWFL_MEMBER)
#undef BENTO_DWFL_MEMBER
};

// libdw's functions, loaded once; throws if the library or one of them is missing.
const Libdw& libdw() {
  static const Libdw lib = [] {
    void* h = ::dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      throw CtlError(fmt::format("naming call sites needs elfutils' libdw ({}); on Debian: apt-get install libdw1",
                                 ::dlerror()));
    }
    Libdw l;
#define BENTO_DWFL_LOAD(fn)                                                                  \
  l.fn = reinterpret_cast<decltype(&::fn)>(::dlsym(h, #fn));                                 \
  if (l.fn == nullptr) throw CtlError("libdw.so.1 has no " #fn ": elfutils is too old");
    BENTO_DWFL_FUNCTIONS(BENTO_DWFL_LOAD)
#undef BENTO_DWFL_LOAD
    return l;
  }();
  return lib;
}
}  // namespace

struct Symbolizer::Impl {
  Dwfl_Callbacks callbacks{};
  Dwfl* dwfl = nullptr;
  char* debuginfo_path = nullptr;
};

Symbolizer::Symbolizer(int pid) : impl_(std::make_unique<Impl>()) {
  const Libdw& dw = libdw();
  impl_->callbacks.find_elf = dw.dwfl_linux_proc_find_elf;
  impl_->callbacks.find_debuginfo = dw.dwfl_standard_find_debuginfo;
  impl_->callbacks.debuginfo_path = &impl_->debuginfo_path;
  impl_->dwfl = dw.dwfl_begin(&impl_->callbacks);
  if (impl_->dwfl == nullptr) throw CtlError("libdwfl could not start: " + std::string(dw.dwfl_errmsg(-1)));
  if (dw.dwfl_linux_proc_report(impl_->dwfl, pid) != 0) {
    dw.dwfl_end(impl_->dwfl);
    throw CtlError(fmt::format("cannot read the mappings of pid {} (/proc/{}/maps)", pid, pid));
  }
  dw.dwfl_report_end(impl_->dwfl, nullptr, nullptr);
}

Symbolizer::~Symbolizer() { libdw().dwfl_end(impl_->dwfl); }

std::string Symbolizer::function(std::uint64_t pc) const {
  const Libdw& dw = libdw();
  const Dwarf_Addr addr = pc - 1;
  Dwfl_Module* mod = dw.dwfl_addrmodule(impl_->dwfl, addr);
  if (mod == nullptr) return "";
  const char* fn = dw.dwfl_module_addrname(mod, addr);
  return fn != nullptr ? fn : "";
}

std::string Symbolizer::name(std::uint64_t pc) const {
  const Libdw& dw = libdw();
  const Dwarf_Addr addr = pc - 1;
  Dwfl_Module* mod = dw.dwfl_addrmodule(impl_->dwfl, addr);
  if (mod == nullptr) return fmt::format("{:#x}", addr);
  const char* fn = dw.dwfl_module_addrname(mod, addr);
  std::string out;
  if (fn != nullptr) {
    out = fn;
  } else {
    Dwarf_Addr base = 0;
    const char* modname = dw.dwfl_module_info(mod, nullptr, &base, nullptr, nullptr, nullptr, nullptr, nullptr);
    std::string m = modname != nullptr ? modname : "?";
    if (const auto slash = m.rfind('/'); slash != std::string::npos) m = m.substr(slash + 1);
    out = fmt::format("{}+{:#x}", m, addr - base);
  }
  if (Dwfl_Line* line = dw.dwfl_module_getsrc(mod, addr)) {
    int lineno = 0;
    const char* file = dw.dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr);
    if (file != nullptr) {
      std::string f = file;
      if (const auto slash = f.rfind('/'); slash != std::string::npos) f = f.substr(slash + 1);
      out += fmt::format(" ({}:{})", f, lineno);
    }
  }
  return out;
}

}  // namespace bentoctl
