#include "sim/check/python_text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>

namespace aidcsim::check {

static std::string_view strip(std::string_view t) {
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

// Python allows one underscore between two digits ("1_000"); anything else with an underscore fails.
static std::optional<std::string> without_underscores(std::string_view t) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '_') {
      out += t[i];
      continue;
    }
    bool between_digits = i > 0 && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i - 1])) &&
                          std::isdigit(static_cast<unsigned char>(t[i + 1]));
    if (!between_digits) return std::nullopt;
  }
  return out;
}

// What float() and int() both accept first: spaces around, '_' between digits, one sign. `digits` gets
// the rest (not empty); false when nothing is left.
static bool unsigned_part(std::string_view text, std::string& digits, bool& negative) {
  auto cleaned = without_underscores(strip(text));
  if (!cleaned || cleaned->empty()) return false;
  negative = cleaned->front() == '-';
  if (cleaned->front() == '+' || cleaned->front() == '-') cleaned->erase(0, 1);
  digits = std::move(*cleaned);
  return !digits.empty();
}

std::optional<double> python_float(std::string_view text) {
  std::string digits;
  bool negative = false;
  if (!unsigned_part(text, digits, negative)) return std::nullopt;
  std::string_view t = digits;
  if (t.empty() || t.front() == '+' || t.front() == '-') return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ptr != t.data() + t.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Python rounds an overflow to inf and an underflow to 0; from_chars reports both.
    auto exponent = t.find_first_of("eE");
    bool tiny = exponent != std::string_view::npos && t.substr(exponent + 1).starts_with('-');
    value = tiny ? 0.0 : HUGE_VAL;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::optional<long long> python_int(std::string_view text) {
  std::string digits;
  bool negative = false;
  if (!unsigned_part(text, digits, negative)) return std::nullopt;
  std::string_view t = digits;
  if (t.empty() || !std::isdigit(static_cast<unsigned char>(t.front()))) return std::nullopt;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;  // (Python has no overflow)
  return negative ? -value : value;
}

std::string python_str(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::string text = fmt::format("{}", value);  // shortest round trip, like repr()
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string python_g(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{:g}", value);
}

std::string python_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;  // printable ASCII and UTF-8 bytes pass through, as Python 3 prints them
    }
  }
  out += quote;
  return out;
}

}  // namespace aidcsim::check
