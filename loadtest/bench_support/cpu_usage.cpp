#include "loadtest/bench_support/cpu_usage.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "loadtest/bench_support/stats.hpp"

namespace disparo::bench {
namespace {

struct ProcStat {
  int ppid = 0;
  double own = 0;       // utime + stime
  double children = 0;  // cutime + cstime: children already reaped (exited backends)
};

bool read_stat(int pid, ProcStat& out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return false;
  const auto close = text.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return false;
  std::istringstream fields(text.substr(close + 2));
  std::string state;
  long long v[15] = {};
  fields >> state;
  for (auto& x : v) fields >> x;  // ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  out.ppid = static_cast<int>(v[0]);
  out.own = static_cast<double>(v[10] + v[11]);
  out.children = static_cast<double>(v[12] + v[13]);
  return true;
}

double ticks_of(const Watched& w) {
  ProcStat stat;
  if (!read_stat(w.pid, stat)) return 0;
  double total = stat.own;
  if (!w.with_children) return total;
  total += stat.children;
  if (DIR* dir = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(dir)) {
      const int pid = std::atoi(entry->d_name);
      ProcStat child;
      if (pid > 0 && read_stat(pid, child) && child.ppid == w.pid) total += child.own;
    }
    ::closedir(dir);
  }
  return total;
}

double machine_busy_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  return static_cast<double>(user + nice + system + irq + softirq + steal);
}

}  // namespace

std::vector<Watched> parse_watch(const std::string& spec) {
  std::vector<Watched> out;
  std::istringstream items(spec);
  std::string item;
  while (std::getline(items, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    Watched w;
    w.name = item.substr(0, eq);
    std::string pid = item.substr(eq + 1);
    if (!pid.empty() && pid.back() == '+') {
      w.with_children = true;
      pid.pop_back();
    }
    w.pid = std::atoi(pid.c_str());
    if (w.pid > 0) out.push_back(w);
  }
  out.push_back({"loadgen", static_cast<int>(::getpid()), false});
  return out;
}

CpuUsage::CpuUsage(std::vector<Watched> watched) : watched_(std::move(watched)) {}

CpuUsage::Sample CpuUsage::sample() const {
  Sample s;
  for (const auto& w : watched_) s.ticks.push_back(ticks_of(w));
  s.machine_busy = machine_busy_ticks();
  s.seconds = steady_seconds();
  return s;
}

void CpuUsage::start() { begin_ = sample(); }

void CpuUsage::stop(Summary& summary, const std::string& prefix) {
  const Sample end = sample();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double seconds = end.seconds - begin_.seconds;
  if (seconds <= 0) return;
  double ours = 0;
  std::string line = "  CPU (% of one core):";
  for (std::size_t i = 0; i < watched_.size(); ++i) {
    const double pct = (end.ticks[i] - begin_.ticks[i]) / hz / seconds * 100.0;
    ours += pct;
    summary.add(prefix + "_cpu_" + watched_[i].name + "_pct", pct, 0);
    char part[64];
    std::snprintf(part, sizeof part, " %s %.0f", watched_[i].name.c_str(), pct);
    line += part;
  }
  const double machine = (end.machine_busy - begin_.machine_busy) / hz / seconds * 100.0;
  summary.add(prefix + "_cpu_machine_busy_pct", machine, 0);
  summary.add(prefix + "_cpu_others_pct", machine > ours ? machine - ours : 0.0, 0);
  std::printf("%s | machine %.0f of %ld00\n", line.c_str(), machine, ::sysconf(_SC_NPROCESSORS_ONLN));
}

}  // namespace disparo::bench
