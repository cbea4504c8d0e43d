// frontend/init.h: bringing bento up, once, from whichever call comes first (a malloc
// before main, during dynamic loading, or the library constructor), and the fork
// handlers. g_init_lock serialises start-up; after it, g_ready is only read.
#pragma once

namespace bento {

// True once bento is initialised (initialising it if needed). False if start-up failed
// or this thread is already inside start-up (a recursive call, served by the caller's
// fallback).
bool global_init() noexcept;
bool global_ready() noexcept;

// Lets a higher layer (stats, daemon) join the fork handlers: its prepare runs before
// the allocator's own locks are taken (its locks are outer ones), its parent and child
// hooks after they are released / re-initialised. At most four hook sets.
using ForkHook = void (*)();
void add_fork_hooks(ForkHook prepare, ForkHook parent, ForkHook child) noexcept;

}  // namespace bento
