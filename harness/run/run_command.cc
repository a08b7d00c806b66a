// run_run_command() of run_command.h: the orchestration of `iomb run`. The only file of the
// load side that needs harness/sampling (CPU plan and pinning, ProcessSampler, SyscallCounter,
// the floor).
#include "harness/run/run_command.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/self_exe.h"
#include "harness/cpu/cpu_affinity.h"
#include "harness/cpu/cpu_list.h"
#include "harness/load/load_engine.h"
#include "harness/load/load_entry.h"
#include "harness/result/result_json.h"
#include "harness/run/floor.h"
#include "harness/run/server_launcher.h"
#include "harness/run/wrk_client.h"
#include "harness/sampling/process_sampler.h"
#include "harness/sampling/process_usage.h"
#include "harness/sampling/syscall_counter.h"

namespace iomb::harness {
namespace {

enum class Status { kOk, kSkipped, kFailed };

struct Measured {
  Status status = Status::kFailed;
  std::string message;  // why not ok (with the server's stderr tail where it helps)
  std::string model, mode;
  LoadOptions load;
  LoadResult result;
  bool sampled = false;
  ServerMeasure server;
  std::optional<sampling::SyscallCounter::Counts> counts;
  std::optional<WrkOutput> wrk;  // --client wrk: its latency distribution and error counts
};

std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::string model_from_server(const std::string& server) {
  std::string base =
      server.substr(server.rfind('/') == std::string::npos ? 0 : server.rfind('/') + 1);
  return base.rfind("iomb-", 0) == 0 ? base.substr(5) : base;
}

// Fills the server numbers of one window from the sampler's result.
void fill_server(const sampling::ProcessSampler::Result& s, ServerMeasure* m) {
  m->user_s = s.end.user_s - s.begin.user_s;
  m->sys_s = s.end.sys_s - s.begin.sys_s;
  m->cpu_s = m->user_s + m->sys_s;
  m->rss_peak_kib = s.rss_peak_kib;
  m->threads = s.end.threads;
  m->ctx_switches = sampling::ctx_switches_between(s.begin, s.end);
  m->series = nlohmann::json::array();
  for (const auto& p : s.series) {
    m->series.push_back({{"t_s", p.t_s}, {"cpu_util", p.cpu_util}, {"rss_kib", p.rss_kib}});
  }
}

Measured measure_once(const RunCommandOptions& o, const cpu::CpuPlan& plan, bool count) {
  Measured m;
  m.load = o.load;
  std::optional<ServerLauncher> server;
  pid_t pid = o.server_pid;
  if (!o.server.empty()) {
    ServerLauncher::Options so;
    so.binary = resolve_server_binary(o.server);
    so.args = split_args(o.server_args);
    // The server speaks what the load speaks unless --server-args says otherwise.
    if (o.load.protocol == Protocol::kHttp &&
        std::find(so.args.begin(), so.args.end(), "--protocol") == so.args.end()) {
      so.args.insert(so.args.begin(), {"--protocol", "http"});
    }
    if (plan.pinned) so.cpus = plan.server;
    so.ready_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.ready_timeout);
    server.emplace(so);
    m.model = model_from_server(o.server);
    m.mode = "default";
    if (!server->ready()) {
      std::string tail = server->stderr_tail();
      if (server->unavailable()) {
        m.status = Status::kSkipped;
        m.message =
            "skipped: " + (last_line(tail).empty() ? "exit 77 (unavailable)" : last_line(tail));
      } else {
        m.message = "server " + so.binary + " failed to start: " + server->start_problem() +
                    (tail.empty() ? "" : "\n--- server stderr (tail) ---\n" + tail);
      }
      return m;
    }
    const auto& ready = server->ready_line();
    m.model = ready.value("model", m.model);
    m.mode = ready.value("mode", m.mode);
    std::string host = ready.value("host", std::string("127.0.0.1"));
    if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
    if (host == "::") host = "::1";
    m.load.host = host;
    m.load.port = static_cast<uint16_t>(ready.value("port", 0));
    m.load.target = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                    std::to_string(m.load.port);
    pid = server->pid();
  } else {
    m.model = "external";
    m.mode = "target";
  }

  std::optional<sampling::ProcessSampler> sampler;
  std::optional<sampling::ProcessSampler::Result> sampled;
  std::optional<sampling::SyscallCounter> counter;
  std::string sample_error;
  if (pid > 0) sampler.emplace(pid, /*include_children=*/true);
  if (pid > 0 && count) counter.emplace();
  LoadHooks hooks;
  bool sampler_started = false;
  hooks.on_measure_start = [&] {
    if (sampler) {
      try {
        sampler->start();
        sampler_started = true;
      } catch (const std::exception& e) {
        sample_error = std::string("sampling the server: ") + e.what();
      }
    }
    if (counter) counter->start(pid);
  };
  hooks.on_measure_end = [&] {
    if (sampler_started) sampled = sampler->stop();
    if (counter) m.counts = counter->stop();
  };
  if (o.client == "wrk") {
    WrkRun w = run_wrk(m.load, hooks);
    if (w.unavailable) {
      if (server) server->stop();
      m.status = Status::kSkipped;
      m.message = "skipped: " + w.why;
      return m;
    }
    m.result = std::move(w.result);
    if (m.result.ok) m.wrk = w.output;
  } else {
    m.result = run_load(m.load, hooks);
  }

  if (sampled) {
    fill_server(*sampled, &m.server);
    m.sampled = true;
  }
  std::vector<std::string> problems;
  if (!m.result.ok || m.result.invalid) {
    problems.push_back((m.result.invalid ? "verification failed: " : "load failed: ") +
                       m.result.error);
  }
  if (!sample_error.empty()) problems.push_back(sample_error);
  if (server) {
    ServerLauncher::Stop stop = server->stop();
    m.server.stopped = stop.stopped;
    if (!stop.clean) {
      std::string tail = server->stderr_tail();
      problems.push_back("server " + stop.problem +
                         (tail.empty() ? "" : "\n--- server stderr (tail) ---\n" + tail));
    }
  }
  m.status = problems.empty() ? Status::kOk : Status::kFailed;
  for (const auto& p : problems) m.message += (m.message.empty() ? "" : "; ") + p;
  return m;
}

// An entry whose load came from wrk: its latency distribution replaces the (empty) histogram
// percentiles, and the entry says that no reply was verified.
void mark_wrk_entry(const WrkOutput& w, nlohmann::json& e) {
  auto set = [&e](const char* key, const std::optional<double>& v) {
    if (v) {
      e[key] = *v;
    } else {
      e.erase(key);
    }
  };
  set("p50_us", w.p50_us);
  set("p90_us", w.p90_us);
  set("p99_us", w.p99_us);
  set("max_us", w.max_us);
  e.erase("p999_us");  // wrk --latency prints 50/75/90/99 only
  e.erase("p9999_us");
  auto& iomb = e["iomb"];
  iomb.erase("histogram");
  iomb["client"] = "wrk";
  iomb["verified"] = false;
  iomb["latency_origin"] = "wrk's send time (its latency distribution)";
  iomb["wrk"] = {{"requests", w.requests},
                 {"duration_s", w.duration_s},
                 {"requests_per_second", w.requests_per_second},
                 {"socket_errors", w.socket_errors},
                 {"non_2xx", w.non_2xx}};
  if (w.p75_us) iomb["wrk"]["p75_us"] = *w.p75_us;
}

nlohmann::json entry_for(const Measured& m, const std::string& name, int rep, int reps) {
  if (m.status == Status::kSkipped || (m.status == Status::kFailed && !m.result.ok && !m.sampled &&
                                       m.result.merged.completed == 0)) {
    return result::error_entry(name, rep, reps, m.message);
  }
  nlohmann::json e =
      iteration_entry(name, rep, reps, m.load, m.result, m.sampled ? &m.server : nullptr);
  if (m.status == Status::kFailed) {
    e["error_occurred"] = true;
    e["error_message"] = m.message;
    e["iomb"]["valid"] = false;
  }
  if (m.wrk) mark_wrk_entry(*m.wrk, e);
  const auto& stopped = m.server.stopped;
  if (m.load.protocol == Protocol::kEcho && stopped.contains("bytes_in")) {
    // Everything the client sent reached the server and everything it echoed came back.
    const auto& t = m.result.merged;
    e["iomb"]["reconciled"] = {
        {"server_bytes_in", stopped["bytes_in"]},
        {"server_bytes_out", stopped["bytes_out"]},
        {"client_bytes_sent", t.total_bytes_sent},
        {"client_bytes_received", t.total_bytes_received},
        {"match", stopped["bytes_in"].get<uint64_t>() == t.total_bytes_sent &&
                      stopped["bytes_out"].get<uint64_t>() == t.total_bytes_received}};
  }
  return e;
}

std::vector<int> minus(const std::vector<int>& all, const std::vector<int>& taken) {
  std::vector<int> out;
  for (int c : all) {
    if (std::find(taken.begin(), taken.end(), c) == taken.end()) out.push_back(c);
  }
  return out;
}

}  // namespace

int run_run_command(RunCommandOptions& o, int argc, char** argv) {
  cpu::CpuPlan plan;
  try {
    plan = cpu::default_cpu_plan();
    if (!o.server_cpus.empty() || !o.client_cpus.empty()) {
      auto allowed = cpu::allowed_cpus();
      if (!o.server_cpus.empty()) plan.server = cpu::parse_cpu_list(o.server_cpus);
      if (!o.client_cpus.empty()) plan.client = cpu::parse_cpu_list(o.client_cpus);
      if (o.client_cpus.empty()) plan.client = minus(allowed, plan.server);
      if (o.server_cpus.empty()) plan.server = minus(allowed, plan.client);
      plan.pinned = !plan.server.empty() && !plan.client.empty();
      plan.note = "set by --server-cpus/--client-cpus";
      if (!minus(plan.server, plan.client).empty() &&
          minus(plan.server, plan.client).size() != plan.server.size()) {
        plan.note += " (server and client CPUs overlap)";
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb run: --server-cpus/--client-cpus: %s\n", e.what());
    return 2;
  }
  if (plan.pinned) {
    if (int rc = cpu::pin_this_thread(plan.client); rc != 0) {
      std::fprintf(stderr, "iomb run: cannot pin the client to CPUs %s: %s\n",
                   cpu::format_cpu_list(plan.client).c_str(), std::strerror(-rc));
      return 1;
    }
  }
  if (!o.load.quiet) {
    std::fprintf(stderr, "iomb run: server CPUs %s, client CPUs %s%s%s\n",
                 cpu::format_cpu_list(plan.server).c_str(),
                 cpu::format_cpu_list(plan.client).c_str(), plan.note.empty() ? "" : "; ",
                 plan.note.c_str());
  }

  nlohmann::json extra{
      {"iomb_command", "run"},
      {"server", o.server.empty() ? o.load.target : resolve_server_binary(o.server)},
      {"server_args", o.server_args},
      {"client", o.client},
      {"cpu_pinning",
       {{"pinned", plan.pinned},
        {"server_cpus", cpu::format_cpu_list(plan.server)},
        {"client_cpus", cpu::format_cpu_list(plan.client)},
        {"note", plan.note}}}};
  std::optional<double> floor_ns;
  if (o.no_floor) {
    extra["floor"] = {{"unavailable", "not measured (--no-floor)"}};
  } else {
    std::string why;
    std::string bin = o.floor_binary.empty() ? self_exe_dir() + "/iomb-floor" : o.floor_binary;
    auto floor = measure_floor(bin, &why);
    if (floor) {
      extra["floor"] = floor_to_json(*floor);
      floor_ns = o.load.size > 1024 ? floor->recv_send_4k_ns : floor->recv_send_64_ns;
    } else {
      extra["floor"] = {{"unavailable", why}};
      if (!o.load.quiet) std::fprintf(stderr, "iomb run: no floor: %s\n", why.c_str());
    }
  }

  std::vector<nlohmann::json> entries;
  std::string name;
  bool failed = false;
  for (int rep = 0; rep < o.repetitions; ++rep) {
    Measured m = measure_once(o, plan, false);
    m.server.floor_ns = floor_ns;
    name = benchmark_name(o.load, m.model, m.mode);
    entries.push_back(entry_for(m, name, rep, o.repetitions));
    if (m.status == Status::kSkipped) {
      std::fprintf(stderr, "iomb run: %s: %s\n", name.c_str(), m.message.c_str());
      extra["skipped"] = m.message;
      break;
    }
    std::fprintf(stderr, "iomb run: %s repetition %d/%d\n%s", name.c_str(), rep + 1, o.repetitions,
                 m.result.summary(m.load).c_str());
    if (m.wrk) {
      // The summary's latency line reads iomb's histogram, which wrk's runs leave empty.
      std::fprintf(stderr, "wrk latency us: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
                   m.wrk->p50_us.value_or(0), m.wrk->p90_us.value_or(0), m.wrk->p99_us.value_or(0),
                   m.wrk->max_us.value_or(0));
    }
    if (m.sampled && m.result.merged.completed > 0) {
      std::fprintf(stderr, "server cpu %.0f ns/request, rss peak %ld KiB, %d threads\n",
                   m.server.cpu_s * 1e9 / static_cast<double>(m.result.merged.completed),
                   m.server.rss_peak_kib, m.server.threads);
    }
    if (m.status == Status::kFailed) {
      std::fprintf(stderr, "iomb run: FAILED: %s\n", m.message.c_str());
      failed = true;
      if (!m.result.ok && m.result.merged.completed == 0) break;  // no point repeating
    }
  }

  if (o.count_syscalls && !failed && !extra.contains("skipped")) {
    std::string why;
    if (o.server.empty() && o.server_pid <= 0) {
      extra["syscall_pass"] = {{"unavailable", "no server process to attach to (--server-pid)"}};
    } else if (!sampling::SyscallCounter::available(&why)) {
      extra["syscall_pass"] = {{"unavailable", why}};
      std::fprintf(stderr, "iomb run: --count-syscalls skipped: %s\n", why.c_str());
    } else {
      Measured m = measure_once(o, plan, true);
      uint64_t completed = m.result.merged.completed;
      if (m.status == Status::kOk && m.counts && m.counts->ok && completed > 0) {
        double per_req = static_cast<double>(m.counts->syscalls) / static_cast<double>(completed);
        extra["syscall_pass"] = {{"syscalls", m.counts->syscalls},
                                 {"context_switches", m.counts->context_switches},
                                 {"requests", completed},
                                 {"syscalls_per_req", per_req},
                                 {"note", "a separate pass with perf attached, not timed"}};
        for (auto& e : entries) {
          if (!e.value("error_occurred", false)) e["syscalls_per_req"] = per_req;
        }
        std::fprintf(stderr, "iomb run: %.2f syscalls per request (server)\n", per_req);
      } else {
        std::string err = m.counts && !m.counts->ok ? m.counts->error : m.message;
        extra["syscall_pass"] = {{"unavailable", err.empty() ? "no requests counted" : err}};
        std::fprintf(stderr, "iomb run: syscall pass failed: %s\n", err.c_str());
      }
    }
  }

  if (!name.empty()) {
    auto aggs = result::aggregate_entries(name, entries);
    if (o.repetitions > 1) entries.insert(entries.end(), aggs.begin(), aggs.end());
  }
  if (!o.load.json_path.empty()) {
    try {
      result::write_result_file(o.load.json_path, result::result_context(argc, argv, extra),
                                entries);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "iomb run: %s\n", e.what());
      return 1;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace iomb::harness
