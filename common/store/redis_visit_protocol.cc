// Implementation of redis_visit_protocol.h.
#include "common/store/redis_visit_protocol.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace iomb::store {
namespace {

constexpr std::string_view kKeyPrefix = "iomb:s:";
constexpr size_t kKeyLength = kKeyPrefix.size() + http::SessionId::kHexLength;

using Key = std::array<char, kKeyLength>;

Key key_of(const http::SessionId& sid) {
  Key k{};
  std::memcpy(k.data(), kKeyPrefix.data(), kKeyPrefix.size());
  auto hex = sid.hex();
  std::memcpy(k.data() + kKeyPrefix.size(), hex.data(), hex.size());
  return k;
}

bool is_integer(const redisReply* r) { return r->type == REDIS_REPLY_INTEGER; }

}  // namespace

struct RedisVisitProtocol::Depth {
  explicit Depth(int& d) : depth(d) { ++depth; }
  ~Depth() { --depth; }
  int& depth;
};

RedisVisitProtocol::RedisVisitProtocol(const RedisVisitOptions& options, RedisCounters& counters)
    : options_(options), counters_(counters), reader_(redisReaderCreate()) {
  if (!reader_) throw std::bad_alloc();
  payload_.assign(options_.payload_bytes, 'p');
  ttl_text_ = std::to_string(options_.ttl_ms);
}

RedisVisitProtocol::~RedisVisitProtocol() = default;

void RedisVisitProtocol::append_command(int argc, const char** argv, const size_t* lens) {
  char* cmd = nullptr;
  int n = redisFormatCommandArgv(&cmd, argc, argv, lens);
  if (n < 0) throw std::bad_alloc();
  out_.append(cmd, static_cast<size_t>(n));
  redisFreeCommand(cmd);
}

void RedisVisitProtocol::send_continue(Pending& p) {
  Key key = key_of(p.sid);
  const char* incr[] = {"HINCRBY", key.data(), "visits", "1"};
  const size_t incr_len[] = {7, key.size(), 6, 1};
  append_command(4, incr, incr_len);
  const char* expire[] = {"PEXPIRE", key.data(), ttl_text_.data()};
  const size_t expire_len[] = {7, key.size(), ttl_text_.size()};
  append_command(3, expire, expire_len);
  const char* load[] = {"HMGET", key.data(), "created_by", "payload"};
  const size_t load_len[] = {5, key.size(), 10, 7};
  append_command(4, load, load_len);
  p.kind = Kind::kContinue;
  p.replies_left = 3;
  counters_.round_trips.fetch_add(1, std::memory_order_relaxed);
}

void RedisVisitProtocol::send_create(Pending& p, int64_t now_ms, bool delete_old) {
  p.replies_left = 2;
  if (delete_old) {
    // The bare hash the HINCRBY of a lost sid made.
    Key old = key_of(p.sid);
    const char* del[] = {"DEL", old.data()};
    const size_t del_len[] = {3, old.size()};
    append_command(2, del, del_len);
    p.replies_left = 3;
  }
  p.kind = Kind::kCreate;
  p.sid = http::SessionId::random();
  Key key = key_of(p.sid);
  char now[24];
  size_t now_len = static_cast<size_t>(std::to_chars(now, now + sizeof now, now_ms).ptr - now);
  const char* set[] = {"HSET",       key.data(),
                       "visits",     "1",
                       "created_at", now,
                       "created_by", options_.node_id.data(),
                       "payload",    payload_.data()};
  const size_t set_len[] = {4, key.size(),     6, 1, 10, now_len, 10, options_.node_id.size(),
                            7, payload_.size()};
  append_command(options_.payload_bytes > 0 ? 10 : 8, set, set_len);
  const char* expire[] = {"PEXPIRE", key.data(), ttl_text_.data()};
  const size_t expire_len[] = {7, key.size(), ttl_text_.size()};
  append_command(3, expire, expire_len);
  counters_.round_trips.fetch_add(1, std::memory_order_relaxed);
}

void RedisVisitProtocol::start_visit(const http::VisitRequest& request, http::VisitCallback& done,
                                     int64_t now_ms) {
  if (pending_.size() >= options_.max_in_flight) {
    fail(done, counters_.overloaded);
    return;
  }
  Pending& p = pending_.emplace_back();
  p.done = &done;
  p.deadline_ms = now_ms + options_.timeout_ms;
  if (auto sid = http::SessionId::parse(request.sid)) {
    p.sid = *sid;
    send_continue(p);
  } else {
    send_create(p, now_ms, false);
  }
}

void RedisVisitProtocol::on_connected() {
  first_connect_pending_ = false;
  reader_.reset(redisReaderCreate());
  if (!reader_) throw std::bad_alloc();
}

void RedisVisitProtocol::on_input(std::string_view data) {
  Depth depth(depth_);
  if (redisReaderFeed(reader_.get(), data.data(), data.size()) != REDIS_OK) return;
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_.get(), &reply) != REDIS_OK) {
      // A protocol error cannot be resynchronised: fail what is in flight; the replies that
      // follow are dropped with the reader.
      fail_all();
      return;
    }
    if (reply == nullptr) return;
    take_reply(static_cast<redisReply*>(reply));
    freeReplyObject(reply);
  }
}

void RedisVisitProtocol::take_reply(redisReply* reply) {
  if (pending_.empty()) return;  // not ours (cannot happen with a well-behaved server)
  Pending& p = pending_.front();
  if (reply->type == REDIS_REPLY_ERROR) p.error = true;
  if (p.kind == Kind::kContinue) {
    const int index = 3 - p.replies_left;
    if (index == 0) {
      if (is_integer(reply))
        p.visits = static_cast<uint64_t>(reply->integer);
      else
        p.error = true;
    } else if (index == 2) {
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2) {
        const redisReply* by = reply->element[0];
        if (by->type == REDIS_REPLY_STRING) {
          p.created_by.assign(by->str, by->len);
        } else {
          p.missing = true;
        }
      } else {
        p.error = true;
      }
    }
  }
  if (--p.replies_left > 0) return;
  Pending done = std::move(p);
  pending_.pop_front();
  finish(std::move(done));
}

void RedisVisitProtocol::finish(Pending p) {
  if (p.done == nullptr) return;  // answered already (timeout)
  if (p.error) {
    fail(*p.done, counters_.errors);
    return;
  }
  if (p.kind == Kind::kContinue && p.missing) {
    counters_.lost.fetch_add(1, std::memory_order_relaxed);
    Pending& again = pending_.emplace_back(std::move(p));
    again.error = false;
    again.missing = false;
    send_create(again, monotonic_ms(), true);
    return;
  }
  http::VisitResult result;
  result.sid = p.sid;
  if (p.kind == Kind::kContinue) {
    result.visits = p.visits;
    result.created_by = p.created_by;
  } else {
    counters_.created.fetch_add(1, std::memory_order_relaxed);
    result.visits = 1;
    result.created = true;
    result.created_by = options_.node_id;
  }
  complete(*p.done, result);
}

void RedisVisitProtocol::complete(http::VisitCallback& done, const http::VisitResult& result) {
  counters_.ok.fetch_add(1, std::memory_order_relaxed);
  Depth depth(depth_);
  done.on_visit(result);
}

void RedisVisitProtocol::fail(http::VisitCallback& done, std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
  http::VisitResult result;
  result.status = 503;
  Depth depth(depth_);
  done.on_visit(result);
}

void RedisVisitProtocol::fail_all() {
  Depth depth(depth_);
  std::deque<Pending> failed;
  failed.swap(pending_);
  clear_output();
  reader_.reset(redisReaderCreate());
  for (Pending& p : failed) {
    if (p.done != nullptr) fail(*p.done, counters_.failed);
  }
}

void RedisVisitProtocol::on_disconnected() {
  first_connect_pending_ = false;
  counters_.disconnects.fetch_add(1, std::memory_order_relaxed);
  fail_all();
}

bool RedisVisitProtocol::has_waiters() const {
  for (const Pending& p : pending_) {
    if (p.done != nullptr) return true;
  }
  return false;
}

void RedisVisitProtocol::on_tick(int64_t now_ms) {
  Depth depth(depth_);
  // Indexes, not iterators: a callback may start a visit (push_back).
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i].done == nullptr || pending_[i].deadline_ms > now_ms) continue;
    http::VisitCallback* done = pending_[i].done;
    pending_[i].done = nullptr;
    fail(*done, counters_.timeouts);
  }
}

}  // namespace iomb::store
