// ctl/symbolizer.h: names for return addresses of a live process, from its mappings and
// the ELF files (and any debug info) behind them. elfutils' libdwfl does the work: it
// reads /proc/<pid>/maps, finds each object's symbol table (.symtab when the file has
// one, else .dynsym) and its line table; doc/profiling.md says why this library.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace bentoctl {

class Symbolizer {
 public:
  explicit Symbolizer(int pid);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // "function (file:line)", "function", or "module+0xoffset" when nothing names it.
  // `pc` is a return address: the call before it is what is looked up.
  std::string name(std::uint64_t pc) const;
  // The function name alone, or empty.
  std::string function(std::uint64_t pc) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bentoctl
