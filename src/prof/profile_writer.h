// prof/profile_writer.h: the heap profile in pprof's format (profile.proto, gzipped),
// which go tool pprof, speedscope, Perfetto, Pyroscope and Parca read. Sample types are
// Go's, in Go's order: alloc_objects, alloc_space, inuse_objects, inuse_space (the
// default view is the last); each sample carries a `bytes` label (its size class); the
// period is the mean sampling interval in bytes. Locations are unsymbolized addresses in
// the process's mappings, which carry build IDs, so pprof symbolizes from the binaries.
//
// Runs outside every fast path, with no lock of bento's held except briefly the
// profiler's (to copy the counts); scratch memory comes from the OS and goes back.
#pragma once
#include <cstddef>

#include "prof/proto_writer.h"

namespace bento {

enum class ProfileKind { kNow, kPeak };

// Writes the profile through sink; 0, or an errno value (ENOMEM, EIO).
int prof_write_profile(ProfileKind kind, ByteSink sink, void* ctx) noexcept;
// prof.dump / prof.dump_peak / opt.prof_final: to `path`, or when path is null or empty
// to "<prof_prefix>.<pid>.<seq>.<letter>.heap.pb.gz". The name used is copied to
// name_out (if given). 0 or an errno value.
int prof_dump_file(const char* path, ProfileKind kind, char letter, char* name_out, std::size_t name_cap) noexcept;

}  // namespace bento
