// Implementation of cpu_affinity.h.
#include "harness/cpu/cpu_affinity.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <set>
#include <system_error>

#include "harness/sampling/proc_files.h"

namespace iomb::cpu {
namespace {

// A dynamically sized cpu_set_t (machines can have more than CPU_SETSIZE CPUs).
class CpuSet {
 public:
  explicit CpuSet(int num_cpus)
      : count_(num_cpus), set_(CPU_ALLOC(num_cpus), &free_set), size_(CPU_ALLOC_SIZE(num_cpus)) {
    CPU_ZERO_S(size_, set_.get());
  }
  cpu_set_t* get() const { return set_.get(); }
  size_t size() const { return size_; }
  int count() const { return count_; }

 private:
  static void free_set(cpu_set_t* set) { CPU_FREE(set); }
  int count_;
  std::unique_ptr<cpu_set_t, void (*)(cpu_set_t*)> set_;
  size_t size_;
};

// Builds the set for cpus into *out; -EINVAL for an empty list or a CPU out of range.
int make_set(const std::vector<int>& cpus, std::unique_ptr<CpuSet>* out) {
  if (cpus.empty()) return -EINVAL;
  int highest = 0;
  for (int cpu : cpus) {
    if (cpu < 0 || cpu > kMaxCpu) return -EINVAL;
    highest = std::max(highest, cpu);
  }
  *out = std::make_unique<CpuSet>(highest + 1);
  for (int cpu : cpus) CPU_SET_S(static_cast<size_t>(cpu), (*out)->size(), (*out)->get());
  return 0;
}

int set_affinity(pid_t tid, const CpuSet& set) {
  return sched_setaffinity(tid, set.size(), set.get()) == 0 ? 0 : -errno;
}

}  // namespace

std::vector<int> allowed_cpus() {
  for (int capacity = 1024; capacity <= 1 << 16; capacity *= 2) {
    CpuSet set(capacity);
    if (sched_getaffinity(0, set.size(), set.get()) != 0) {
      if (errno == EINVAL) continue;  // the kernel's mask is larger than ours
      throw std::system_error(errno, std::generic_category(), "sched_getaffinity");
    }
    std::vector<int> cpus;
    for (int cpu = 0; cpu < capacity; ++cpu) {
      if (CPU_ISSET_S(static_cast<size_t>(cpu), set.size(), set.get())) cpus.push_back(cpu);
    }
    return cpus;
  }
  throw std::system_error(EINVAL, std::generic_category(), "sched_getaffinity");
}

CpuPlan default_cpu_plan(const std::vector<int>& allowed) {
  CpuPlan plan;
  if (allowed.size() < 2) {
    plan.server = plan.client = allowed;
    plan.note = allowed.empty() ? "no CPU list available: the run is unpinned"
                                : "only CPU " + format_cpu_list(allowed) +
                                      " is available: server and client share it, the run is "
                                      "unpinned";
    return plan;
  }
  std::vector<int> sorted = parse_cpu_list(format_cpu_list(allowed));  // sorted, unique
  plan.server = {sorted.back()};
  plan.client.assign(sorted.begin(), sorted.end() - 1);
  plan.pinned = true;
  plan.note = "server on CPU " + format_cpu_list(plan.server) + ", client on CPUs " +
              format_cpu_list(plan.client);
  return plan;
}

CpuPlan default_cpu_plan() { return default_cpu_plan(allowed_cpus()); }

int pin_process(pid_t pid, const std::vector<int>& cpus) {
  std::unique_ptr<CpuSet> set;
  if (int rc = make_set(cpus, &set); rc != 0) return rc;
  // A thread created while we walk the list by a not-yet-pinned thread inherits the old mask,
  // so walk again until a pass finds no new thread (bounded).
  std::set<pid_t> pinned;
  for (int pass = 0; pass < 10; ++pass) {
    auto threads = sampling::list_threads(pid);
    if (threads.empty()) return pass == 0 ? -ESRCH : 0;
    bool found_new = false;
    for (pid_t tid : threads) {
      if (pinned.count(tid) != 0) continue;
      found_new = true;
      int rc = set_affinity(tid, *set);
      if (rc == -ESRCH) continue;  // that thread exited meanwhile
      if (rc != 0) return rc;
      pinned.insert(tid);
    }
    if (!found_new) return 0;
  }
  return 0;
}

int pin_process_tree(pid_t pid, const std::vector<int>& cpus) {
  int first = pin_process(pid, cpus);
  if (first != 0) return first;
  auto tree = sampling::list_process_tree(pid);
  for (size_t i = 1; i < tree.size(); ++i) {
    int rc = pin_process(tree[i], cpus);
    if (rc != 0 && rc != -ESRCH) return rc;
  }
  return 0;
}

int pin_this_thread(const std::vector<int>& cpus) {
  std::unique_ptr<CpuSet> set;
  if (int rc = make_set(cpus, &set); rc != 0) return rc;
  return set_affinity(0, *set);  // 0 = the calling thread
}

}  // namespace iomb::cpu
