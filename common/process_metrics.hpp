// Process metrics for /metrics: CPU time, memory, open file descriptors and sockets, start time,
// read from /proc/self at scrape time (prometheus-cpp 1.0.1 exports none of them). Linux only.
//
// Returns them in the Prometheus text exposition format (0.0.4), to append to a service's own
// serialization: `TextSerializer{}.Serialize(registry->Collect()) + process_metrics_text()`.
// Names follow the standard process collector (process_cpu_seconds_total, ...) so existing
// dashboards work, plus disparo_process_open_sockets. A value that cannot be read is left out.
// Pure apart from reading /proc; any thread (a few small file reads, no disk I/O).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace disparo {

struct ProcessStats {
  std::optional<double> cpu_seconds;          // user + system
  std::optional<double> resident_bytes;
  std::optional<double> virtual_bytes;
  std::optional<double> start_time_seconds;   // Unix time
  std::optional<double> open_fds;
  std::optional<double> max_fds;
  std::optional<double> open_sockets;
};

// Reads the stats of the calling process.
ProcessStats read_process_stats();

// Parses the contents of /proc/<pid>/stat (the fields after the command name in parentheses);
// `ticks_per_second` is sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE), `boot_time` the
// btime line of /proc/stat. Fills cpu_seconds, resident_bytes, virtual_bytes, start_time_seconds.
void parse_proc_stat(std::string_view stat, double ticks_per_second, double page_size, double boot_time,
                     ProcessStats& stats);

// The exposition text of `stats` (only the values present).
std::string process_metrics_text(const ProcessStats& stats);
inline std::string process_metrics_text() { return process_metrics_text(read_process_stats()); }

}  // namespace disparo
