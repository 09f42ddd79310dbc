#include "sim/core/csv.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "sim/core/errors.hpp"

namespace aidcsim {

// gzread also reads uncompressed files transparently, so one code path serves both. Lines are cut from
// raw gzread chunks (not gzgets, which stops at a NUL byte and silently glued such a line to the next).
struct LineInput::Impl {
  gzFile file = nullptr;
  std::string path;
  std::vector<char> buffer = std::vector<char>(1 << 16);
  std::size_t begin = 0, end = 0;  // unread bytes of buffer
  bool at_eof = false;
};

LineInput::LineInput(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->file = gzopen(path.c_str(), "rb");
  ok_ = impl_->file != nullptr;
  if (ok_) gzbuffer(impl_->file, 1 << 17);
}

LineInput::~LineInput() {
  if (impl_->file) gzclose(impl_->file);
}

[[noreturn]] static void input_error(const std::string& path, int line, const std::string& what) {
  throw InputErrors({{path, line, "", what}});
}

bool LineInput::fill() {
  Impl& in = *impl_;
  if (in.at_eof) return false;
  int got = gzread(in.file, in.buffer.data(), static_cast<unsigned>(in.buffer.size()));
  int code = Z_OK;
  const char* message = got <= 0 ? gzerror(in.file, &code) : nullptr;
  // A truncated gzip stream reads like an end of file (0) with Z_BUF_ERROR set; corrupt data gives -1.
  if (got < 0 || code != Z_OK) {
    std::string what = message ? message : "read error";
    if (what.rfind(in.path + ": ", 0) == 0) what.erase(0, in.path.size() + 2);  // zlib prefixes the path
    input_error(in.path, 0,
                fmt::format("cannot read the file after line {}: {} (a truncated or corrupted gzip file?)",
                            line_number_, what));
  }
  in.begin = 0;
  in.end = static_cast<std::size_t>(got);
  if (got == 0) in.at_eof = true;
  return got > 0;
}

bool LineInput::next(std::string& line) {
  line.clear();
  if (!ok_) return false;
  Impl& in = *impl_;
  bool any = false;
  while (true) {
    if (in.begin == in.end && !fill()) break;
    any = true;
    const char* start = in.buffer.data() + in.begin;
    std::size_t available = in.end - in.begin;
    const void* newline = std::memchr(start, '\n', available);
    std::size_t take = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - start) : available;
    if (const void* nul = std::memchr(start, '\0', take))
      input_error(in.path, line_number_ + 1,
                  fmt::format("found a NUL byte at byte {} of the line; expected text (a binary or corrupted file?)",
                              line.size() + static_cast<std::size_t>(static_cast<const char*>(nul) - start) + 1));
    line.append(start, take);
    if (line.size() > kMaxLineBytes)
      input_error(in.path, line_number_ + 1,
                  fmt::format("line longer than {} bytes; expected one CSV record per line", kMaxLineBytes));
    in.begin += take;
    if (newline) {
      ++in.begin;
      break;
    }
  }
  if (!any) return false;
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

std::optional<std::size_t> invalid_utf8_at(std::string_view text) {
  const auto* b = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = b[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c == 0xE0) length = 3, low = 0xA0;
    else if (c == 0xED) length = 3, high = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) length = 3;
    else if (c == 0xF0) length = 4, low = 0x90;
    else if (c == 0xF4) length = 4, high = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) length = 4;
    else return i;
    if (i + length > n || b[i + 1] < low || b[i + 1] > high) return i;
    for (std::size_t k = 2; k < length; ++k)
      if (b[i + k] < 0x80 || b[i + k] > 0xBF) return i;
    i += length;
  }
  return std::nullopt;
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

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_quote(std::string_view text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

}  // namespace aidcsim
