// CSV cells and the table writers of the exports (admin/money/export_format.hpp).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <date/tz.h>

#include "admin/money/export_format.hpp"

namespace disparo::admin::money {
namespace {

// A minimal RFC 4180 reader of one line (no CR/LF inside cells in these tests' generators... they
// may contain them: quoted fields are read to their closing quote).
std::vector<std::string> read_csv_line(const std::string& line, char sep) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

TEST(CsvCell, QuotesAndNeutralises) {
  EXPECT_EQ(csv_cell("plain", ';', true), "plain");
  EXPECT_EQ(csv_cell("a;b", ';', true), "\"a;b\"");
  EXPECT_EQ(csv_cell("a,b", ';', true), "a,b");
  EXPECT_EQ(csv_cell("say \"hi\"", ';', true), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\r\nlines", ',', true), "\"two\r\nlines\"");
  EXPECT_EQ(csv_cell("=SUM(A1)", ';', true), "'=SUM(A1)");
  EXPECT_EQ(csv_cell("+5511987654321", ';', true), "'+5511987654321");
  EXPECT_EQ(csv_cell("-1", ';', true), "'-1");
  EXPECT_EQ(csv_cell("@cmd", ';', true), "'@cmd");
  EXPECT_EQ(csv_cell("\tx", ';', true), "'\tx");
  EXPECT_EQ(csv_cell("=x", ';', false), "=x");
}

TEST(CsvWriter, ExcelProfileConvertsEveryKind) {
  auto writer = make_csv_writer(CsvProfile::excel_br, date::locate_zone("America/Sao_Paulo"));
  writer->header({{"nome", CellKind::text}, {"valor", CellKind::money}, {"dia", CellKind::date},
                  {"quando", CellKind::datetime}, {"n", CellKind::integer}, {"bloqueado", CellKind::boolean}});
  ASSERT_TRUE(writer->row({"Ação", "-123456", "2026-01-05", "2026-01-05T01:02:03.000000Z", "7", "t"}).has_value());
  ASSERT_TRUE(writer->row({std::nullopt, "5", std::nullopt, std::nullopt, std::nullopt, "f"}).has_value());
  auto out = writer->finish();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "\xEF\xBB\xBFnome;valor;dia;quando;n;bloqueado\r\n"
                  "Ação;-1234,56;05/01/2026;04/01/2026 22:02:03;7;sim\r\n"
                  ";0,05;;;;não\r\n");
}

TEST(CsvWriter, MachineProfileKeepsIsoForms) {
  auto writer = make_csv_writer(CsvProfile::machine, nullptr);
  writer->header({{"v", CellKind::money}, {"d", CellKind::date}, {"t", CellKind::datetime}});
  ASSERT_TRUE(writer->row({"123456", "2026-01-05", "2026-01-05T01:02:03.000000Z"}).has_value());
  EXPECT_EQ(*writer->finish(), "v,d,t\r\n1234.56,2026-01-05,2026-01-05T01:02:03.000000Z\r\n");
}

// Streaming exports take the writer's output after every page: what it holds must never grow with
// the number of rows, only with one page, and the pieces must add up to the one-body output.
TEST(CsvWriter, TakeHandsOverEachPageAndHoldsNoMore) {
  const std::vector<ExportColumn> columns{{"id", CellKind::integer}, {"nome", CellKind::text}, {"valor", CellKind::money}};
  auto row_of = [](int i) { return ExportRow{std::to_string(i), "Cliente; nº " + std::to_string(i % 1000), "3500"}; };
  constexpr int kPages = 200, kPageRows = 500;  // 100,000 rows

  auto whole = make_csv_writer(CsvProfile::excel_br, nullptr);
  whole->header(columns);
  for (int i = 0; i < kPages * kPageRows; ++i) ASSERT_TRUE(whole->row(row_of(i)).has_value());
  const std::string expected = *whole->finish();

  auto streamed = make_csv_writer(CsvProfile::excel_br, nullptr);
  streamed->header(columns);
  std::string joined = streamed->take();
  EXPECT_EQ(joined, "\xEF\xBB\xBFid;nome;valor\r\n");  // BOM and header once, first
  EXPECT_EQ(streamed->buffered(), 0u);
  std::size_t largest = 0;
  for (int page = 0; page < kPages; ++page) {
    for (int r = 0; r < kPageRows; ++r) {
      ASSERT_TRUE(streamed->row(row_of(page * kPageRows + r)).has_value());
      largest = std::max(largest, streamed->buffered());
    }
    std::string piece = streamed->take();
    EXPECT_EQ(streamed->buffered(), 0u);
    EXPECT_LE(piece.size(), kPageRows * 40u);  // one page of ~30-byte rows
    joined += piece;
  }
  joined += *streamed->finish();
  EXPECT_LE(largest, kPageRows * 40u) << "the writer held more than one page";
  EXPECT_LT(largest * 100, expected.size());
  EXPECT_EQ(joined, expected);
}

TEST(LocalTime, UsesTheTimeZoneDatabase) {
  // São Paulo had daylight saving time in January 2018 (UTC-2), none since 2019 (UTC-3).
  auto sp = date::locate_zone("America/Sao_Paulo");
  EXPECT_EQ(to_local("2018-01-10T12:00:00Z", sp)->hour, 10);
  EXPECT_EQ(to_local("2026-01-10T12:00:00Z", sp)->hour, 9);
  EXPECT_EQ(to_local("2026-01-10T12:00:00Z", date::locate_zone("America/Manaus"))->hour, 8);
  EXPECT_FALSE(to_local("2026-01-10 12:00:00", sp).has_value());
  EXPECT_FALSE(to_local("2026-02-30T12:00:00Z", sp).has_value());
}

RC_GTEST_PROP(CsvCellProps, RoundTripsThroughAnRfc4180Reader, (std::vector<std::string> cells)) {
  RC_PRE(!cells.empty());
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ';';
    line += csv_cell(cells[i], ';', false);
  }
  RC_ASSERT(read_csv_line(line, ';') == cells);
}

RC_GTEST_PROP(CsvCellProps, NoCellStartsWithAFormulaTrigger, (std::string text)) {
  auto cell = csv_cell(text, ';', true);
  if (!cell.empty() && cell[0] == '"') cell = cell.substr(1);
  RC_ASSERT(cell.empty() || std::string("=+-@\t\r").find(cell[0]) == std::string::npos);
}

}  // namespace
}  // namespace disparo::admin::money
