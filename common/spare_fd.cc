// Implementation of spare_fd.h.
#include "common/spare_fd.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace iomb {
namespace {

struct Reserve {
  std::mutex mutex;
  std::vector<UniqueFd*> slots;  // each SpareFd's descriptor, open or not
  std::atomic<int> open{0};
  std::atomic<int> short_by{0};  // missing descriptors, plus one while a shed is under way

  void recount_locked() {
    int n = static_cast<int>(
        std::count_if(slots.begin(), slots.end(), [](const UniqueFd* s) { return s->valid(); }));
    open.store(n);
    short_by.store(static_cast<int>(slots.size()) - n);
  }
  void refill_locked() {
    for (UniqueFd* s : slots) {
      if (!s->valid()) s->reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    recount_locked();
  }
};

Reserve& reserve() {
  static Reserve r;  // never destroyed before the loops: function-local, first use at startup
  return r;
}

}  // namespace

SpareFd::SpareFd() : spare_(::open("/dev/null", O_RDONLY | O_CLOEXEC)) {
  Reserve& r = reserve();
  std::lock_guard lock(r.mutex);
  r.slots.push_back(&spare_);
  r.recount_locked();
}

SpareFd::~SpareFd() {
  Reserve& r = reserve();
  std::lock_guard lock(r.mutex);
  std::erase(r.slots, &spare_);
  r.recount_locked();
}

bool SpareFd::shed_one(int listen_fd) {
  Reserve& r = reserve();
  std::lock_guard lock(r.mutex);
  r.refill_locked();
  auto it =
      std::find_if(r.slots.begin(), r.slots.end(), [](const UniqueFd* s) { return s->valid(); });
  if (it == r.slots.end()) return false;
  // Announce before freeing: an accept that gets the freed descriptor sees the reserve short
  // and gives it back (give_to_reserve).
  r.short_by.fetch_add(1);
  (*it)->reset();
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  const bool shed = fd >= 0;
  if (shed) ::close(fd);
  (*it)->reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  r.recount_locked();
  return shed;
}

bool SpareFd::armed() const { return reserve().open.load() > 0; }

bool SpareFd::rearm() {
  Reserve& r = reserve();
  std::lock_guard lock(r.mutex);
  r.refill_locked();
  return r.open.load() > 0;
}

bool SpareFd::reserve_short() { return reserve().short_by.load() > 0; }

void SpareFd::give_to_reserve(int fd) {
  ::close(fd);
  Reserve& r = reserve();
  std::lock_guard lock(r.mutex);
  r.refill_locked();
}

}  // namespace iomb
