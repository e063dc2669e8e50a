// Options: "--name value" command-line flags of the benchmark programs, with defaults, and the
// key=value summary file they write for loadtest/run-benchmarks. Main thread only.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace disparo::bench {

class Options {
 public:
  // Throws std::invalid_argument for a flag without value or an argument that is not a flag.
  Options(int argc, char** argv);

  std::string text(const std::string& name, const std::string& fallback) const;
  std::string required(const std::string& name) const;  // throws when absent
  std::int64_t integer(const std::string& name, std::int64_t fallback) const;
  bool flag(const std::string& name) const;  // "--name" given (value "1"/"true"/none)

 private:
  std::map<std::string, std::string> values_;
};

// Collects figures and prints them as "name=value" lines, to stdout and to a file when given.
class Summary {
 public:
  explicit Summary(std::string path) : path_(std::move(path)) {}
  void add(const std::string& name, double value, int decimals = 1);
  void add(const std::string& name, std::int64_t value);
  void add(const std::string& name, const std::string& value);
  void write() const;  // appends nothing: rewrites the file

 private:
  std::string path_;
  std::vector<std::pair<std::string, std::string>> lines_;
};

}  // namespace disparo::bench
