// Google Benchmark counters per item (message, nop, call) when one iteration handles several:
// items_per_second and seconds_per_<item> (the console shows it with an SI prefix, e.g.
// "seconds_per_msg=4.2us"; the JSON holds plain seconds). Called by a benchmark after its loop.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace iomb::bench {

inline void set_per_item_counters(benchmark::State& state, int64_t items_per_iteration,
                                  const std::string& item) {
  state.SetItemsProcessed(state.iterations() * items_per_iteration);
  // value * iterations / seconds = items per second; kInvert turns it into seconds per item.
  // The seconds are the benchmark's own measure (manual time where the benchmark times itself).
  state.counters["seconds_per_" + item] = benchmark::Counter(
      static_cast<double>(items_per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace iomb::bench
