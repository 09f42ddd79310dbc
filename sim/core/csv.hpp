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
  // Strips "\r\n"; false at end. Throws InputErrors naming the file (and line) on a NUL byte, a line
  // longer than kMaxLineBytes, or a read error such as a truncated gzip stream.
  bool next(std::string& line);
  int line_number() const { return line_number_; }

  static constexpr std::size_t kMaxLineBytes = 16u << 20;

 private:
  bool fill();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool ok_ = false;
  int line_number_ = 0;
};

// Splits one CSV record (RFC 4180 quotes, no embedded newlines) into fields.
void split_csv(std::string_view line, std::vector<std::string>& fields);

// Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or nullopt for valid UTF-8.
std::optional<std::size_t> invalid_utf8_at(std::string_view text);

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

// Writing: appends `text` as one field, quoted (RFC 4180: inner quotes doubled) when it holds a
// comma, a quote or a line break, and as it is otherwise. One quoting rule for every CSV written.
void append_csv_field(std::string& out, std::string_view text);
std::string csv_quote(std::string_view text);  // the same, as a string

}  // namespace aidcsim
