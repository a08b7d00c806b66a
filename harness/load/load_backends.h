// The IO backends that run a LoadWorker's loop on the calling load thread: io_uring (requests
// of all connections batched into one submit-and-wait per loop iteration) and epoll (one
// send/recv syscall per message per connection, for kernels without io_uring).
// Setup failures throw std::system_error; data-path errors are reported to the worker.
#pragma once

#include <string>

namespace iomb::harness {

class LoadWorker;

// Whether this process may create an io_uring (kernel support, io_uring_disabled, seccomp).
bool uring_client_available(std::string* why);
void run_uring_worker(LoadWorker& worker);
void run_epoll_worker(LoadWorker& worker);

}  // namespace iomb::harness
