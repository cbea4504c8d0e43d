// mallctl/ctl.h: the mallctl namespace: a static tree of named and indexed nodes whose
// leaves read and write bento's state, with jemalloc's API and error codes:
//   ENOENT unknown name or index, interior node, stats of an arena not yet initialised
//   EINVAL a read or write of the wrong size, or a bad value
//   EPERM  writing a read-only node, reading a write-only one, passing data to a void one
//   EFAULT a side effect that failed (e.g. thread.arena out of range)
//   EAGAIN memory for the statistics snapshot could not be had
// The tree is constant data; leaves take the locks they need (stats: the ctl lock).
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento {

inline constexpr std::size_t kCtlMaxDepth = 8;

enum class CtlType : std::uint8_t { kVoid, kBool, kUnsigned, kUint32, kUint64, kSize, kSsize, kString, kPointer };
enum CtlAccess : std::uint8_t { kCtlNone = 0, kCtlRead = 1, kCtlWrite = 2, kCtlReadWrite = 3 };

struct CtlArgs {
  const std::size_t* mib;
  std::size_t miblen;
  void* oldp;
  std::size_t* oldlenp;
  const void* newp;
  std::size_t newlen;
};
using CtlHandler = int (*)(const CtlArgs&);
// Is mib[depth] a valid index at this level (mib[0..depth) already valid)?
using CtlIndexOk = bool (*)(const std::size_t* mib, std::size_t depth);

struct CtlNode {
  const char* name;             // the component; for an indexed template, its label ("<i>")
  CtlType type;
  std::uint8_t access;
  CtlHandler handler;           // leaves only
  const CtlNode* children;      // named children, or null
  std::uint16_t nchildren;
  const CtlNode* indexed;       // the one template for indexed children, or null
  CtlIndexOk index_ok;          // for indexed children
  const char* doc;
  bool is_leaf() const noexcept { return handler != nullptr; }
};

int ctl_byname(const char* name, void* oldp, std::size_t* oldlenp, const void* newp,
               std::size_t newlen) noexcept;
int ctl_nametomib(const char* name, std::size_t* mibp, std::size_t* miblenp) noexcept;
int ctl_bymib(const std::size_t* mib, std::size_t miblen, void* oldp, std::size_t* oldlenp,
              const void* newp, std::size_t newlen) noexcept;
// The leaf a full name reaches (null if none), for callers that need its type.
const CtlNode* ctl_leaf(const char* name) noexcept;

// Visits every leaf as a pattern ("stats.arenas.<i>.bins.<j>.nmalloc"); `path` is a
// NUL-terminated name valid during the call.
using CtlVisit = void (*)(void* ctx, const char* path, const CtlNode& leaf);
void ctl_for_each_leaf(CtlVisit visit, void* ctx) noexcept;

const char* ctl_type_name(CtlType t) noexcept;
const char* ctl_access_name(std::uint8_t access) noexcept;

}  // namespace bento
