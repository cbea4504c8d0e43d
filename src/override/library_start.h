// override/library_start.h: the constructor that starts bento and its helper thread
// (library_start.cc), and the reference that keeps it in a static link.
#pragma once

extern "C" __attribute__((visibility("hidden"))) void bento_start() noexcept;

// One per file that a program links for its symbols: the reference pulls
// library_start.o out of libbento.a with that file.
#define BENTO_KEEP_LIBRARY_START \
  [[gnu::used]] static void (*const bento_keep_library_start)() noexcept = &bento_start
