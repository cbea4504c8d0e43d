// prof/profile_writer.cc: the pprof writer (profile_writer.h). Each message is built in
// a fixed buffer and written as one field of the top-level Profile; protobuf allows its
// repeated fields in any order, so strings, functions, locations and samples are written
// as they are met, each string once per use (pprof accepts repeats), and the mappings
// last, when it is known which of them had their functions named. A location's function
// comes from the symbol table of the file mapped there (prof/elf_symbols.h), one Function
// per symbol.
#include "prof/profile_writer.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <new>

#include "base/fixed_writer.h"
#include "config/options.h"
#include "platform/os.h"
#include "prof/elf_symbols.h"
#include "prof/mappings.h"
#include "prof/sample_table.h"
#include "prof/sampler.h"
#include "prof/scratch.h"

namespace bento {

namespace {

// profile.proto field numbers.
enum : unsigned {
  kSampleType = 1, kSample = 2, kMapping = 3, kLocation = 4, kFunction = 5, kStringTable = 6, kDropFrames = 7,
  kTimeNanos = 9, kPeriodType = 11, kPeriod = 12, kComment = 13,
};

constexpr std::size_t kMaxMappings = 2048;

// Address -> location id (and symbol -> function id), open addressing (ids start at 1).
struct LocationSlot {
  std::uintptr_t pc;
  std::uint64_t id;
};

// A mapping's symbol table, opened at its first location.
struct MapSymbols {
  enum State : std::uint8_t { kUntried, kOpen, kNone };
  ElfSymbols elf;
  State state = kUntried;
  bool named = false;  // some location of the mapping has its function
};

// The id of key's slot in an open-addressing table of cap (a power of two) slots, or the
// empty slot where it belongs (id 0).
LocationSlot& slot_of(std::uintptr_t key, LocationSlot* slots, std::size_t cap) noexcept {
  std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
  while (slots[i].id != 0 && slots[i].pc != key) i = (i + 1) & (cap - 1);
  return slots[i];
}

class Writer {
 public:
  Writer(GzipStream& gz, const ProcMapping* maps, std::size_t nmaps) noexcept
      : gz_(gz), maps_(maps), nmaps_(nmaps) {}
  // Where function names come from: one MapSymbols per mapping, and a table of cap slots.
  void use_symbols(MapSymbols* syms, LocationSlot* functions, std::size_t cap) noexcept {
    syms_ = syms;
    functions_ = functions;
    fcap_ = cap;
  }

  // Appends a string to the table and returns its index (0 is always "").
  std::uint64_t str(std::string_view s) noexcept {
    std::uint8_t buf[600];
    ProtoMessage m(buf, sizeof(buf));
    m.string_field(kStringTable, s.size() > 512 ? s.substr(0, 512) : s);
    put(m);
    return nstrings_++;
  }
  void put(const ProtoMessage& m) noexcept {
    if (m.overflowed()) ok_ = false;
    else if (!gz_.write(m.data(), m.size())) ok_ = false;
  }
  // Writes `inner` as top-level field `field` (a repeated message of the Profile).
  void put_message(unsigned field, const ProtoMessage& inner) noexcept {
    std::uint8_t outer[kMaxMessage + 16];
    ProtoMessage m(outer, sizeof(outer));
    if (inner.overflowed()) ok_ = false;
    else m.message_field(field, inner);
    put(m);
  }
  static constexpr std::size_t kMaxMessage = 1024;  // a sample of 64 frames fits
  void value_type(unsigned field, std::string_view type, std::string_view unit) noexcept {
    const std::uint64_t t = str(type), u = str(unit);
    std::uint8_t buf[32];
    ProtoMessage vt(buf, sizeof(buf));
    vt.varint_field(1, t);
    vt.varint_field(2, u);
    put_message(field, vt);
  }
  void scalar(unsigned field, std::uint64_t v) noexcept {
    std::uint8_t buf[16];
    ProtoMessage m(buf, sizeof(buf));
    m.varint_field(field, v);
    put(m);
  }
  void mappings() noexcept {
    for (std::size_t i = 0; i < nmaps_; ++i) {
      const ProcMapping& pm = maps_[i];
      const std::uint64_t file = str(pm.path), id = str(pm.build_id);
      std::uint8_t buf[96];
      ProtoMessage mm(buf, sizeof(buf));
      mm.varint_field(1, i + 1);
      mm.varint_field(2, pm.start);
      mm.varint_field(3, pm.limit);
      mm.varint_field(4, pm.offset);
      mm.varint_field(5, file);
      mm.varint_field(6, id);
      if (syms_ != nullptr && syms_[i].named) mm.varint_field(7, 1);  // has_functions
      put_message(kMapping, mm);
    }
  }
  // The location id of a return address, writing the Location the first time.
  std::uint64_t location(std::uintptr_t pc, LocationSlot* slots, std::size_t cap) noexcept {
    LocationSlot& slot = slot_of(pc, slots, cap);
    if (slot.id != 0) return slot.id;
    slot = LocationSlot{pc, ++nlocations_};
    // The return address points after the call; pprof wants an address inside it.
    const std::uintptr_t addr = pc - 1;
    const std::size_t k = find_mapping(maps_, nmaps_, addr);
    const std::uint64_t function = k < nmaps_ ? function_of(k, addr) : 0;
    std::uint8_t buf[64];
    ProtoMessage loc(buf, sizeof(buf));
    loc.varint_field(1, slot.id);
    if (k < nmaps_) loc.varint_field(2, k + 1);
    loc.varint_field(3, addr);
    if (function != 0) {
      std::uint8_t lbuf[16];
      ProtoMessage line(lbuf, sizeof(lbuf));
      line.varint_field(1, function);
      loc.message_field(4, line);
    }
    put_message(kLocation, loc);
    return slot.id;
  }
  bool ok() const noexcept { return ok_; }

 private:
  // The function id for addr in mapping k, writing the Function the first time; 0 when
  // the file has no symbol for it.
  std::uint64_t function_of(std::size_t k, std::uintptr_t addr) noexcept {
    if (syms_ == nullptr || !maps_[k].loaded) return 0;
    MapSymbols& ms = syms_[k];
    if (ms.state == MapSymbols::kUntried) {
      ms.state = ms.elf.open(maps_[k].path, maps_[k].build_id) ? MapSymbols::kOpen : MapSymbols::kNone;
    }
    if (ms.state != MapSymbols::kOpen) return 0;
    const Elf64_Sym* sym = ms.elf.find(addr - maps_[k].bias);
    if (sym == nullptr) return 0;
    LocationSlot& slot = slot_of(reinterpret_cast<std::uintptr_t>(sym), functions_, fcap_);
    if (slot.id != 0) return slot.id;
    const std::string_view name = ms.elf.name(*sym);
    if (name.empty()) return 0;
    slot = LocationSlot{reinterpret_cast<std::uintptr_t>(sym), ++nfunctions_};
    const std::uint64_t s = str(name);  // pprof demangles system_name into name
    std::uint8_t buf[32];
    ProtoMessage fn(buf, sizeof(buf));
    fn.varint_field(1, slot.id);
    fn.varint_field(2, s);
    fn.varint_field(3, s);
    put_message(kFunction, fn);
    ms.named = true;
    return slot.id;
  }

  GzipStream& gz_;
  const ProcMapping* maps_;
  std::size_t nmaps_;
  std::uint64_t nstrings_ = 0;
  std::uint64_t nlocations_ = 0;
  std::uint64_t nfunctions_ = 0;
  MapSymbols* syms_ = nullptr;
  LocationSlot* functions_ = nullptr;
  std::size_t fcap_ = 0;
  bool ok_ = true;
};

std::uint64_t rounded(double v) noexcept { return v <= 0 ? 0 : static_cast<std::uint64_t>(v + 0.5); }

constinit std::atomic<unsigned> g_dump_seq{0};

struct FileSink {
  int fd;
};
bool file_write(void* ctx, const void* data, std::size_t n) {
  return os::write_all(static_cast<FileSink*>(ctx)->fd, data, n);
}

}  // namespace

int prof_write_profile(ProfileKind kind, ByteSink sink, void* ctx) noexcept {
  const bool peak = kind == ProfileKind::kPeak;
  Scratch<ProfSiteCounts> sites;
  const std::size_t n = sites.fill([peak](ProfSiteCounts* out, std::size_t cap) { return prof_copy_sites(out, cap, peak); });
  if (sites.get() == nullptr) return ENOMEM;
  std::size_t frames = 0;
  for (std::size_t i = 0; i < n; ++i) frames += sites.get()[i].site->depth;
  std::size_t cap = 1024;
  while (cap < frames * 2) cap *= 2;
  Scratch<LocationSlot> slots(cap);
  Scratch<ProcMapping> maps(kMaxMappings);
  if (slots.get() == nullptr || maps.get() == nullptr) return ENOMEM;
  const std::size_t nmaps = read_exec_mappings(maps.get(), kMaxMappings);
  // Function names: each mapping's symbol table, mapped while the profile is written.
  Scratch<MapSymbols> syms(nmaps);
  Scratch<LocationSlot> functions(cap);
  if (syms.get() == nullptr || functions.get() == nullptr) return ENOMEM;
  for (std::size_t i = 0; i < nmaps; ++i) new (&syms.get()[i]) MapSymbols();
  struct CloseAll {
    MapSymbols* s;
    std::size_t n;
    ~CloseAll() {
      for (std::size_t i = 0; i < n; ++i) s[i].~MapSymbols();
    }
  } close_all{syms.get(), nmaps};

  GzipStream gz(sink, ctx);
  if (!gz.ok()) return ENOMEM;
  Writer w(gz, maps.get(), nmaps);
  w.use_symbols(syms.get(), functions.get(), cap);
  w.str("");
  w.value_type(kSampleType, "alloc_objects", "count");
  w.value_type(kSampleType, "alloc_space", "bytes");
  w.value_type(kSampleType, "inuse_objects", "count");
  w.value_type(kSampleType, "inuse_space", "bytes");
  w.value_type(kPeriodType, "space", "bytes");
  w.scalar(kPeriod, std::uint64_t{1} << prof_lg_sample());
  // In a static link bento's own entry frames stay in the stacks (prof/unwind.h).
  w.scalar(kDropFrames, w.str("(bento::.*|malloc|calloc|realloc|free|posix_memalign|aligned_alloc|memalign|"
                              "valloc|pvalloc|operator new.*|__libc_(malloc|calloc|realloc|free|memalign|valloc|pvalloc))"));
  w.scalar(kComment, w.str(peak ? "bento heap profile: live set at the peak" : "bento heap profile: live set now"));
  const std::uint64_t bytes_key = w.str("bytes");
  for (std::size_t i = 0; i < n; ++i) {
    const ProfSiteCounts& c = sites.get()[i];
    std::uint64_t ids[kMaxFrames];
    for (unsigned f = 0; f < c.site->depth; ++f) ids[f] = w.location(c.site->pcs[f], slots.get(), cap);
    const std::uint64_t values[4] = {rounded(c.alloc_objects), rounded(c.alloc_bytes), rounded(c.inuse_objects),
                                     rounded(c.inuse_bytes)};
    std::uint8_t lbuf[32];
    ProtoMessage label(lbuf, sizeof(lbuf));
    label.varint_field(1, bytes_key);
    label.varint_field(3, c.site->usize);
    std::uint8_t sbuf[Writer::kMaxMessage];
    ProtoMessage sample(sbuf, sizeof(sbuf));
    sample.packed_field(1, ids, c.site->depth);
    sample.packed_field(2, values, 4);
    sample.message_field(3, label);
    w.put_message(kSample, sample);
  }
  w.mappings();
  if (!w.ok() || !gz.finish()) return EIO;
  return 0;
}

int prof_dump_file(const char* path, ProfileKind kind, char letter, char* name_out, std::size_t name_cap) noexcept {
  char name[512];
  if (path == nullptr || path[0] == '\0') {
    FixedWriter fw(name, sizeof(name) - 1);
    fw.print("{}.{}.{}.{}.heap.pb.gz", options().prof_prefix.view(), os::pid(),
             g_dump_seq.fetch_add(1, std::memory_order_relaxed), letter);
    if (fw.truncated()) return EINVAL;
    name[fw.size()] = '\0';
    path = name;
  }
  if (name_out != nullptr && name_cap > 0) {
    const std::size_t n = std::strlen(path) < name_cap - 1 ? std::strlen(path) : name_cap - 1;
    std::memcpy(name_out, path, n);
    name_out[n] = '\0';
  }
  FileSink f{os::open_for_write(path)};
  if (f.fd < 0) return errno != 0 ? errno : EIO;
  const int e = prof_write_profile(kind, file_write, &f);
  os::close_fd(f.fd);
  return e;
}

}  // namespace bento
