#include <fmt/format.h>

#include "models/traces/readers.hpp"

namespace aidcsim {

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
