// Implementation of cookie_replay.h.
#include "harness/cluster/cookie_replay.h"

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "harness/cluster/one_shot_get.h"
#include "harness/load/cookie_jar.h"

namespace iomb::cluster {
namespace {

struct Visit {
  int status = 0;
  std::string sid;
  uint64_t visits = 0;
};

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string json_string(std::string_view body, std::string_view key) {
  size_t at = body.find("\"" + std::string(key) + "\":\"");
  if (at == std::string_view::npos) return "";
  at += key.size() + 4;
  size_t end = body.find('"', at);
  return end == std::string_view::npos ? "" : std::string(body.substr(at, end - at));
}

uint64_t json_uint(std::string_view body, std::string_view key) {
  size_t at = body.find("\"" + std::string(key) + "\":");
  if (at == std::string_view::npos) return 0;
  return std::strtoull(std::string(body.substr(at + key.size() + 3, 24)).c_str(), nullptr, 10);
}

// One GET /session on its own connection with `cookie`; Set-Cookie headers go into `jar`.
// status 0 when the exchange failed.
Visit visit(uint16_t port, const std::string& cookie, harness::CookieJar* jar) {
  Visit v;
  const OneShotReply reply = get_once(port, "/session", cookie);
  v.status = reply.status;
  if (reply.status == 0) return v;
  std::string_view head(reply.head);
  for (size_t line = head.find("\r\n"); line != std::string_view::npos;) {
    const size_t next = head.find("\r\n", line + 2);
    std::string_view h = head.substr(
        line + 2, next == std::string_view::npos ? std::string_view::npos : next - line - 2);
    constexpr std::string_view kSetCookie = "set-cookie:";
    if (h.size() > kSetCookie.size()) {
      std::string name(h.substr(0, kSetCookie.size()));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == kSetCookie) {
        std::string_view value = h.substr(kSetCookie.size());
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        jar->apply(value, now_ms());
      }
    }
    line = next;
  }
  v.sid = json_string(reply.body, "sid");
  v.visits = json_uint(reply.body, "visits");
  return v;
}

}  // namespace

ReplayOutcome probe_cookie_replay(uint16_t balancer_port, std::chrono::milliseconds replay_after) {
  ReplayOutcome out;
  harness::CookieJar jar("lab", "/session");
  Visit first = visit(balancer_port, "", &jar);
  if (first.status != 200 || first.sid.empty()) {
    out.error = "the first visit got status " + std::to_string(first.status);
    return out;
  }
  const std::string captured = jar.header();
  Visit last = first;
  for (int i = 0; i < 3; ++i) {
    last = visit(balancer_port, jar.header(), &jar);
    if (last.status != 200) {
      out.error = "a visit got status " + std::to_string(last.status);
      return out;
    }
  }
  if (last.sid != first.sid) {
    out.ran = true;
    out.verdict = "n/a: the session did not last four visits";
    return out;
  }
  out.visits_before = last.visits;
  // Tampering: the last character of every cookie value changed ('a' <-> 'b' keeps it valid
  // base64/hex text, so only the signature or the session lookup can catch it).
  std::string tampered = jar.header();
  for (size_t i = 0; i < tampered.size(); ++i) {
    if (i + 1 == tampered.size() || tampered[i + 1] == ';') {
      tampered[i] = tampered[i] == 'a' ? 'b' : 'a';
    }
  }
  harness::CookieJar tamper_jar("lab", "/session");
  Visit forged = visit(balancer_port, tampered, &tamper_jar);
  out.tampered = forged.status != 200      ? "error " + std::to_string(forged.status)
                 : forged.sid == first.sid ? "accepted"
                                           : "refused";
  std::this_thread::sleep_for(replay_after);
  harness::CookieJar replay_jar("lab", "/session");
  Visit replay = visit(balancer_port, captured, &replay_jar);
  if (replay.status != 200) {
    out.error = "the replay got status " + std::to_string(replay.status);
    return out;
  }
  out.ran = true;
  out.replay_visits = replay.visits;
  out.same_session = replay.sid == first.sid;
  if (!out.same_session) {
    out.verdict = "refused";
  } else if (replay.visits > out.visits_before) {
    out.verdict = "harmless";
  } else {
    out.verdict = "rolled back";
  }
  return out;
}

}  // namespace iomb::cluster
