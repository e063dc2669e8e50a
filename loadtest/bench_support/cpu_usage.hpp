// CpuUsage: CPU time of the processes in a benchmark (dispatcher, PostgreSQL with all its
// backends, sandbox, Redis, the load generator itself) and of the whole machine over a phase,
// from /proc, as percent of one core. The machine is shared: the whole-machine figure shows how
// much of the CPU went to processes outside the benchmark. Main thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loadtest/bench_support/options.hpp"

namespace disparo::bench {

struct Watched {
  std::string name;
  int pid = 0;
  bool with_children = false;  // PostgreSQL: the postmaster and every backend it forked
};

// "--watch dispatcher=123,postgres=456+,sandbox=789" ("+": with children); self is added.
std::vector<Watched> parse_watch(const std::string& spec);

class CpuUsage {
 public:
  explicit CpuUsage(std::vector<Watched> watched);
  void start();
  // Adds "<prefix>_cpu_<name>_pct" for each process, "<prefix>_cpu_machine_busy_pct" (of all
  // cores together, in cores*100) and "<prefix>_cpu_others_pct" (machine minus ours).
  void stop(Summary& summary, const std::string& prefix);

 private:
  struct Sample {
    std::vector<double> ticks;
    double machine_busy = 0;
    double seconds = 0;
  };
  Sample sample() const;
  std::vector<Watched> watched_;
  Sample begin_;
};

}  // namespace disparo::bench
