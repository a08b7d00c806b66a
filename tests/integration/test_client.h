// Blocking loopback client helpers for integration tests; every call is bounded by a timeout.
// One thread per socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace iomb::testing {

using std::chrono::milliseconds;

UniqueFd connect_loopback(uint16_t port);

// Sends everything, or fails after `timeout` (e.g. the server stopped reading). Returns the
// number of bytes sent.
size_t send_all(int fd, std::string_view data, milliseconds timeout = milliseconds(5000));

// Receives until `n` bytes arrived, the peer closed, or `timeout`. Returns what arrived.
std::string recv_exact(int fd, size_t n, milliseconds timeout = milliseconds(5000));

// Receives whatever arrives until the peer closes or `timeout`.
std::string recv_until_close(int fd, milliseconds timeout = milliseconds(5000));

// Waits until the peer closes the connection (EOF or reset). Data that arrives is discarded.
bool wait_peer_closed(int fd, milliseconds timeout);

// Deterministic pseudo-random bytes.
std::string random_bytes(size_t n, uint64_t seed);

// Raises this process's soft RLIMIT_NOFILE to the hard limit (servers started afterwards
// inherit it) and returns the new soft limit.
uint64_t raise_open_file_limit();

// Sends `message` and expects exactly it back.
bool echo_roundtrip(int fd, std::string_view message, milliseconds timeout = milliseconds(5000));

}  // namespace iomb::testing
