#include <fmt/format.h>

#include "models/traces/readers.hpp"

namespace aidcsim {

RowReader::RowReader(const std::string& path_, int line_, const CsvHeader& header_,
                     const std::vector<std::string>& fields_, ProblemList& problems_)
    : path(path_), line(line_), header(header_), fields(fields_), problems(problems_) {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (auto bad = invalid_utf8_at(fields[i]))
      fail(static_cast<int>(i), fmt::format("byte {} (0x{:02X}) is not valid UTF-8; expected UTF-8 text",
                                             *bad + 1, static_cast<unsigned char>(fields[i][*bad])));
}

void RowReader::fail(int column, const std::string& what) {
  std::string where = column >= 0 && column < static_cast<int>(header.names().size()) ? header.names()[column] : "";
  problems.add(path, line, where, what);
  ok = false;
}

bool RowReader::fields_match_header(bool allow_extra) {
  std::size_t expected = header.names().size();
  if (fields.size() == expected || (allow_extra && fields.size() > expected)) return true;
  problems.add(path, line, "", fmt::format("row has {} fields, expected {} as in the header", fields.size(), expected));
  ok = false;
  return false;
}

void for_each_row(LineInput& in, const std::string& path, const CsvHeader& header, ProblemList& problems,
                  FieldCount count, const std::function<void(RowReader&)>& row) {
  std::string line;
  std::vector<std::string> fields;
  while (in.next(line)) {
    if (line.empty()) continue;
    split_csv(line, fields);
    RowReader reader{path, in.line_number(), header, fields, problems};
    if (count == FieldCount::unchecked || reader.fields_match_header(count == FieldCount::at_least_header)) row(reader);
  }
}

std::string RowReader::text(int column) const {
  if (column < 0 || column >= static_cast<int>(fields.size())) return "";
  return fields[column];
}

double RowReader::number(int column, double fallback, double min, bool strictly_above_min, const char* expected,
                         bool required) {
  if (column < 0) return fallback;
  if (column >= static_cast<int>(fields.size())) {
    fail(column, fmt::format("row has {} fields, the header has {}", fields.size(), header.names().size()));
    return fallback;
  }
  if (fields[column].empty()) {
    if (required) fail(column, fmt::format("empty value; expected {}", expected));
    return fallback;
  }
  auto v = parse_double(fields[column]);
  if (!v || *v < min || (strictly_above_min && *v == min)) {
    fail(column, fmt::format("found \"{}\", expected {}", fields[column], expected));
    return fallback;
  }
  return *v;
}

double RowReader::seconds(int column, double fallback, bool strictly_above_zero, bool required) {
  const char* expected = strictly_above_zero ? "a number > 0 and <= 1e9 (seconds)" : "a number >= 0 and <= 1e9 (seconds)";
  double value = number(column, fallback, 0, strictly_above_zero, expected, required);
  if (value > kMaxTime_s) {
    fail(column, fmt::format("found \"{}\", expected {}: {} s is more than 31 years", fields[column], expected,
                             fields[column]));
    return fallback;
  }
  return value;
}

long long RowReader::integer(int column, long long fallback, long long min, long long max, const char* expected,
                            bool required) {
  if (column < 0) return fallback;
  if (column >= static_cast<int>(fields.size())) {
    fail(column, fmt::format("row has {} fields, the header has {}", fields.size(), header.names().size()));
    return fallback;
  }
  if (fields[column].empty()) {
    if (required) fail(column, fmt::format("empty value; expected {}", expected));
    return fallback;
  }
  auto v = parse_integer(fields[column]);
  if (!v || *v < min || *v > max) {
    fail(column, fmt::format("found \"{}\", expected {}", fields[column], expected));
    return fallback;
  }
  return *v;
}

std::vector<std::string> split_models(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto bar = text.find('|', start);
    std::string part = text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!part.empty()) out.push_back(part);
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace aidcsim
