// Small statistics for benchmark reports: percentiles of a sample and the per-interval rate of
// a series of event times. Pure; any thread.
#pragma once

#include <cstdint>
#include <vector>

namespace disparo::bench {

struct Distribution {
  std::size_t count = 0;
  double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

// Nearest-rank percentiles; an empty sample gives all zeros. Sorts a copy.
Distribution distribution(std::vector<double> sample);

struct RateSeries {
  std::int64_t first_us = 0, last_us = 0;  // first and last event
  std::vector<std::int64_t> per_bucket;     // events in [first + i*bucket, first + (i+1)*bucket)
  double overall_per_s = 0;                 // (count - 1) / (last - first)
  double steady_per_s = 0;                  // between the 10th and the 90th percentile event
  double peak_bucket_per_s = 0;             // the busiest full bucket, as a rate
};

// `times_us` need not be sorted. Buckets of `bucket_us` microseconds.
RateSeries rate_series(std::vector<std::int64_t> times_us, std::int64_t bucket_us = 1'000'000);

std::int64_t now_unix_us();  // system clock, the clock of the sandbox's received_at_us
double steady_seconds();     // monotonic, for durations

}  // namespace disparo::bench
