#pragma once
// Line-oriented CSV input (plain or gzip) with 1-based line numbers for error messages.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aidcsim {

class LineInput {
 public:
  explicit LineInput(const std::string& path);  // gzip when the file starts with the gzip magic
  ~LineInput();
  LineInput(const LineInput&) = delete;
  LineInput& operator=(const LineInput&) = delete;
  bool ok() const { return ok_; }
  bool next(std::string& line);  // strips "\r\n"; false at end
  int line_number() const { return line_number_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool ok_ = false;
  int line_number_ = 0;
};

// Splits one CSV record (RFC 4180 quotes, no embedded newlines) into fields.
void split_csv(std::string_view line, std::vector<std::string>& fields);

std::optional<double> parse_double(std::string_view text);
std::optional<long long> parse_integer(std::string_view text);

// Header -> column index, with "missing column" checks.
class CsvHeader {
 public:
  explicit CsvHeader(const std::vector<std::string>& names);
  int index(const std::string& name) const;  // -1 when absent
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

}  // namespace aidcsim
