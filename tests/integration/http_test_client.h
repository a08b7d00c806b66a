// Blocking HTTP/1.1 test client over test_client.h's raw sockets: sends raw request bytes and
// reads strictly framed responses (status line, headers, Content-Length body). Every call is
// bounded by a timeout. One thread per socket.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/common/http/response_reader.h"

namespace iomb::testing {

using HttpResponse = http::testing::ParsedResponse;

// Reads from `fd` until `count` complete responses arrived (bytes beyond them stay in
// *buffer for the next call), the peer closed, or `timeout`. Returns the responses read.
std::vector<HttpResponse> read_responses(
    int fd, size_t count, std::string* buffer,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// One response, or nullopt.
std::optional<HttpResponse> read_response(
    int fd, std::string* buffer,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Sends `request` on `fd` and reads one response.
std::optional<HttpResponse> roundtrip(
    int fd, std::string_view request,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// A GET request for `target` (HTTP/1.1, Host header, optional Cookie and extra header lines).
std::string get_request(std::string_view target, std::string_view cookie = {},
                        std::string_view extra_headers = {});

// The response with its Date value replaced by "*" (the only bytes allowed to differ).
std::string without_date(const std::string& raw);

}  // namespace iomb::testing
