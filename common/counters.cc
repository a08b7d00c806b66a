// Implementation of counters.h.
#include "common/counters.h"

#include <nlohmann/json.hpp>
#include <string>

namespace iomb {

std::string_view counter_name(Counter c) {
  switch (c) {
    case Counter::kAccepted:
      return "accepted";
    case Counter::kRejected:
      return "rejected";
    case Counter::kClosedByPeer:
      return "closed_by_peer";
    case Counter::kClosedIdle:
      return "closed_idle";
    case Counter::kClosedByServer:
      return "closed_by_server";
    case Counter::kErrorsReset:
      return "reset";
    case Counter::kErrorsOther:
      return "other";
    case Counter::kBytesIn:
      return "bytes_in";
    case Counter::kBytesOut:
      return "bytes_out";
    case Counter::kRequests:
      return "requests";
    case Counter::kBackpressureStalls:
      return "backpressure_stalls";
    case Counter::kCount:
      break;
  }
  return "?";
}

namespace {
bool is_error(Counter c) { return c == Counter::kErrorsReset || c == Counter::kErrorsOther; }
}  // namespace

CounterSnapshot& CounterSnapshot::operator+=(const CounterSnapshot& other) {
  for (size_t i = 0; i < values.size(); ++i) values[i] += other.values[i];
  return *this;
}

nlohmann::json CounterSnapshot::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  nlohmann::json errors = nlohmann::json::object();
  for (int i = 0; i < static_cast<int>(Counter::kCount); ++i) {
    auto c = static_cast<Counter>(i);
    std::string name(counter_name(c));
    if (is_error(c))
      errors[name] = values[i];
    else
      j[name] = values[i];
  }
  j["errors"] = errors;
  return j;
}

CounterSnapshot CounterSnapshot::from_json(const nlohmann::json& j) {
  CounterSnapshot s;
  for (int i = 0; i < static_cast<int>(Counter::kCount); ++i) {
    auto c = static_cast<Counter>(i);
    std::string name(counter_name(c));
    const nlohmann::json* src = is_error(c) ? (j.contains("errors") ? &j["errors"] : nullptr) : &j;
    if (src && src->contains(name) && (*src)[name].is_number_unsigned()) {
      s.values[i] = (*src)[name].get<uint64_t>();
    }
  }
  return s;
}

CounterSnapshot Counters::snapshot() const noexcept {
  CounterSnapshot s;
  for (size_t i = 0; i < values_.size(); ++i)
    s.values[i] = values_[i].load(std::memory_order_relaxed);
  return s;
}

}  // namespace iomb
