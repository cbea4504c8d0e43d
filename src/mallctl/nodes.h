// mallctl/nodes.h: the root of the namespace (mallctl/nodes.cc, one constant table).
#pragma once
#include "mallctl/ctl.h"

namespace bento {
extern const CtlNode kCtlRoot;
}  // namespace bento
