#include "loadtest/bench_support/stats.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace disparo::bench {

Distribution distribution(std::vector<double> sample) {
  Distribution d;
  if (sample.empty()) return d;
  std::sort(sample.begin(), sample.end());
  auto rank = [&](double p) {
    const auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sample.size()))) - 1;
    return sample[std::min(index, sample.size() - 1)];
  };
  d.count = sample.size();
  d.min = sample.front();
  d.max = sample.back();
  d.p50 = rank(0.50);
  d.p90 = rank(0.90);
  d.p99 = rank(0.99);
  d.mean = std::accumulate(sample.begin(), sample.end(), 0.0) / static_cast<double>(sample.size());
  return d;
}

RateSeries rate_series(std::vector<std::int64_t> times_us, std::int64_t bucket_us) {
  RateSeries series;
  if (times_us.empty()) return series;
  std::sort(times_us.begin(), times_us.end());
  series.first_us = times_us.front();
  series.last_us = times_us.back();
  const auto buckets = static_cast<std::size_t>((series.last_us - series.first_us) / bucket_us) + 1;
  series.per_bucket.assign(buckets, 0);
  for (auto t : times_us) ++series.per_bucket[static_cast<std::size_t>((t - series.first_us) / bucket_us)];
  if (times_us.size() > 1 && series.last_us > series.first_us) {
    series.overall_per_s = static_cast<double>(times_us.size() - 1) * 1e6 /
                           static_cast<double>(series.last_us - series.first_us);
  }
  const std::size_t lo = times_us.size() / 10, hi = times_us.size() * 9 / 10;
  if (hi > lo && times_us[hi] > times_us[lo]) {
    series.steady_per_s = static_cast<double>(hi - lo) * 1e6 / static_cast<double>(times_us[hi] - times_us[lo]);
  }
  // The last bucket is partial: leave it out of the peak unless it is the only one.
  const std::size_t full = buckets > 1 ? buckets - 1 : 1;
  const auto peak = *std::max_element(series.per_bucket.begin(), series.per_bucket.begin() + static_cast<long>(full));
  series.peak_bucket_per_s = static_cast<double>(peak) * 1e6 / static_cast<double>(bucket_us);
  return series;
}

std::int64_t now_unix_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace disparo::bench
