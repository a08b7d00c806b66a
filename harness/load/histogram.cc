// Implementation of histogram.h. Layout: values below the sub-bucket count are stored exactly;
// above, each power of two [2^b, 2^(b+1)) is split into sub_bucket_half_ linear sub-buckets, so
// a bucket's width is at most 1/sub_bucket_half_ of its lower bound.
#include "harness/load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include "harness/load/varint_codec.h"

namespace iomb::harness {
namespace {

constexpr std::string_view kMagic = "HISTv1:";

int bits_for_digits(int digits) {
  int64_t needed = 2;
  for (int i = 0; i < digits; ++i) needed *= 10;
  return std::bit_width(static_cast<uint64_t>(needed - 1));  // ceil(log2(needed))
}

}  // namespace

Histogram::Histogram(int significant_digits) : digits_(significant_digits) {
  if (digits_ < 1 || digits_ > 5) throw std::invalid_argument("histogram: digits must be 1..5");
  sub_bucket_bits_ = bits_for_digits(digits_);
  sub_bucket_half_ = int64_t{1} << (sub_bucket_bits_ - 1);
  int top_bit = std::bit_width(static_cast<uint64_t>(kMaxTrackable)) - 1;
  size_t size =
      (size_t{1} << sub_bucket_bits_) +
      static_cast<size_t>(top_bit - sub_bucket_bits_ + 1) * static_cast<size_t>(sub_bucket_half_);
  counts_.assign(size, 0);
}

size_t Histogram::index_of(int64_t value) const noexcept {
  auto v = static_cast<uint64_t>(value);
  if (v < (uint64_t{1} << sub_bucket_bits_)) return static_cast<size_t>(v);
  int b = std::bit_width(v) - 1;
  int shift = b - (sub_bucket_bits_ - 1);
  auto sub = static_cast<int64_t>(v >> shift);  // in [half, 2*half)
  return (size_t{1} << sub_bucket_bits_) +
         static_cast<size_t>(b - sub_bucket_bits_) * static_cast<size_t>(sub_bucket_half_) +
         static_cast<size_t>(sub - sub_bucket_half_);
}

int64_t Histogram::lowest_equivalent(size_t index) const noexcept {
  size_t exact = size_t{1} << sub_bucket_bits_;
  if (index < exact) return static_cast<int64_t>(index);
  size_t rel = index - exact;
  auto half = static_cast<size_t>(sub_bucket_half_);
  int b = static_cast<int>(rel / half) + sub_bucket_bits_;
  int shift = b - (sub_bucket_bits_ - 1);
  auto sub = static_cast<int64_t>(rel % half) + sub_bucket_half_;
  return sub << shift;
}

int64_t Histogram::highest_equivalent(size_t index) const noexcept {
  size_t exact = size_t{1} << sub_bucket_bits_;
  if (index < exact) return static_cast<int64_t>(index);
  size_t rel = index - exact;
  int b = static_cast<int>(rel / static_cast<size_t>(sub_bucket_half_)) + sub_bucket_bits_;
  int shift = b - (sub_bucket_bits_ - 1);
  return lowest_equivalent(index) + (int64_t{1} << shift) - 1;
}

void Histogram::record_n(int64_t value_ns, uint64_t n) noexcept {
  if (n == 0) return;
  int64_t v = value_ns;
  if (v < 0) v = 0;
  if (v > kMaxTrackable) {
    v = kMaxTrackable;
    clamped_ += n;
  }
  counts_[index_of(v)] += n;
  total_ += n;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  uint64_t add = static_cast<uint64_t>(v) * n;
  sum_ = (sum_ + add < sum_) ? UINT64_MAX : sum_ + add;
}

void Histogram::merge(const Histogram& other) {
  if (other.digits_ != digits_) {
    throw std::invalid_argument("histogram: cannot merge different precisions");
  }
  if (other.total_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  clamped_ += other.clamped_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ = (sum_ + other.sum_ < sum_) ? UINT64_MAX : sum_ + other.sum_;
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = clamped_ = sum_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
}

double Histogram::mean() const {
  return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0.0;
}

int64_t Histogram::percentile(double p) const {
  if (total_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
  // Guard against p/100*total landing a hair above an integer through rounding.
  double exact_rank = p / 100.0 * static_cast<double>(total_);
  if (rank > 0 && static_cast<double>(rank - 1) >= exact_rank - 1e-9 * exact_rank) --rank;
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(std::max(highest_equivalent(i), min_), max_);
  }
  return max_;
}

bool Histogram::operator==(const Histogram& other) const {
  return digits_ == other.digits_ && total_ == other.total_ && clamped_ == other.clamped_ &&
         min() == other.min() && max() == other.max() && sum_ == other.sum_ &&
         counts_ == other.counts_;
}

std::string Histogram::encode() const {
  std::string bytes;
  put_varint(bytes, static_cast<uint64_t>(digits_));
  put_varint(bytes, total_);
  put_varint(bytes, static_cast<uint64_t>(min()));
  put_varint(bytes, static_cast<uint64_t>(max()));
  put_varint(bytes, sum_);
  put_varint(bytes, clamped_);
  uint64_t zeros = 0;
  for (uint64_t c : counts_) {
    if (c == 0) {
      ++zeros;
      continue;
    }
    put_varint(bytes, zeros);
    put_varint(bytes, c);
    zeros = 0;
  }
  return std::string(kMagic) + base64_encode(bytes);
}

std::optional<Histogram> Histogram::decode(std::string_view text) {
  if (text.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  auto bytes = base64_decode(text.substr(kMagic.size()));
  if (!bytes) return std::nullopt;
  VarintReader in(*bytes);
  uint64_t digits, total, mn, mx, sum, clamped;
  if (!in.next(&digits) || digits < 1 || digits > 5 || !in.next(&total) || !in.next(&mn) ||
      !in.next(&mx) || !in.next(&sum) || !in.next(&clamped)) {
    return std::nullopt;
  }
  Histogram h(static_cast<int>(digits));
  size_t pos = 0;
  uint64_t seen = 0;
  while (!in.done()) {
    uint64_t zeros, c;
    if (!in.next(&zeros) || !in.next(&c) || c == 0) return std::nullopt;
    if (zeros >= h.counts_.size() - pos) return std::nullopt;
    pos += zeros;
    h.counts_[pos++] = c;
    seen += c;
  }
  if (seen != total || mn > mx || mx > static_cast<uint64_t>(kMaxTrackable)) return std::nullopt;
  h.total_ = total;
  h.clamped_ = clamped;
  h.sum_ = sum;
  if (total) {
    h.min_ = static_cast<int64_t>(mn);
    h.max_ = static_cast<int64_t>(mx);
  }
  return h;
}

}  // namespace iomb::harness
