#include "sim/core/csv.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace aidcsim {

// gzread also reads uncompressed files transparently, so one code path serves both.
struct LineInput::Impl {
  gzFile file = nullptr;
  std::vector<char> buffer = std::vector<char>(1 << 16);
};

LineInput::LineInput(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->file = gzopen(path.c_str(), "rb");
  ok_ = impl_->file != nullptr;
  if (ok_) gzbuffer(impl_->file, 1 << 17);
}

LineInput::~LineInput() {
  if (impl_->file) gzclose(impl_->file);
}

bool LineInput::next(std::string& line) {
  line.clear();
  if (!ok_) return false;
  while (true) {
    char* got = gzgets(impl_->file, impl_->buffer.data(), static_cast<int>(impl_->buffer.size()));
    if (!got) {
      if (line.empty()) return false;
      break;
    }
    line += got;
    if (!line.empty() && line.back() == '\n') break;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  ++line_number_;
  return true;
}

void split_csv(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
}

static std::string_view trim(std::string_view t) {
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<long long> parse_integer(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  // "4.0" is an integer written as a float (pandas writes them so); anything else is not.
  auto d = parse_double(text);
  if (d && std::floor(*d) == *d && std::fabs(*d) < 9e15) return static_cast<long long>(*d);
  return std::nullopt;
}

CsvHeader::CsvHeader(const std::vector<std::string>& names) : names_(names) {
  for (auto& n : names_) n = std::string(trim(n));
}

int CsvHeader::index(const std::string& name) const {
  auto it = std::find(names_.begin(), names_.end(), name);
  return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
}

}  // namespace aidcsim
