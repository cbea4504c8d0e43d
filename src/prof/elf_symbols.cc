// prof/elf_symbols.cc: the ELF symbol-table reader (elf_symbols.h).
#include "prof/elf_symbols.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace bento {

namespace {
// Whether [off, off + len) lies inside a file of `size` bytes.
bool inside(std::size_t size, std::uint64_t off, std::uint64_t len) noexcept {
  return off <= size && len <= size - off;
}
}  // namespace

bool ElfSymbols::open(const char* path) noexcept {
  close();
  if (path == nullptr || path[0] != '/') return false;  // [vdso], [heap], anonymous code
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  void* p = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(sizeof(Elf64_Ehdr))) {
    p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (p == MAP_FAILED) return false;
  file_ = static_cast<const unsigned char*>(p);
  size_ = static_cast<std::size_t>(st.st_size);

  Elf64_Ehdr eh;
  std::memcpy(&eh, file_, sizeof(eh));
  const bool elf64 = std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
                     eh.e_shentsize == sizeof(Elf64_Shdr);
  if (!elf64 || !inside(size_, eh.e_shoff, std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr))) {
    close();
    return false;
  }
  const auto* sh = reinterpret_cast<const Elf64_Shdr*>(file_ + eh.e_shoff);
  const Elf64_Shdr* table = nullptr;
  for (unsigned pass = 0; pass < 2 && table == nullptr; ++pass) {  // .symtab first, then .dynsym
    const unsigned want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
      if (sh[i].sh_type == want && sh[i].sh_link < eh.e_shnum && sh[i].sh_size != 0) {
        table = &sh[i];
        break;
      }
    }
  }
  if (table == nullptr || table->sh_entsize != sizeof(Elf64_Sym) || !inside(size_, table->sh_offset, table->sh_size) ||
      table->sh_offset % alignof(Elf64_Sym) != 0) {
    close();
    return false;
  }
  const Elf64_Shdr& strings = sh[table->sh_link];
  if (!inside(size_, strings.sh_offset, strings.sh_size)) {
    close();
    return false;
  }
  syms_ = reinterpret_cast<const Elf64_Sym*>(file_ + table->sh_offset);
  nsyms_ = table->sh_size / sizeof(Elf64_Sym);
  strtab_ = reinterpret_cast<const char*>(file_ + strings.sh_offset);
  strsize_ = strings.sh_size;
  return true;
}

void ElfSymbols::close() noexcept {
  if (file_ != nullptr) ::munmap(const_cast<unsigned char*>(file_), size_);
  file_ = nullptr;
  size_ = 0;
  syms_ = nullptr;
  nsyms_ = 0;
  strtab_ = nullptr;
  strsize_ = 0;
}

const Elf64_Sym* ElfSymbols::find(std::uintptr_t vaddr) const noexcept {
  // A linear scan: a profile asks once per distinct return address.
  for (std::size_t i = 0; i < nsyms_; ++i) {
    const Elf64_Sym& s = syms_[i];
    if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF) continue;
    if (vaddr >= s.st_value && vaddr - s.st_value < (s.st_size != 0 ? s.st_size : 1)) return &s;
  }
  return nullptr;
}

std::string_view ElfSymbols::name(const Elf64_Sym& s) const noexcept {
  if (s.st_name >= strsize_) return {};
  const char* n = strtab_ + s.st_name;
  const void* end = std::memchr(n, '\0', strsize_ - s.st_name);
  return end == nullptr ? std::string_view() : std::string_view(n, static_cast<const char*>(end) - n);
}

}  // namespace bento
