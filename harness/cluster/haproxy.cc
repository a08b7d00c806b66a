// Implementation of haproxy.h.
#include "harness/cluster/haproxy.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/socket_ops.h"
#include "harness/process/executable_path.h"

namespace iomb::cluster {

std::string haproxy_config(const HaproxyConfig& c) {
  if (c.backends.empty()) throw std::invalid_argument("haproxy: no backend");
  if (!c.layer7 && c.stickiness != Stickiness::kNone) {
    throw std::invalid_argument("haproxy: stickiness needs mode http (layer 7)");
  }
  std::ostringstream o;
  o << "# Written by iomb (harness/cluster/haproxy.cc).\n"
    << "global\n"
    << "  maxconn " << c.maxconn << "\n"
    << "  nbthread 1\n"
    << "defaults\n"
    << "  mode " << (c.layer7 ? "http" : "tcp") << "\n"
    << "  timeout connect 1s\n"
    << "  timeout client 30s\n"
    << "  timeout server " << c.server_timeout.count() << "ms\n"
    << "  timeout http-request 10s\n"
    // A request whose node is down goes to another one (once its retries are spent).
    << "  option redispatch\n"
    << "  retries " << c.retries << "\n"
    << "frontend lab\n"
    << "  bind " << c.bind_host << ":" << c.bind_port << "\n"
    << "  default_backend nodes\n"
    << "backend nodes\n"
    << "  balance roundrobin\n";
  if (c.layer7) o << "  option httpchk GET /healthz\n";
  switch (c.stickiness) {
    case Stickiness::kNone:
      break;
    case Stickiness::kCookie:
      // The balancer's own cookie names the node; `indirect` keeps it from the node, `nocache`
      // keeps shared caches from storing a response that carries it.
      o << "  cookie SRV insert indirect nocache\n";
      break;
    case Stickiness::kStickTable:
      // The node that answered a request with a new `sid` serves that sid from then on.
      o << "  stick-table type string len 64 size 1m expire 30m\n"
        << "  stick on req.cook(sid)\n"
        << "  stick store-response res.cook(sid)\n";
      break;
  }
  for (const HaproxyBackend& b : c.backends) {
    o << "  server " << b.name << " " << b.host << ":" << b.port << " check inter "
      << c.check_interval.count() << "ms";
    if (c.stickiness == Stickiness::kCookie) o << " cookie " << b.name;
    o << "\n";
  }
  return o.str();
}

Haproxy::Haproxy(HaproxyConfig config, std::chrono::milliseconds ready_timeout)
    : config_(std::move(config)) {
  const bool pick_port = config_.bind_port == 0;
  for (int attempt = 0; attempt < 3 && !child_; ++attempt) {
    if (pick_port) config_.bind_port = free_loopback_port();
    if (!launch(ready_timeout)) child_.reset();
    if (!pick_port) break;
  }
}

Haproxy::~Haproxy() {
  stop();
  if (!config_path_.empty()) ::unlink(config_path_.c_str());
}

void Haproxy::stop() {
  if (child_ && !child_->status()) child_->terminate(std::chrono::seconds(2));
}

bool Haproxy::launch(std::chrono::milliseconds ready_timeout) {
  auto path = process::find_executable("haproxy");
  if (!path) {
    error_ = "haproxy is not installed (scripts/install-deps.sh installs it)";
    return false;
  }
  // HAProxy needs two descriptors per connection (and refuses to start when the limit is
  // below that): keep maxconn within this process's hard limit, which haproxy inherits.
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_max != RLIM_INFINITY) {
    const int fit = static_cast<int>((nofile.rlim_max - 100) / 2);
    config_.maxconn = std::max(1, std::min(config_.maxconn, fit));
  }
  std::string text;
  try {
    text = haproxy_config(config_);
  } catch (const std::invalid_argument& e) {
    error_ = e.what();
    return false;
  }
  if (config_path_.empty()) {
    char tmpl[] = "/tmp/iomb-haproxy-XXXXXX.cfg";
    int fd = ::mkstemps(tmpl, 4);
    if (fd < 0) {
      error_ = "haproxy: cannot create a config file in /tmp";
      return false;
    }
    ::close(fd);
    config_path_ = tmpl;
  }
  std::ofstream(config_path_) << text;
  process::ChildProcess::Options o;
  o.argv = {*path, "-db", "-f", config_path_};  // -db: foreground, no daemon
  o.out = process::ChildProcess::Output::kTail;
  o.err = process::ChildProcess::Output::kTail;
  o.parent_death_signal = SIGKILL;
  o.cpus = config_.cpus;
  child_.emplace(process::ChildProcess::spawn(std::move(o)));
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_->status()) break;  // exited: a bad config or a port taken meanwhile
    try {
      connect_tcp(config_.bind_host, config_.bind_port);
      return true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  error_ = "haproxy did not come up on port " + std::to_string(config_.bind_port) + ": " +
           child_->stderr_text();
  child_->terminate(std::chrono::seconds(1));
  return false;
}

}  // namespace iomb::cluster
