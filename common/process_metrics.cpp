#include "common/process_metrics.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace disparo {
namespace {

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<double> boot_time() {
  std::istringstream in(read_small_file("/proc/stat"));
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

void append(std::string& out, const char* name, const char* type, const char* help,
            const std::optional<double>& value) {
  if (!value) return;
  char number[64];
  std::snprintf(number, sizeof number, "%.17g", *value);
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         number + "\n";
}

}  // namespace

void parse_proc_stat(std::string_view stat, double ticks_per_second, double page_size, double boot_time,
                     ProcessStats& stats) {
  // The command name may contain spaces and parentheses: the fields start after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return;
  std::istringstream in{std::string(stat.substr(close + 1))};
  std::vector<std::string> fields;  // fields[0] is field 3 of proc(5), "state"
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() < 22) return;
  try {
    const double utime = std::stod(fields[11]);      // field 14
    const double stime = std::stod(fields[12]);      // field 15
    const double start = std::stod(fields[19]);      // field 22, ticks after boot
    stats.cpu_seconds = (utime + stime) / ticks_per_second;
    stats.start_time_seconds = boot_time + start / ticks_per_second;
    stats.virtual_bytes = std::stod(fields[20]);                 // field 23, bytes
    stats.resident_bytes = std::stod(fields[21]) * page_size;    // field 24, pages
  } catch (const std::exception&) {
    // malformed: leave the values out
  }
}

ProcessStats read_process_stats() {
  ProcessStats stats;
  if (const auto btime = boot_time()) {
    parse_proc_stat(read_small_file("/proc/self/stat"), static_cast<double>(::sysconf(_SC_CLK_TCK)),
                    static_cast<double>(::sysconf(_SC_PAGESIZE)), *btime, stats);
  }
  std::error_code error;
  double fds = 0;
  double sockets = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++fds;
    const auto target = std::filesystem::read_symlink(it->path(), error);
    if (!error && target.native().starts_with("socket:")) ++sockets;
    error.clear();
  }
  if (fds > 0) {
    stats.open_fds = fds;
    stats.open_sockets = sockets;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    stats.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return stats;
}

std::string process_metrics_text(const ProcessStats& stats) {
  std::string out;
  append(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
         stats.cpu_seconds);
  append(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", stats.resident_bytes);
  append(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", stats.virtual_bytes);
  append(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
         stats.start_time_seconds);
  append(out, "process_open_fds", "gauge", "Number of open file descriptors.", stats.open_fds);
  append(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", stats.max_fds);
  append(out, "disparo_process_open_sockets", "gauge",
         "Open file descriptors that are sockets (clients, PostgreSQL, Redis, providers).", stats.open_sockets);
  return out;
}

}  // namespace disparo
