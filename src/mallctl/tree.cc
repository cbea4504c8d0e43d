// mallctl/tree.cc: walking the namespace by name or by MIB. The tree is constant; this
// file holds no state.
#include <cerrno>
#include <cstring>

#include "mallctl/ctl.h"
#include "mallctl/nodes.h"

namespace bento {

namespace {

// Parses a decimal index; false on anything but digits or on overflow.
bool parse_index(const char* p, std::size_t len, std::size_t* out) noexcept {
  if (len == 0 || len > 19) return false;
  std::size_t v = 0;
  for (std::size_t i = 0; i < len; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
    v = v * 10 + static_cast<std::size_t>(p[i] - '0');
  }
  *out = v;
  return true;
}

// Resolves a dotted name into mib[0..*depth); *node is the node it reaches.
int lookup(const char* name, std::size_t* mib, std::size_t max_depth, std::size_t* depth,
           const CtlNode** node) noexcept {
  if (name == nullptr || *name == '\0') return ENOENT;
  const CtlNode* cur = &kCtlRoot;
  std::size_t d = 0;
  const char* p = name;
  for (;;) {
    const char* q = p;
    while (*q != '\0' && *q != '.') ++q;
    const auto len = static_cast<std::size_t>(q - p);
    if (len == 0 || cur->is_leaf() || d >= max_depth) return ENOENT;
    if (cur->children != nullptr) {
      std::size_t i = 0;
      while (i < cur->nchildren &&
             !(std::strlen(cur->children[i].name) == len && std::memcmp(cur->children[i].name, p, len) == 0)) {
        ++i;
      }
      if (i == cur->nchildren) return ENOENT;
      mib[d] = i;
      cur = &cur->children[i];
    } else if (cur->indexed != nullptr) {
      if (!parse_index(p, len, &mib[d]) || !cur->index_ok(mib, d)) return ENOENT;
      cur = cur->indexed;
    } else {
      return ENOENT;
    }
    ++d;
    if (*q == '\0') break;
    p = q + 1;
  }
  *depth = d;
  *node = cur;
  return 0;
}

int walk_mib(const std::size_t* mib, std::size_t miblen, const CtlNode** node) noexcept {
  if (mib == nullptr || miblen == 0 || miblen > kCtlMaxDepth) return ENOENT;
  const CtlNode* cur = &kCtlRoot;
  for (std::size_t d = 0; d < miblen; ++d) {
    if (cur->is_leaf()) return ENOENT;
    if (cur->children != nullptr) {
      if (mib[d] >= cur->nchildren) return ENOENT;
      cur = &cur->children[mib[d]];
    } else if (cur->indexed != nullptr) {
      if (!cur->index_ok(mib, d)) return ENOENT;
      cur = cur->indexed;
    } else {
      return ENOENT;
    }
  }
  *node = cur;
  return 0;
}

struct Walk {
  CtlVisit visit;
  void* ctx;
  char path[256];
};

void visit_node(Walk& w, const CtlNode& n, std::size_t len) noexcept {
  if (n.is_leaf()) {
    w.visit(w.ctx, w.path, n);
    return;
  }
  auto descend = [&](const CtlNode& child) {
    const std::size_t nl = std::strlen(child.name);
    std::size_t at = len;
    if (at != 0) w.path[at++] = '.';
    if (at + nl + 1 > sizeof(w.path)) return;
    std::memcpy(w.path + at, child.name, nl + 1);
    visit_node(w, child, at + nl);
    w.path[len] = '\0';
  };
  for (std::size_t i = 0; i < n.nchildren; ++i) descend(n.children[i]);
  if (n.indexed != nullptr) descend(*n.indexed);
}

}  // namespace

int ctl_bymib(const std::size_t* mib, std::size_t miblen, void* oldp, std::size_t* oldlenp,
              const void* newp, std::size_t newlen) noexcept {
  const CtlNode* node = nullptr;
  if (const int e = walk_mib(mib, miblen, &node); e != 0) return e;
  if (!node->is_leaf()) return ENOENT;
  return node->handler(CtlArgs{mib, miblen, oldp, oldlenp, newp, newlen});
}

int ctl_byname(const char* name, void* oldp, std::size_t* oldlenp, const void* newp,
               std::size_t newlen) noexcept {
  std::size_t mib[kCtlMaxDepth];
  std::size_t depth = 0;
  const CtlNode* node = nullptr;
  if (const int e = lookup(name, mib, kCtlMaxDepth, &depth, &node); e != 0) return e;
  if (!node->is_leaf()) return ENOENT;
  return node->handler(CtlArgs{mib, depth, oldp, oldlenp, newp, newlen});
}

int ctl_nametomib(const char* name, std::size_t* mibp, std::size_t* miblenp) noexcept {
  if (mibp == nullptr || miblenp == nullptr) return EINVAL;
  std::size_t mib[kCtlMaxDepth];
  std::size_t depth = 0;
  const CtlNode* node = nullptr;
  if (const int e = lookup(name, mib, kCtlMaxDepth, &depth, &node); e != 0) return e;
  if (depth > *miblenp) return ENOENT;
  std::memcpy(mibp, mib, depth * sizeof(std::size_t));
  *miblenp = depth;
  return 0;
}

const CtlNode* ctl_leaf(const char* name) noexcept {
  std::size_t mib[kCtlMaxDepth];
  std::size_t depth = 0;
  const CtlNode* node = nullptr;
  if (lookup(name, mib, kCtlMaxDepth, &depth, &node) != 0 || !node->is_leaf()) return nullptr;
  return node;
}

void ctl_for_each_leaf(CtlVisit visit, void* ctx) noexcept {
  Walk w{visit, ctx, {}};
  for (std::size_t i = 0; i < kCtlRoot.nchildren; ++i) {
    const CtlNode& top = kCtlRoot.children[i];
    const std::size_t nl = std::strlen(top.name);
    std::memcpy(w.path, top.name, nl + 1);
    visit_node(w, top, nl);
  }
}

const char* ctl_type_name(CtlType t) noexcept {
  switch (t) {
    case CtlType::kVoid: return "void";
    case CtlType::kBool: return "bool";
    case CtlType::kUnsigned: return "unsigned";
    case CtlType::kUint32: return "uint32_t";
    case CtlType::kUint64: return "uint64_t";
    case CtlType::kSize: return "size_t";
    case CtlType::kSsize: return "ssize_t";
    case CtlType::kString: return "const char *";
    case CtlType::kPointer: return "pointer";
  }
  return "?";
}

const char* ctl_access_name(std::uint8_t access) noexcept {
  switch (access) {
    case kCtlRead: return "r-";
    case kCtlWrite: return "-w";
    case kCtlReadWrite: return "rw";
    default: return "--";
  }
}

}  // namespace bento
