// prof/elf_symbols.h: function names for the addresses of a loaded object, read from the
// ELF symbol table of its file (.symtab when the file keeps one, else .dynsym), so that a
// heap profile names its functions wherever it is read: pprof reads Go's own tables only,
// and a binary may have changed or be gone by then. The file is mapped read-only for
// as long as the object is open (no heap memory), with its function symbols sorted by
// address in memory from the OS, so each lookup is a binary search; every offset in the
// file is checked, so a truncated or odd file gives no names, never a crash. Single
// owner, no lock.
#pragma once
#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bento {

class ElfSymbols {
 public:
  ElfSymbols() = default;
  ~ElfSymbols() { close(); }
  ElfSymbols(const ElfSymbols&) = delete;
  ElfSymbols& operator=(const ElfSymbols&) = delete;

  // Maps the file and finds its function symbols; false (and nothing held) when it is
  // not a readable 64-bit ELF file with a symbol table, or when build_id (hex, as the
  // loaded object's note says; empty: not checked) is not the file's own: the file was
  // replaced since it was loaded, and its names would be wrong.
  bool open(const char* path, const char* build_id = "") noexcept;
  void close() noexcept;
  // The function symbol whose range holds vaddr (an address in the file's own layout:
  // the run-time address less the object's load bias), or null.
  const Elf64_Sym* find(std::uintptr_t vaddr) const noexcept;
  std::string_view name(const Elf64_Sym& s) const noexcept;

 private:
  const unsigned char* file_ = nullptr;
  std::size_t size_ = 0;
  const Elf64_Sym* syms_ = nullptr;
  std::size_t nsyms_ = 0;
  const char* strtab_ = nullptr;
  std::size_t strsize_ = 0;
  struct Range {
    std::uint64_t start;
    std::uint32_t size;
    std::uint32_t sym;  // index into syms_
  };
  Range* ranges_ = nullptr;  // the function symbols by start address
  std::size_t nranges_ = 0;
  std::size_t ranges_bytes_ = 0;
};

}  // namespace bento
