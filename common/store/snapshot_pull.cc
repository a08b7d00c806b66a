// Implementation of snapshot_pull.h.
#include "common/store/snapshot_pull.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>

#include "common/store/tcp_connect.h"

namespace iomb::store {
namespace {

constexpr std::string_view kRequest =
    "GET /replication/snapshot HTTP/1.1\r\nHost: iomb\r\nConnection: close\r\n\r\n";

bool send_all(int fd, std::string_view data, int64_t deadline) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    const int64_t left = deadline - monotonic_ms();
    pollfd p{fd, POLLOUT, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
  }
  return true;
}

// The Content-Length of a response head (lower-cased match), or nullopt.
std::optional<size_t> content_length(std::string_view head) {
  size_t at = 0;
  while ((at = head.find("\r\n", at)) != std::string_view::npos) {
    at += 2;
    std::string_view line = head.substr(at, head.find("\r\n", at) - at);
    constexpr std::string_view kName = "content-length:";
    if (line.size() <= kName.size()) continue;
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) match = (line[i] | 0x20) == kName[i];
    if (!match) continue;
    std::string_view value = line.substr(kName.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    size_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end == value.data()) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> fetch_snapshot(const Endpoint& peer, int64_t timeout_ms) {
  const int64_t deadline = monotonic_ms() + timeout_ms;
  UniqueFd fd = connect_with_timeout(peer, timeout_ms);
  if (!fd || !send_all(fd.get(), kRequest, deadline)) return std::nullopt;
  std::string in;
  size_t body_at = std::string::npos;
  std::optional<size_t> length;
  char buf[64 * 1024];
  for (;;) {
    if (body_at != std::string::npos && length && in.size() >= body_at + *length) break;
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      in.append(buf, static_cast<size_t>(n));
      if (body_at == std::string::npos) {
        const size_t end = in.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (in.size() > 16 * 1024) return std::nullopt;
          continue;
        }
        body_at = end + 4;
        std::string_view head(in.data(), end + 2);
        if (head.substr(0, 13) != "HTTP/1.1 200 ") return std::nullopt;
        length = content_length(head);
        if (!length || *length > kMaxSnapshotBytes) return std::nullopt;
        in.reserve(body_at + *length);
      }
      continue;
    }
    if (n == 0) return std::nullopt;  // closed before the whole body came
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return std::nullopt;
    const int64_t left = deadline - monotonic_ms();
    pollfd p{fd.get(), POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return std::nullopt;
  }
  return in.substr(body_at, *length);
}

bool apply_snapshot(std::string_view body, const std::function<void(const SessionDelta&)>& apply) {
  FrameReader reader;
  reader.feed(body);
  FrameReader::Frame frame;
  for (;;) {
    const FrameReader::Next next = reader.next(frame);
    if (next == FrameReader::Next::kNeedMore) return reader.empty();  // else: truncated
    if (next == FrameReader::Next::kError || frame.type != 'D') return false;
    auto delta = decode_delta(frame.body);
    if (!delta) return false;
    apply(*delta);
  }
}

}  // namespace iomb::store
