// Implementation of cookie_replay.h.
#include "harness/cluster/cookie_replay.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "common/socket_ops.h"
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
  try {
    UniqueFd fd = connect_tcp("127.0.0.1", port);
    timeval tv{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string req = "GET /session HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n";
    if (!cookie.empty()) req += "Cookie: " + cookie + "\r\n";
    req += "\r\n";
    if (::send(fd.get(), req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      return v;
    }
    std::string in;
    char buf[16384];
    for (int i = 0; i < 64; ++i) {
      ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    const size_t head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos || in.compare(0, 9, "HTTP/1.1 ") != 0) return v;
    v.status = std::atoi(in.c_str() + 9);
    std::string_view head(in.data(), head_end);
    for (size_t line = head.find("\r\n"); line != std::string_view::npos;) {
      const size_t next = head.find("\r\n", line + 2);
      std::string_view h = head.substr(line + 2, next == std::string_view::npos ? std::string_view::npos
                                                                                 : next - line - 2);
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
    std::string_view body(in.data() + head_end + 4, in.size() - head_end - 4);
    v.sid = json_string(body, "sid");
    v.visits = json_uint(body, "visits");
  } catch (const std::exception&) {
    v.status = 0;
  }
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
  out.tampered = forged.status != 200          ? "error " + std::to_string(forged.status)
                 : forged.sid == first.sid     ? "accepted"
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
