// LatencyHistogram: percentiles by nearest rank within the bucket precision,
// exact below 128 us, merge, and the exact nearest_rank() helper.
#include "tools/srs-bench/latency_histogram.hpp"

#include <doctest/doctest.h>

#include <random>

using srs::tools::srs_bench::LatencyHistogram;
using srs::tools::srs_bench::nearest_rank;

TEST_CASE("latency histogram: empty") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(50) == 0);
  CHECK(h.max() == 0);
}

TEST_CASE("latency histogram: exact for small values, nearest rank") {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.count() == 100);
  CHECK(h.percentile(50) == 50);
  CHECK(h.percentile(90) == 90);
  CHECK(h.percentile(99) == 99);
  CHECK(h.percentile(100) == 100);
  CHECK(h.percentile(0) == 1);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100);
  CHECK(h.mean() == doctest::Approx(50.5));
}

TEST_CASE("latency histogram: buckets cover every value once, in order") {
  for (uint64_t v = 0; v < 100000; v += 7) {
    size_t i = LatencyHistogram::index(v);
    CHECK(i < LatencyHistogram::kBuckets);
    CHECK(LatencyHistogram::lower(i) <= v);
    CHECK(LatencyHistogram::lower(i + 1) > v);
  }
  CHECK(LatencyHistogram::index(LatencyHistogram::kMaxUs) < LatencyHistogram::kBuckets);
}

TEST_CASE("latency histogram: percentiles within 1.6% of the exact ones") {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> dist(9.0, 1.5);  // a long tail around 8 ms
  LatencyHistogram h;
  std::vector<double> exact;
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<int64_t>(dist(rng));
    h.record(v);
    exact.push_back(static_cast<double>(v));
  }
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    double want = nearest_rank(exact, p);
    CHECK(static_cast<double>(h.percentile(p)) == doctest::Approx(want).epsilon(0.016));
  }
  CHECK(h.max() == static_cast<uint64_t>(exact.back()));
}

TEST_CASE("latency histogram: negative and huge values are clamped, merge adds") {
  LatencyHistogram a, b;
  a.record(-5);
  b.record(int64_t{1} << 50);
  a.merge(b);
  CHECK(a.count() == 2);
  CHECK(a.min() == 0);
  CHECK(a.max() == LatencyHistogram::kMaxUs);
  CHECK(a.percentile(50) == 0);
}

TEST_CASE("nearest_rank: the textbook definition") {
  std::vector<double> v = {15, 20, 35, 40, 50};
  CHECK(nearest_rank(v, 5) == 15);
  CHECK(nearest_rank(v, 30) == 20);
  CHECK(nearest_rank(v, 40) == 20);
  CHECK(nearest_rank(v, 50) == 35);
  CHECK(nearest_rank(v, 100) == 50);
  std::vector<double> empty;
  CHECK(nearest_rank(empty, 50) == 0);
}
