// prof/elf_symbols: names for addresses from a file's symbol table, the program's own
// functions found at their addresses, and files that are not what they say (truncated,
// not ELF, missing, another build than the one loaded) giving no names, never a crash.
#define BOOST_TEST_MODULE elf_symbols
#include <boost/test/unit_test.hpp>

#include <link.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "prof/elf_symbols.h"
#include "prof/mappings.h"

extern "C" __attribute__((noinline, used)) int elf_symbols_test_probe(int x) { return x * 3 + 1; }

namespace {

// The load bias of the main program (its dl_iterate_phdr entry comes first).
std::uintptr_t program_bias() {
  std::uintptr_t bias = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        *static_cast<std::uintptr_t*>(out) = info->dlpi_addr;
        return 1;
      },
      &bias);
  return bias;
}

std::string self_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  BOOST_REQUIRE(n > 0);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string write_file(const std::string& name, const std::vector<char>& bytes) {
  const std::string path = "/tmp/bento-elf-symbols-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(names_the_programs_own_functions) {
  bento::ElfSymbols syms;
  BOOST_REQUIRE(syms.open(self_path().c_str()));
  const auto probe = reinterpret_cast<std::uintptr_t>(&elf_symbols_test_probe) - program_bias();
  for (const std::uintptr_t at : {probe, probe + 1}) {  // its first byte and one inside it
    const Elf64_Sym* s = syms.find(at);
    BOOST_REQUIRE(s != nullptr);
    BOOST_TEST(std::string(syms.name(*s)) == "elf_symbols_test_probe");
  }
  BOOST_TEST(syms.find(0) == nullptr);  // below every function
}

BOOST_AUTO_TEST_CASE(a_file_whose_build_id_is_not_the_loaded_objects_gives_no_names) {
  // The build ID the loaded program's note carries (what a profile's mapping says).
  static bento::ProcMapping maps[512];
  const std::size_t n = bento::read_exec_mappings(maps, 512);
  const std::size_t k = bento::find_mapping(maps, n, reinterpret_cast<std::uintptr_t>(&elf_symbols_test_probe));
  BOOST_REQUIRE(k < n);
  BOOST_REQUIRE(maps[k].build_id[0] != '\0');
  bento::ElfSymbols syms;
  BOOST_TEST(syms.open(self_path().c_str(), maps[k].build_id));
  std::string other = maps[k].build_id;
  other[0] = other[0] == '0' ? '1' : '0';  // as if the file had been rebuilt since
  BOOST_TEST(!syms.open(self_path().c_str(), other.c_str()));
  BOOST_TEST(!syms.open(self_path().c_str(), "abcd"));
}

BOOST_AUTO_TEST_CASE(shared_libraries_are_named_from_dynsym) {
  bento::ElfSymbols syms;  // Debian's libc keeps .dynsym only
  BOOST_REQUIRE(syms.open("/lib/x86_64-linux-gnu/libc.so.6"));
  syms.close();
  BOOST_TEST(syms.find(0x1000) == nullptr);  // closed: nothing held, nothing found
}

BOOST_AUTO_TEST_CASE(files_that_are_not_elf_or_are_cut_short_give_no_names) {
  bento::ElfSymbols syms;
  BOOST_TEST(!syms.open(nullptr));
  BOOST_TEST(!syms.open("[vdso]"));
  BOOST_TEST(!syms.open("/nonexistent/bento/elf"));
  BOOST_TEST(!syms.open("/proc/self/maps"));  // not a regular file of known size
  BOOST_TEST(!syms.open(write_file("text", std::vector<char>(200, 'x')).c_str()));
  std::ifstream in(self_path(), std::ios::binary);
  const std::vector<char> self((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_REQUIRE(self.size() > 8192);
  // Cut at the header, inside the program, and short of the section headers at the end.
  for (const std::size_t cut : {std::size_t{64}, std::size_t{4096}, self.size() / 2, self.size() - 64}) {
    const std::string path = write_file("cut", std::vector<char>(self.begin(), self.begin() + static_cast<long>(cut)));
    BOOST_TEST(!syms.open(path.c_str()), "cut at " << cut);
    unlink(path.c_str());
  }
  // Section headers pointing past the end of the file.
  std::vector<char> bad = self;
  auto* eh = reinterpret_cast<Elf64_Ehdr*>(bad.data());
  eh->e_shoff = bad.size() - 8;
  const std::string path = write_file("bad", bad);
  BOOST_TEST(!syms.open(path.c_str()));
  unlink(path.c_str());
  unlink(write_file("text", {}).c_str());
}
