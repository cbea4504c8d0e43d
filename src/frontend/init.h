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

}  // namespace bento
