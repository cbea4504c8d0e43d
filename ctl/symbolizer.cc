// ctl/symbolizer.cc: Symbolizer over libdwfl (symbolizer.h).
#include "symbolizer.h"

#include <elfutils/libdwfl.h>
#include <fmt/format.h>

#include "client.h"

namespace bentoctl {

struct Symbolizer::Impl {
  Dwfl_Callbacks callbacks{};
  Dwfl* dwfl = nullptr;
  char* debuginfo_path = nullptr;
};

Symbolizer::Symbolizer(int pid) : impl_(std::make_unique<Impl>()) {
  impl_->callbacks.find_elf = dwfl_linux_proc_find_elf;
  impl_->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
  impl_->callbacks.debuginfo_path = &impl_->debuginfo_path;
  impl_->dwfl = dwfl_begin(&impl_->callbacks);
  if (impl_->dwfl == nullptr) throw CtlError("libdwfl could not start: " + std::string(dwfl_errmsg(-1)));
  if (dwfl_linux_proc_report(impl_->dwfl, pid) != 0) {
    dwfl_end(impl_->dwfl);
    throw CtlError(fmt::format("cannot read the mappings of pid {} (/proc/{}/maps)", pid, pid));
  }
  dwfl_report_end(impl_->dwfl, nullptr, nullptr);
}

Symbolizer::~Symbolizer() { dwfl_end(impl_->dwfl); }

std::string Symbolizer::function(std::uint64_t pc) const {
  const Dwarf_Addr addr = pc - 1;
  Dwfl_Module* mod = dwfl_addrmodule(impl_->dwfl, addr);
  if (mod == nullptr) return "";
  const char* fn = dwfl_module_addrname(mod, addr);
  return fn != nullptr ? fn : "";
}

std::string Symbolizer::name(std::uint64_t pc) const {
  const Dwarf_Addr addr = pc - 1;
  Dwfl_Module* mod = dwfl_addrmodule(impl_->dwfl, addr);
  if (mod == nullptr) return fmt::format("{:#x}", addr);
  const char* fn = dwfl_module_addrname(mod, addr);
  std::string out;
  if (fn != nullptr) {
    out = fn;
  } else {
    Dwarf_Addr base = 0;
    const char* modname = dwfl_module_info(mod, nullptr, &base, nullptr, nullptr, nullptr, nullptr, nullptr);
    std::string m = modname != nullptr ? modname : "?";
    if (const auto slash = m.rfind('/'); slash != std::string::npos) m = m.substr(slash + 1);
    out = fmt::format("{}+{:#x}", m, addr - base);
  }
  if (Dwfl_Line* line = dwfl_module_getsrc(mod, addr)) {
    int lineno = 0;
    const char* file = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr);
    if (file != nullptr) {
      std::string f = file;
      if (const auto slash = f.rfind('/'); slash != std::string::npos) f = f.substr(slash + 1);
      out += fmt::format(" ({}:{})", f, lineno);
    }
  }
  return out;
}

}  // namespace bentoctl
