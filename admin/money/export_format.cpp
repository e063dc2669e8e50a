#include "admin/money/export_format.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <date/tz.h>
#include <xlsxwriter.h>

#include "admin/billing/money_format.hpp"

namespace disparo::admin::money {
namespace {

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string cents_dot(const std::string& cents_text) {
  auto comma = billing::decimal_comma(std::stoll(cents_text));
  comma[comma.find(',')] = '.';
  return comma;
}

class CsvWriter final : public TableWriter {
 public:
  CsvWriter(CsvProfile profile, const date::time_zone* zone)
      : excel_(profile == CsvProfile::excel_br), sep_(excel_ ? ';' : ','), zone_(zone) {
    if (excel_) out_ = "\xEF\xBB\xBF";  // UTF-8 BOM: Excel reads the file as UTF-8
  }

  void header(const std::vector<ExportColumn>& columns) override {
    columns_ = columns;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out_ += sep_;
      out_ += csv_cell(columns[i].name, sep_, true);
    }
    out_ += "\r\n";
  }

  Expected<void> row(const ExportRow& values) override {
    for (std::size_t i = 0; i < values.size() && i < columns_.size(); ++i) {
      if (i > 0) out_ += sep_;
      if (!values[i]) continue;
      out_ += cell(columns_[i].kind, *values[i]);
    }
    out_ += "\r\n";
    return {};
  }

  std::string take() override { return std::exchange(out_, std::string()); }
  std::size_t buffered() const override { return out_.size(); }
  Expected<std::string> finish() override { return take(); }

 private:
  std::string cell(CellKind kind, const std::string& v) const {
    switch (kind) {
      case CellKind::text: return csv_cell(v, sep_, true);
      case CellKind::integer: return v;
      case CellKind::money: return excel_ ? billing::decimal_comma(std::stoll(v)) : cents_dot(v);
      case CellKind::date: return excel_ ? billing::br_date(v) : v;
      case CellKind::boolean:
        if (excel_) return v == "t" ? "sim" : "não";
        return v == "t" ? "true" : "false";
      case CellKind::datetime: {
        if (!excel_) return csv_cell(v, sep_, false);
        auto local = to_local(v, zone_);
        if (!local) return csv_cell(v, sep_, true);
        return two(local->day) + "/" + two(local->month) + "/" + std::to_string(local->year) + " " +
               two(local->hour) + ":" + two(local->minute) + ":" + two(local->second);
      }
    }
    return v;
  }

  bool excel_;
  char sep_;
  const date::time_zone* zone_;
  std::vector<ExportColumn> columns_;
  std::string out_;
};

struct WorkbookDeleter {
  void operator()(lxw_workbook* wb) const noexcept {
    if (wb) workbook_close(wb);  // also frees it
  }
};
using WorkbookHandle = std::unique_ptr<lxw_workbook, WorkbookDeleter>;

class XlsxWriter final : public TableWriter {
 public:
  XlsxWriter(std::string sheet_name, const date::time_zone* zone, std::string tmpdir)
      : zone_(zone), tmpdir_(std::move(tmpdir)) {
    path_ = tmpdir_ + "/disparo-export-XXXXXX";
    int fd = mkstemp(path_.data());
    if (fd < 0) {
      failed_ = "cannot create a temporary file in " + tmpdir_;
      path_.clear();
      return;
    }
    ::close(fd);  // libxlsxwriter opens the path itself (1.1.4 cannot write to memory)
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = tmpdir_.data();
    workbook_.reset(workbook_new_opt(path_.c_str(), &options));
    if (!workbook_) {
      failed_ = "libxlsxwriter could not create the workbook";
      return;
    }
    sheet_ = workbook_add_worksheet(workbook_.get(), sheet_name.c_str());
    money_ = workbook_add_format(workbook_.get());
    format_set_num_format(money_, "#,##0.00");
    date_ = workbook_add_format(workbook_.get());
    format_set_num_format(date_, "dd/mm/yyyy");
    datetime_ = workbook_add_format(workbook_.get());
    format_set_num_format(datetime_, "dd/mm/yyyy hh:mm");
    bold_ = workbook_add_format(workbook_.get());
    format_set_bold(bold_);
    if (!sheet_) failed_ = "libxlsxwriter could not add the worksheet";
  }

  ~XlsxWriter() override {
    workbook_.reset();
    if (!path_.empty()) std::remove(path_.c_str());
  }

  void header(const std::vector<ExportColumn>& columns) override {
    columns_ = columns;
    if (!failed_.empty()) return;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      worksheet_write_string(sheet_, 0, static_cast<lxw_col_t>(i), columns[i].name.c_str(), bold_);
    }
  }

  Expected<void> row(const ExportRow& values) override {
    if (!failed_.empty()) return make_error(ErrorKind::internal, failed_);
    ++row_;
    if (row_ >= LXW_ROW_MAX) {
      return make_error(ErrorKind::invalid_argument,
                        "More rows than an XLSX worksheet holds (1,048,575); narrow the filters or export CSV.");
    }
    for (std::size_t i = 0; i < values.size() && i < columns_.size(); ++i) {
      if (!values[i]) continue;
      const auto col = static_cast<lxw_col_t>(i);
      const std::string& v = *values[i];
      lxw_error err = LXW_NO_ERROR;
      switch (columns_[i].kind) {
        case CellKind::text:
          // Phones, ids from elsewhere and names stay strings: leading zeros and "+55" survive.
          err = worksheet_write_string(sheet_, row_, col, v.c_str(), nullptr);
          break;
        case CellKind::integer:
          err = worksheet_write_number(sheet_, row_, col, std::strtod(v.c_str(), nullptr), nullptr);
          break;
        case CellKind::money:
          err = worksheet_write_number(sheet_, row_, col, static_cast<double>(std::stoll(v)) / 100.0, money_);
          break;
        case CellKind::boolean:
          err = worksheet_write_boolean(sheet_, row_, col, v == "t" ? 1 : 0, nullptr);
          break;
        case CellKind::date: {
          lxw_datetime dt{std::atoi(v.substr(0, 4).c_str()), std::atoi(v.substr(5, 2).c_str()),
                          std::atoi(v.substr(8, 2).c_str()), 0, 0, 0.0};
          err = worksheet_write_datetime(sheet_, row_, col, &dt, date_);
          break;
        }
        case CellKind::datetime: {
          // Excel has no time zones: write the tenant's local time (ecosystem.md 4.1).
          auto local = to_local(v, zone_);
          if (!local) {
            err = worksheet_write_string(sheet_, row_, col, v.c_str(), nullptr);
            break;
          }
          lxw_datetime dt{local->year, local->month, local->day, local->hour, local->minute,
                          static_cast<double>(local->second)};
          err = worksheet_write_datetime(sheet_, row_, col, &dt, datetime_);
          break;
        }
      }
      if (err != LXW_NO_ERROR) {
        return make_error(ErrorKind::invalid_argument,
                          "Cannot write a cell of column '" + columns_[i].name + "': " + lxw_strerror(err));
      }
    }
    return {};
  }

  // libxlsxwriter in constant-memory mode keeps one row in memory and writes the rest to files
  // under tmpdir_; nothing is buffered here.
  std::string take() override { return {}; }
  std::size_t buffered() const override { return 0; }

  Expected<FileHandle> finish_file() override {
    if (!failed_.empty()) return make_error(ErrorKind::internal, failed_);
    const lxw_error closed = workbook_close(workbook_.release());
    if (closed != LXW_NO_ERROR) {
      return make_error(ErrorKind::internal, std::string("libxlsxwriter: ") + lxw_strerror(closed));
    }
    FileHandle file(std::fopen(path_.c_str(), "rb"));
    std::remove(path_.c_str());  // the open handle keeps the data until it is closed
    path_.clear();
    if (!file) return make_error(ErrorKind::internal, "cannot read the workbook back");
    return file;
  }

  Expected<std::string> finish() override {
    auto file = finish_file();
    if (!file) return std::move(file).error();
    std::string bytes;
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, file->get())) > 0) bytes.append(buf, n);
    if (std::ferror(file->get())) return make_error(ErrorKind::internal, "cannot read the workbook back");
    return bytes;
  }

 private:
  const date::time_zone* zone_;
  std::string tmpdir_;
  std::string path_;
  std::string failed_;
  WorkbookHandle workbook_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_format* money_ = nullptr;
  lxw_format* date_ = nullptr;
  lxw_format* datetime_ = nullptr;
  lxw_format* bold_ = nullptr;
  std::vector<ExportColumn> columns_;
  lxw_row_t row_ = 0;
};

}  // namespace

std::string csv_cell(std::string_view text, char separator, bool neutralise) {
  std::string value;
  if (neutralise && !text.empty() &&
      (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r')) {
    value += '\'';
  }
  value += text;
  const bool quote = value.find_first_of(std::string{separator, '"', '\r', '\n'}) != std::string::npos;
  if (!quote) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::optional<LocalTime> to_local(std::string_view text, const date::time_zone* zone) {
  // "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" as disparo_rfc3339() writes it.
  auto num = [&](std::size_t from, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  const date::year_month_day ymd_in{date::year(y), date::month(static_cast<unsigned>(mo)),
                                    date::day(static_cast<unsigned>(d))};
  if (!ymd_in.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const date::sys_seconds utc = date::sys_days(ymd_in) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                                std::chrono::seconds(s);
  const date::local_seconds local = zone ? zone->to_local(utc) : date::local_seconds(utc.time_since_epoch());
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd(day);
  const date::hh_mm_ss<std::chrono::seconds> hms(local - day);
  return LocalTime{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(hms.hours().count()),
                   static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count())};
}

std::unique_ptr<TableWriter> make_csv_writer(CsvProfile profile, const date::time_zone* zone) {
  return std::make_unique<CsvWriter>(profile, zone);
}

std::unique_ptr<TableWriter> make_xlsx_writer(std::string sheet_name, const date::time_zone* zone, std::string tmpdir) {
  return std::make_unique<XlsxWriter>(std::move(sheet_name), zone, std::move(tmpdir));
}

}  // namespace disparo::admin::money
