// platform/socket.h: what the stats daemon needs from the OS: a private directory, a
// Unix stream socket with the peer's uid, and reads and writes bounded in time. Every
// call returns -1 / false on failure and never allocates.
#pragma once
#include <cstddef>

namespace bento::os {

// Creates `dir` with mode 0700 if missing. False if it cannot, or if it exists but is not
// a directory owned by this user, or others may write to it.
bool make_private_dir(const char* dir) noexcept;
// A listening socket bound at `path` (an old file there is replaced), mode 0600.
int unix_listen(const char* path) noexcept;
// Accepts one connection (close-on-exec); *peer_uid is the peer's uid (SO_PEERCRED).
int unix_accept(int listen_fd, unsigned* peer_uid) noexcept;
bool unlink_path(const char* path) noexcept;

// Waits up to timeout_ms (-1: forever) for fd to be readable; 1 ready, 0 timeout, -1 error.
int wait_readable(int fd, int timeout_ms) noexcept;
// Reads what is there (at most n); 0 at end of stream, -1 on error.
long read_some(int fd, void* buf, std::size_t n) noexcept;
// Writes all of buf unless the peer stalls for timeout_ms; false then.
bool write_within(int fd, const void* buf, std::size_t n, int timeout_ms) noexcept;
// Ends a connection politely: no more writes, a short bounded drain of whatever the peer
// still sends (so closing does not reset the connection before it read the answer), close.
void finish_connection(int fd) noexcept;

}  // namespace bento::os
