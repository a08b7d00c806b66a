// Implementation of cluster_lab.h.
#include "harness/cluster/cluster_lab.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "common/socket_ops.h"
#include "harness/cluster/one_shot_get.h"
#include "harness/sampling/proc_files.h"
#include "harness/sampling/process_usage.h"

namespace iomb::cluster {
namespace {

// GET path from a node, straight (not through the balancer); the body, or "" on any failure.
// Blocking with a 1 s timeout per call: used only at the window edges.
uint64_t info_field(const std::string& info, const std::string& key) {
  size_t at = info.find(key + ":");
  if (at == std::string::npos) return 0;
  return std::strtoull(info.c_str() + at + key.size() + 1, nullptr, 10);
}

ProcessSample sample_process(std::string role, pid_t pid) {
  ProcessSample s{std::move(role), pid, false, 0, 0};
  if (pid <= 0) return s;
  try {
    sampling::ProcessUsage u = sampling::read_process_tree_usage(pid);
    s.running = true;
    s.cpu_s = u.cpu_s();
    s.rss_kib = u.rss_kib;
  } catch (const std::exception&) {
  }
  return s;
}

}  // namespace

ClusterLab::ClusterLab(LabOptions options) : options_(std::move(options)) {
  if (options_.nodes < 1) throw std::invalid_argument("a cluster needs at least one node");
  const StrategyInfo& strategy = info(options_.strategy);
  binary_ = harness::resolve_server_binary(options_.model);
  if (strategy.store == "redis") {
    redis_ = std::make_unique<RedisServer>(options_.server_cpus);
    if (!redis_->available()) throw std::runtime_error("redis: " + redis_->error());
  }
  if (strategy.store == "cookie") {
    char tmpl[] = "/tmp/iomb-cookie-secret-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("cannot create the cookie secret file in /tmp");
    ::close(fd);
    secret_path_ = tmpl;
    std::random_device rd;
    std::string key;
    for (int i = 0; i < 32; ++i) key += "0123456789abcdef"[rd() % 16];
    std::ofstream(secret_path_) << key << "\n";  // every node shares the key
  }
  for (int i = 0; i < options_.nodes; ++i) node_ports_.push_back(free_loopback_port());
  nodes_.resize(static_cast<size_t>(options_.nodes));
  killed_.assign(static_cast<size_t>(options_.nodes), false);
  for (int i = 0; i < options_.nodes; ++i) start_node(i);

  HaproxyConfig hc;
  hc.layer7 = strategy.layer7;
  hc.stickiness = strategy.stickiness;
  hc.check_interval = options_.check_interval;
  hc.server_timeout = options_.server_timeout;
  hc.cpus = options_.server_cpus;
  for (int i = 0; i < options_.nodes; ++i) {
    hc.backends.push_back(
        {"n" + std::to_string(i), "127.0.0.1", node_ports_[static_cast<size_t>(i)]});
  }
  haproxy_ = std::make_unique<Haproxy>(std::move(hc));
  if (!haproxy_->available()) throw std::runtime_error("haproxy: " + haproxy_->error());
}

ClusterLab::~ClusterLab() {
  stop();
  if (!secret_path_.empty()) ::unlink(secret_path_.c_str());
}

std::vector<std::string> ClusterLab::node_argv(int index) const {
  const StrategyInfo& strategy = info(options_.strategy);
  std::vector<std::string> a = {
      "--protocol",      "http",
      "--host",          "127.0.0.1",
      "--port",          std::to_string(node_ports_[static_cast<size_t>(index)]),
      "--node-id",       "n" + std::to_string(index),
      "--session-bytes", std::to_string(options_.session_bytes),
      "--session-store", std::string(strategy.store)};
  if (strategy.store == "replicated") {
    std::string peers;
    for (int i = 0; i < options_.nodes; ++i) {
      if (i == index) continue;
      if (!peers.empty()) peers += ",";
      peers += "127.0.0.1:" + std::to_string(node_ports_[static_cast<size_t>(i)]);
    }
    a.insert(a.end(), {"--replication", std::string(strategy.replication)});
    if (!peers.empty()) a.insert(a.end(), {"--peers", peers});
  }
  if (strategy.store == "redis") a.insert(a.end(), {"--redis", redis_->endpoint()});
  if (strategy.store == "cookie") a.insert(a.end(), {"--cookie-secret-file", secret_path_});
  a.insert(a.end(), options_.node_args.begin(), options_.node_args.end());
  return a;
}

void ClusterLab::start_node(int index) {
  harness::ServerLauncher::Options so;
  so.binary = binary_;
  so.args = node_argv(index);
  so.cpus = options_.server_cpus;
  auto node = std::make_unique<harness::ServerLauncher>(std::move(so));
  if (!node->ready()) {
    throw std::runtime_error("node n" + std::to_string(index) + " (" + binary_ +
                             ") did not start: " + node->start_problem() + "\n" +
                             node->stderr_tail());
  }
  nodes_[static_cast<size_t>(index)] = std::move(node);
}

std::vector<std::string> ClusterLab::describe() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    out.push_back("node n" + std::to_string(i) + " pid " +
                  std::to_string(nodes_[i] ? nodes_[i]->pid() : -1) + " port " +
                  std::to_string(node_ports_[i]));
  }
  out.push_back("haproxy pid " + std::to_string(haproxy_->pid()) + " port " +
                std::to_string(haproxy_->port()));
  if (redis_) {
    out.push_back("redis pid " + std::to_string(redis_->pid()) + " port " +
                  std::to_string(redis_->port()));
  }
  return out;
}

std::string ClusterLab::kill_node(int index) {
  std::lock_guard lock(mu_);
  auto& node = nodes_.at(static_cast<size_t>(index));
  const pid_t pid = node->pid();
  ::kill(pid, SIGCONT);  // a paused node dies too
  ::kill(pid, SIGKILL);
  killed_[static_cast<size_t>(index)] = true;
  node->alive();  // reaps once it is gone
  return "killed node n" + std::to_string(index) + " (pid " + std::to_string(pid) + ")";
}

std::string ClusterLab::restart_node(int index) {
  std::lock_guard lock(mu_);
  auto& node = nodes_.at(static_cast<size_t>(index));
  if (node && node->alive()) {
    ::kill(node->pid(), SIGKILL);
  }
  node.reset();
  // The port was the node's a moment ago; the server binds with SO_REUSEADDR. A start that
  // fails (the port taken meanwhile) is reported, not retried elsewhere: HAProxy knows the port.
  try {
    start_node(index);
    killed_[static_cast<size_t>(index)] = false;
  } catch (const std::exception& e) {
    return std::string("node n") + std::to_string(index) + " did not restart: " + e.what();
  }
  return "restarted node n" + std::to_string(index) + " (pid " +
         std::to_string(nodes_[static_cast<size_t>(index)]->pid()) + ")";
}

std::string ClusterLab::pause_node(int index) {
  std::lock_guard lock(mu_);
  const pid_t pid = nodes_.at(static_cast<size_t>(index))->pid();
  ::kill(pid, SIGSTOP);
  sampling::wait_all_threads_stopped(pid, 2000);
  return "paused node n" + std::to_string(index) + " (SIGSTOP, pid " + std::to_string(pid) + ")";
}

std::string ClusterLab::resume_node(int index) {
  std::lock_guard lock(mu_);
  const pid_t pid = nodes_.at(static_cast<size_t>(index))->pid();
  ::kill(pid, SIGCONT);
  return "resumed node n" + std::to_string(index) + " (SIGCONT)";
}

std::string ClusterLab::kill_redis() {
  std::lock_guard lock(mu_);
  if (!redis_) return "no redis in this strategy: nothing killed";
  const pid_t pid = redis_->pid();
  redis_->kill();
  return "killed redis (pid " + std::to_string(pid) + ")";
}

std::string ClusterLab::restart_redis() {
  std::lock_guard lock(mu_);
  if (!redis_) return "no redis in this strategy: nothing restarted";
  if (!redis_->restart()) return "redis did not restart: " + redis_->error();
  return "restarted redis, empty (pid " + std::to_string(redis_->pid()) + ")";
}

LabSample ClusterLab::sample() {
  std::lock_guard lock(mu_);
  LabSample s;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const pid_t pid = nodes_[i] && nodes_[i]->alive() ? nodes_[i]->pid() : -1;
    if (nodes_[i] && pid < 0 && !killed_[i]) {
      s.unexpected_exits.push_back("node n" + std::to_string(i) + " exited (" +
                                   std::to_string(nodes_[i]->exit_code()) +
                                   ", negative: a signal): " + nodes_[i]->stderr_tail(1024));
    }
    s.processes.push_back(sample_process("node n" + std::to_string(i), pid));
    if (pid > 0 && info(options_.strategy).store == "replicated") {
      auto stats = nlohmann::json::parse(get_once(node_ports_[i], "/stats").body, nullptr, false);
      if (stats.is_object() && stats["sessions"].is_object() &&
          stats["sessions"]["bytes_out"].is_number()) {
        s.replication_bytes += stats["sessions"]["bytes_out"].get<uint64_t>();
      }
    }
  }
  s.processes.push_back(sample_process("haproxy", haproxy_ ? haproxy_->pid() : -1));
  if (redis_) {
    s.processes.push_back(sample_process("redis", redis_->pid()));
    if (auto text = redis_->command({"INFO", "stats"})) {
      s.redis_bytes =
          info_field(*text, "total_net_input_bytes") + info_field(*text, "total_net_output_bytes");
    }
  }
  return s;
}

void ClusterLab::stop() {
  std::lock_guard lock(mu_);
  if (haproxy_) haproxy_->stop();
  for (auto& node : nodes_) {
    if (!node) continue;
    if (node->alive()) {
      ::kill(node->pid(), SIGCONT);
      node->stop(std::chrono::seconds(5));
    }
    node.reset();
  }
  if (redis_) redis_->kill();
}

}  // namespace iomb::cluster
