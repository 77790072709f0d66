// LatencyHistogram: fixed-memory, log-linear histogram of durations in
// microseconds (64 sub-buckets per power of two: every percentile is within
// 1.6% of the exact value), and nearest_rank() for small exact samples.
//
// Bucket index of v: s = max(0, msb(v) - 6), index = 64*s + (v >> s). Values
// below 128 us are exact. Recording never allocates.
//
// Header-only so the unit tests (which link only libsrs.a) can use it.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace srs::tools::srs_bench {

class LatencyHistogram {
 public:
  static constexpr uint64_t kMaxUs = (uint64_t{1} << 36) - 1;  // about 19 hours
  static constexpr size_t kBuckets = 64 * (36 - 6) + 128;

  void record(int64_t us) noexcept {
    uint64_t v = us < 0 ? 0 : std::min<uint64_t>(static_cast<uint64_t>(us), kMaxUs);
    ++counts_[index(v)];
    ++count_;
    sum_ += v;
    max_ = std::max(max_, v);
    min_ = count_ == 1 ? v : std::min(min_, v);
  }

  void merge(const LatencyHistogram& other) noexcept {
    if (other.count_ == 0) return;
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const noexcept { return count_; }
  uint64_t max() const noexcept { return max_; }
  uint64_t min() const noexcept { return min_; }
  double mean() const noexcept { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at percentile p (0..100) by nearest rank: the middle of the
  // bucket holding it, clamped to [min, max]. 0 when empty.
  uint64_t percentile(double p) const noexcept {
    if (count_ == 0) return 0;
    uint64_t rank = rank_of(p, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::clamp(middle(i), min_, max_);
    }
    return max_;
  }

  // 1-based nearest rank of percentile p among n values.
  static uint64_t rank_of(double p, uint64_t n) noexcept {
    double r = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(n));
    return std::clamp<uint64_t>(static_cast<uint64_t>(r), 1, n);
  }

  static size_t index(uint64_t v) noexcept {
    int msb = 63 - std::countl_zero(v | 1);
    int s = std::max(0, msb - 6);
    return 64 * static_cast<size_t>(s) + static_cast<size_t>(v >> s);
  }
  // Smallest value of bucket i.
  static uint64_t lower(size_t i) noexcept {
    if (i < 128) return i;
    size_t s = i / 64 - 1;
    return static_cast<uint64_t>(i - 64 * s) << s;
  }
  static uint64_t middle(size_t i) noexcept {
    if (i < 128) return i;
    size_t s = i / 64 - 1;
    return lower(i) + ((uint64_t{1} << s) - 1) / 2;
  }

 private:
  std::array<uint32_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = 0;
};

// Exact nearest-rank percentile of a small sample (sorted in place). 0 when empty.
inline double nearest_rank(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[LatencyHistogram::rank_of(p, values.size()) - 1];
}

}  // namespace srs::tools::srs_bench
