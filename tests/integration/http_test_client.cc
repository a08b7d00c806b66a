// Implementation of http_test_client.h.
#include "tests/integration/http_test_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "tests/integration/test_client.h"

namespace iomb::testing {

using Clock = std::chrono::steady_clock;

std::vector<HttpResponse> read_responses(int fd, size_t count, std::string* buffer,
                                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<HttpResponse> out;
  // Only the bytes after the last complete response are parsed again after a recv, so a long
  // pipeline costs linear time.
  std::string pending = std::move(*buffer);
  for (;;) {
    std::string rest;
    for (auto& r : http::testing::parse_responses(pending, &rest)) out.push_back(std::move(r));
    pending = std::move(rest);
    if (out.size() >= count) {
      // Put back what belongs to responses beyond `count`.
      std::string tail;
      for (size_t i = count; i < out.size(); ++i) tail += out[i].raw;
      *buffer = tail + pending;
      out.resize(count);
      return out;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      pending.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      *buffer = std::move(pending);
      return out;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      *buffer = std::move(pending);
      return out;
    }
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
}

std::optional<HttpResponse> read_response(int fd, std::string* buffer,
                                          std::chrono::milliseconds timeout) {
  auto r = read_responses(fd, 1, buffer, timeout);
  if (r.empty()) return std::nullopt;
  return r.front();
}

std::optional<HttpResponse> roundtrip(int fd, std::string_view request,
                                      std::chrono::milliseconds timeout) {
  if (send_all(fd, request, timeout) != request.size()) return std::nullopt;
  std::string buffer;
  return read_response(fd, &buffer, timeout);
}

std::string get_request(std::string_view target, std::string_view cookie,
                        std::string_view extra_headers) {
  std::string r = "GET ";
  r.append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  if (!cookie.empty()) r.append("Cookie: ").append(cookie).append("\r\n");
  r.append(extra_headers);
  r.append("\r\n");
  return r;
}

std::string without_date(const std::string& raw) { return http::testing::without_date(raw); }

}  // namespace iomb::testing
