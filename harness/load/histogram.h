// Histogram: an HDR-style log-linear latency histogram (own code; Debian has no HdrHistogram_c).
// Values are nanoseconds, tracked from 1 ns to 1 hour with a configurable number of significant
// decimal digits (default 3: any reported value is within 0.1 % of a recorded one). record() is
// O(1) and allocation-free; one thread owns an instance (load threads each keep their own and
// merge after the run). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iomb::harness {

class Histogram {
 public:
  static constexpr int64_t kMaxTrackable = 3'600'000'000'000;  // 1 h in ns

  // significant_digits in [1, 5].
  explicit Histogram(int significant_digits = 3);

  // Values below 1 are recorded as 1 (with min() still exact as 0 if 0 was recorded), values
  // above kMaxTrackable as kMaxTrackable and counted in clamped().
  void record(int64_t value_ns) noexcept { record_n(value_ns, 1); }
  void record_n(int64_t value_ns, uint64_t n) noexcept;

  // Adds every count of `other`. Both must use the same number of significant digits
  // (std::invalid_argument otherwise).
  void merge(const Histogram& other);
  void reset() noexcept;

  uint64_t count() const { return total_; }
  uint64_t clamped() const { return clamped_; }
  int64_t min() const { return total_ ? min_ : 0; }  // exact
  int64_t max() const { return total_ ? max_ : 0; }  // exact
  double mean() const;                               // exact (from the recorded sum)
  int significant_digits() const { return digits_; }

  // The value at percentile p in [0, 100]: the smallest recorded value v such that at least
  // p % of the samples are <= v (rank ceil(p/100 * count), at least 1), reported as the highest
  // value equivalent to it at this precision and never above max(). 0 when empty.
  int64_t percentile(double p) const;

  // Largest relative error of a reported value (0.001 for 3 digits... exactly 1/2^k).
  double relative_precision() const { return 1.0 / static_cast<double>(sub_bucket_half_); }

  // Compact text form for result files: "HISTv1:" + base64 of varints (digits, count, min, max,
  // sum, clamped, then (zero run, count) pairs). decode() returns nullopt on malformed text.
  std::string encode() const;
  static std::optional<Histogram> decode(std::string_view text);

  bool operator==(const Histogram& other) const;

 private:
  size_t index_of(int64_t value) const noexcept;
  int64_t lowest_equivalent(size_t index) const noexcept;
  int64_t highest_equivalent(size_t index) const noexcept;

  int digits_;
  int sub_bucket_bits_;      // log2 of the sub-bucket count
  int64_t sub_bucket_half_;  // sub-buckets per power of two above the first
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  uint64_t sum_ = 0;  // saturating; ns
};

}  // namespace iomb::harness
