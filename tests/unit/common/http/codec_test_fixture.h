// Test fixture shared by the HttpCodec test files: an HttpService over a MemorySessionStore
// with a test-controlled clock, and helpers that feed a request stream and parse the answers.
// Header-only; single-threaded like the codec it drives.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/http_codec.h"
#include "common/http/memory_session_store.h"
#include "tests/unit/common/http/response_reader.h"

namespace iomb::http::testing {

// Outside an anonymous namespace on purpose: GoogleTest requires every TEST_F of one suite to
// use the same fixture type, and the CodecTest cases live in several files.

class CodecTest : public ::testing::Test {
 protected:
  void make_service(uint64_t max_body = 1 << 20, uint64_t max_sessions = 100) {
    MemorySessionStoreOptions so;
    so.ttl_s = 10;
    so.max_sessions = max_sessions;
    so.node_id = "node-a";
    so.now_ms = [this] { return now_ms_; };
    auto store = std::make_unique<MemorySessionStore>(so);
    store_ = store.get();
    HttpServiceOptions ho;
    ho.node_id = "node-a";
    ho.max_body = max_body;
    service_ = std::make_unique<HttpService>(ho, std::move(store), [] {
      CounterSnapshot s;
      s.values[static_cast<int>(Counter::kAccepted)] = 7;
      return s;
    });
  }
  void SetUp() override { make_service(); }

  // Feeds `input` in one piece and drains the output.
  static std::string feed(HttpCodec& codec, std::string_view input) {
    codec.on_input(input);
    std::string out(codec.output());
    codec.consume_output(out.size());
    return out;
  }
  std::vector<ParsedResponse> exchange(std::string_view input, bool* closed = nullptr) {
    HttpCodec codec(*service_);
    std::string rest;
    auto responses = parse_responses(feed(codec, input), &rest);
    EXPECT_EQ(rest, "") << "trailing bytes in the output";
    if (closed) *closed = codec.should_close();
    return responses;
  }
  // One request, one response.
  ParsedResponse one(std::string_view input, bool* closed = nullptr) {
    auto r = exchange(input, closed);
    EXPECT_EQ(r.size(), 1u) << input;
    return r.empty() ? ParsedResponse{} : r.front();
  }

  int64_t now_ms_ = 1'000'000;
  MemorySessionStore* store_ = nullptr;
  std::unique_ptr<HttpService> service_;
};

}  // namespace iomb::http::testing
