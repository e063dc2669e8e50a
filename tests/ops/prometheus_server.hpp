// PrometheusServer: a real Prometheus (Debian's 2.42) for tests, in a temporary directory,
// scraping the given targets every second and evaluating the given rule files every second, on
// 127.0.0.1 and a free port. Queries go through its HTTP API. Test thread only; the destructor
// stops it and removes its directory.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace disparo::ops::test {

class PrometheusServer {
 public:
  // `jobs`: scrape job name -> port on 127.0.0.1. `rule_files` are copied as given (the caller
  // may rewrite them first). Throws std::runtime_error when prometheus is not installed or does
  // not become ready.
  PrometheusServer(const std::map<std::string, unsigned short>& jobs,
                   const std::vector<std::filesystem::path>& rule_files);
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  const std::filesystem::path& work_dir() const { return work_dir_; }
  unsigned short port() const { return port_; }
  std::string tail() const { return process_ ? process_->tail() : std::string(); }

  // GET on the HTTP API; returns the body, throws unless 200.
  std::string get(const std::string& target) const;
  // An instant query (/api/v1/query). `result_count` is the number of vector samples (1 for a
  // scalar); `error` is Prometheus' error text ("" when the query ran).
  struct QueryResult {
    std::size_t result_count = 0;
    std::string error;
    std::string body;
  };
  QueryResult query(const std::string& expr) const;

 private:
  std::filesystem::path work_dir_;
  unsigned short port_ = 0;
  std::unique_ptr<disparo::test::ChildProcess> process_;
};

// Percent-encodes a query-string value.
std::string url_encode(std::string_view text);

}  // namespace disparo::ops::test
