// mallctl_doc: prints the mallctl namespace as the markdown table in doc/mallctl.md
// (one row per leaf, from the tree itself), for test/lint/check_tables.py.
#include <cstdio>

#include "mallctl/ctl.h"

int main() {
  std::printf("| name | type | access | meaning |\n|---|---|---|---|\n");
  bento::ctl_for_each_leaf(
      [](void*, const char* path, const bento::CtlNode& leaf) {
        std::printf("| `%s` | %s | %s | %s |\n", path, bento::ctl_type_name(leaf.type),
                    bento::ctl_access_name(leaf.access), leaf.doc != nullptr ? leaf.doc : "");
      },
      nullptr);
  return 0;
}
