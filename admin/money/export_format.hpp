// Table writers of the exports: CSV in the "Excel Brasil" profile (UTF-8 BOM, ';', decimal comma,
// dd/mm/yyyy, CRLF, RFC 4180 quoting, formula triggers neutralised) or the "machine" profile
// (no BOM, ',', '.', ISO 8601/RFC 3339 UTC), and XLSX through libxlsxwriter in constant-memory
// mode (rows written in order; numbers and dates as typed cells with US-form formats, which
// Excel renders in the reader's locale). Facts: ecosystem.md section 4.
//
// Values arrive as text in one canonical form per kind (see CellKind); times are converted to the
// tenant's zone for people. A writer is used by one thread (a worker thread: XLSX does file I/O).
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace date {
class time_zone;
}

namespace disparo::admin::money {

// Canonical text of each kind: text as is; integer "42"; money integer cents "12345";
// date "2026-11-22"; datetime RFC 3339 UTC "2026-11-22T21:00:00.000000Z"; boolean "t"/"f".
enum class CellKind { text, integer, money, date, datetime, boolean };

struct ExportColumn {
  std::string name;
  CellKind kind = CellKind::text;
};

using ExportRow = std::vector<std::optional<std::string>>;  // nullopt = empty cell

struct FileCloser {
  void operator()(std::FILE* f) const noexcept {
    if (f) std::fclose(f);
  }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual void header(const std::vector<ExportColumn>& columns) = 0;
  virtual Expected<void> row(const ExportRow& values) = 0;
  // The output written since the last take(), handed over (CSV). Streaming exports take it after
  // every page, so the writer never holds more than one page. XLSX: always empty (its output is a
  // file, complete only when finished).
  virtual std::string take() = 0;
  // Bytes of output the writer holds in memory now.
  virtual std::size_t buffered() const = 0;
  // Ends the table and returns the rest of the output (CSV: what take() would; XLSX: the whole
  // file, read back into memory: tests and small files only).
  virtual Expected<std::string> finish() = 0;
  // XLSX: ends the workbook and hands over the finished file, open for reading at its start and
  // already removed from its directory (it vanishes when closed, even if the process dies).
  // CSV: an error (its output is taken as text).
  virtual Expected<FileHandle> finish_file() { return make_error(ErrorKind::internal, "not a file writer"); }
};

enum class CsvProfile { excel_br, machine };

// `zone` may be null (UTC). The zone must outlive the writer.
std::unique_ptr<TableWriter> make_csv_writer(CsvProfile profile, const date::time_zone* zone);
// Writes to a temporary file under `tmpdir` (deleted by finish() or the destructor).
std::unique_ptr<TableWriter> make_xlsx_writer(std::string sheet_name, const date::time_zone* zone,
                                              std::string tmpdir);

// One CSV cell: quoted when it holds the separator, a quote, CR or LF; text starting with a
// formula trigger (= + - @ TAB CR) is prefixed with "'" when `neutralise` (CWE-1236).
std::string csv_cell(std::string_view text, char separator, bool neutralise);

// "2026-11-22T21:00:00Z" -> local broken-down time in `zone` (UTC when null); nullopt when
// the text is not RFC 3339 UTC.
struct LocalTime {
  int year, month, day, hour, minute, second;
};
std::optional<LocalTime> to_local(std::string_view rfc3339_utc, const date::time_zone* zone);

}  // namespace disparo::admin::money
