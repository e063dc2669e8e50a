// Reading figures back out of a Prometheus text exposition (format 0.0.4), for the tools and
// tests that scrape our own /metrics: the benchmarks and the end-to-end tests. Pure.
#pragma once

#include <string_view>

namespace disparo {

// Sum of the samples of metric `name` (a family name with or without its suffix, e.g.
// disparo_sent_total or disparo_provider_request_duration_seconds_count) whose label set
// contains `labels` (e.g. route="/metrics") when given; -1 when no sample matches. Comment
// lines, other families sharing a prefix of the name and unparsable values are skipped.
double metric_sum(std::string_view exposition, std::string_view name, std::string_view labels = {});

}  // namespace disparo
