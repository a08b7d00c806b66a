// Implementation of fault_plan.h.
#include "harness/cluster/fault_plan.h"

#include <cstdio>

#include "harness/cluster/cluster_lab.h"

namespace iomb::cluster {
namespace {

std::string seconds(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

const char* FaultPlan::kind_name() const {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kKillNode:
      return "kill-node";
    case Kind::kPauseNode:
      return "pause-node";
    case Kind::kKillRedis:
      return "kill-redis";
  }
  return "none";
}

std::string FaultPlan::describe() const {
  const std::string node_name = "node n" + std::to_string(node);
  std::string s;
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kKillNode:
      s = "SIGKILL " + node_name + " at " + seconds(at);
      if (restart_at.count() > 0) s += ", restart at " + seconds(restart_at);
      return s;
    case Kind::kPauseNode:
      s = "SIGSTOP " + node_name + " at " + seconds(at);
      if (restart_at.count() > 0) s += ", SIGCONT at " + seconds(restart_at);
      return s;
    case Kind::kKillRedis:
      s = "SIGKILL redis at " + seconds(at);
      if (restart_at.count() > 0) s += ", restart (empty) at " + seconds(restart_at);
      return s;
  }
  return s;
}

FaultRunner::FaultRunner(const FaultPlan& plan, ClusterLab& lab) : plan_(plan), lab_(lab) {}

FaultRunner::~FaultRunner() { stop(); }

void FaultRunner::start() {
  t0_ = std::chrono::steady_clock::now();
  if (plan_.kind == FaultPlan::Kind::kNone) return;
  thread_ = std::thread([this] { run(); });
}

void FaultRunner::end_window() {
  {
    std::lock_guard lock(mu_);
    window_over_ = true;
  }
  cv_.notify_all();
}

void FaultRunner::stop() {
  {
    std::lock_guard lock(mu_);
    window_over_ = stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool FaultRunner::sleep_until(std::chrono::steady_clock::time_point t) {
  std::unique_lock lock(mu_);
  return !cv_.wait_until(lock, t, [this] { return window_over_; });
}

void FaultRunner::run() {
  act();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stopping_; });  // outlive the processes act() started
}

void FaultRunner::act() {
  // The event's time is when the action began; a restart's wait for the ready line is in `what`.
  auto record = [this](auto action) {
    const auto begin = std::chrono::steady_clock::now();
    std::string what = action();
    const auto end = std::chrono::steady_clock::now();
    const double at = std::chrono::duration<double>(begin - t0_).count();
    const double took_ms = std::chrono::duration<double, std::milli>(end - begin).count();
    if (took_ms >= 10) what += " (took " + std::to_string(static_cast<int>(took_ms)) + " ms)";
    std::fprintf(stderr, "iomb cluster: %.2f s: %s\n", at, what.c_str());
    std::lock_guard lock(mu_);
    events_.push_back({at, std::move(what)});
  };
  if (!sleep_until(t0_ + plan_.at)) return;
  switch (plan_.kind) {
    case FaultPlan::Kind::kNone:
      return;
    case FaultPlan::Kind::kKillNode:
      record([&] { return lab_.kill_node(plan_.node); });
      break;
    case FaultPlan::Kind::kPauseNode:
      record([&] { return lab_.pause_node(plan_.node); });
      break;
    case FaultPlan::Kind::kKillRedis:
      record([&] { return lab_.kill_redis(); });
      break;
  }
  if (plan_.restart_at.count() <= 0 || !sleep_until(t0_ + plan_.restart_at)) return;
  switch (plan_.kind) {
    case FaultPlan::Kind::kNone:
      return;
    case FaultPlan::Kind::kKillNode:
      record([&] { return lab_.restart_node(plan_.node); });
      break;
    case FaultPlan::Kind::kPauseNode:
      record([&] { return lab_.resume_node(plan_.node); });
      break;
    case FaultPlan::Kind::kKillRedis:
      record([&] { return lab_.restart_redis(); });
      break;
  }
}

}  // namespace iomb::cluster
