// Implementation of cluster_command.h.
#include "harness/cluster/cluster_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "harness/cluster/cluster_run.h"
#include "harness/cluster/cluster_summary.h"
#include "harness/cpu/cpu_affinity.h"
#include "harness/result/result_file.h"
#include "harness/result/result_json.h"

namespace iomb::cluster {
int run_cluster_command(const ClusterOptions& o, int argc, char** argv) {
  namespace fs = std::filesystem;
  const std::string out = o.out.empty() ? "results/cluster/" + result::utc_stamp() : o.out;
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    std::fprintf(stderr, "iomb cluster: cannot create %s: %s\n", out.c_str(), ec.message().c_str());
    return 1;
  }
  // The load generator's threads inherit this thread's CPUs.
  if (!o.client_cpus.empty()) {
    if (int rc = cpu::pin_this_thread(cpu::parse_cpu_list(o.client_cpus)); rc != 0) {
      std::fprintf(stderr, "iomb cluster: cannot pin the client to %s\n", o.client_cpus.c_str());
      return 1;
    }
  }
  const size_t total = static_cast<size_t>(o.repetitions) * o.node_counts.size() *
                       o.strategies.size() * o.session_bytes.size();
  std::vector<nlohmann::json> entries;
  int failed = 0;
  for (int rep = 0; rep < o.repetitions; ++rep) {
    for (int nodes : o.node_counts) {
      for (Strategy strategy : o.strategies) {
        for (uint64_t bytes : o.session_bytes) {
          if (!o.quiet) {
            std::fprintf(
                stderr,
                "iomb cluster: [%zu/%zu] %s: %d nodes, %llu B sessions, fault: %s (rep %d)\n",
                entries.size() + 1, total, std::string(info(strategy).name).c_str(), nodes,
                static_cast<unsigned long long>(bytes), o.fault.describe().c_str(), rep + 1);
          }
          nlohmann::json e = run_cluster_once(o, strategy, bytes, nodes, rep);
          if (e.value("error_occurred", false)) {
            ++failed;
            std::fprintf(stderr, "iomb cluster: %s failed: %s\n", e.value("name", "").c_str(),
                         e.value("error_message", "").c_str());
          } else if (!o.quiet) {
            std::fprintf(
                stderr,
                "iomb cluster:   %.0f visits/s, %.0f errors, %.0f sessions lost, %.0f stale, "
                "%.0f skipped\n",
                e.value("items_per_second", 0.0), e.value("errors", 0.0),
                e.value("sessions_lost", 0.0), e.value("sessions_stale", 0.0),
                e.value("sessions_skipped", 0.0));
          }
          entries.push_back(std::move(e));
        }
      }
    }
  }
  nlohmann::json extra{{"iomb_command", "cluster"},
                       {"cluster",
                        {{"model", o.model},
                         {"node_args", o.node_args},
                         {"fault", o.fault.describe()},
                         {"rate", o.rate},
                         {"clients", o.clients},
                         {"server_cpus", o.server_cpus},
                         {"client_cpus", o.client_cpus}}}};
  try {
    result::write_result_file(out + "/cluster.json", result::result_context(argc, argv, extra),
                              entries);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb cluster: %s\n", e.what());
    return 1;
  }
  const int rc = render_cluster_report(out);
  return failed || rc ? 1 : 0;
}

int render_cluster_report(const std::string& dir) {
  result::ResultDocument doc;
  try {
    doc = result::read_result_file(dir + "/cluster.json");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iomb report: %s\n", e.what());
    return 1;
  }
  const std::vector<nlohmann::json> entries(doc.benchmarks.begin(), doc.benchmarks.end());
  const nlohmann::json c = doc.context.value("cluster", nlohmann::json::object());
  const std::string table = cluster_summary_markdown(entries);
  std::string problem;
  const std::vector<std::string> plots = write_cluster_plots(dir, entries, &problem);
  {
    std::ofstream md(dir + "/summary.md");
    md << "# iomb cluster: " << c.value("model", "?") << ", fault: " << c.value("fault", "?")
       << ", " << c.value("clients", 0) << " clients at " << c.value("rate", 0.0) << " visits/s\n\n"
       << table << "\n";
    for (const std::string& svg : plots) md << "![" << svg << "](" << svg << ")\n";
    if (!problem.empty()) md << "\n" << problem << "\n";
  }
  std::printf("%s", table.c_str());
  if (!problem.empty()) std::fprintf(stderr, "iomb cluster: %s\n", problem.c_str());
  std::fprintf(stderr, "iomb cluster: results in %s (cluster.json, summary.md%s)\n", dir.c_str(),
               plots.empty() ? "" : ", plots");
  return 0;
}

}  // namespace iomb::cluster
