// Fuzz target: cookie and session-id decoding. The bytes are a Set-Cookie value for the load
// generator's cookie jar (harness/load/cookie_jar.h, RFC 6265's parser and cookie-date
// algorithm), a session id for SessionId::parse, and the value of a `sess` cookie presented to
// the signed-cookie store through the HTTP codec (base64url, HMAC, expiry, the encoded
// session): a forged or mangled cookie must start a new session (200) and never crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/http/cookie_session_store.h"
#include "common/http/http_codec.h"
#include "common/http/session_id.h"
#include "harness/load/cookie_jar.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace iomb::http;

std::unique_ptr<HttpService> cookie_service() {
  CookieSessionStoreOptions o;
  o.node_id = "fuzz";
  o.keys = parse_cookie_keys("fuzz-secret-key-000001\n");
  o.now_ms = [] { return iomb::fuzz::kSeedTimeMs; };
  HttpServiceOptions ho;
  ho.node_id = "fuzz";
  return std::make_unique<HttpService>(ho, std::make_unique<CookieSessionStore>(o),
                                       [] { return iomb::CounterSnapshot{}; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<HttpService> service = cookie_service();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  iomb::harness::CookieJar jar("127.0.0.1", "/session");
  jar.apply(text, 1'800'000'000'000);
  jar.apply(text, 1'800'000'000'000);  // the same again: a replacement
  jar.expire(4'000'000'000'000);
  int64_t ms;
  iomb::harness::CookieJar::parse_cookie_date(text, &ms);

  (void)SessionId::parse(text);

  // As the value of `sess` (header-safe bytes only: CR and LF would end the header).
  std::string value;
  for (char c : text) {
    if (c != '\r' && c != '\n') value.push_back(c);
  }
  const std::string request =
      "GET /session HTTP/1.1\r\nHost: x\r\nCookie: sess=" + value + "; sid=" + value + "\r\n\r\n";
  HttpCodec codec(*service);
  codec.on_input(request);
  const std::string_view out = codec.output();
  // Any cookie at all is answered: 200 (continued or new session) or 431 (too large); the
  // codec never drops the request.
  if (!out.starts_with("HTTP/1.1 200") && !out.starts_with("HTTP/1.1 431") &&
      !out.starts_with("HTTP/1.1 400")) {
    __builtin_trap();
  }
  return 0;
}
