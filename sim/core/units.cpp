#include "sim/core/units.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace aidcsim {

std::optional<double> parse_size_bytes(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  double number = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(number) || number < 0) return std::nullopt;
  std::string unit(end);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.erase(0, 1);
  struct Suffix { const char* name; double factor; };
  static constexpr Suffix kSuffixes[] = {
      {"", 1},          {"B", 1},           {"kB", 1e3},          {"KB", 1e3},        {"MB", 1e6},
      {"GB", 1e9},      {"TB", 1e12},       {"KiB", 1024.0},      {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"TiB", 1099511627776.0}, {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}};
  for (const auto& s : kSuffixes)
    if (unit == s.name) return number * s.factor;
  return std::nullopt;
}

void append_number(std::string& out, double value) {
  if (std::isnan(value)) return;
  double scaled = std::round(value * 1e6);
  if (std::fabs(scaled) >= 9e15) {  // beyond exact integer micro-units
    out += fmt::format("{}", value);
    return;
  }
  // Integer arithmetic on micro-units: exact, and far cheaper than fixed-precision float formatting
  // (this runs for every number of every jobs.csv row).
  auto micro = static_cast<long long>(scaled);
  if (micro < 0) out += '-';
  unsigned long long magnitude = micro < 0 ? 0ULL - static_cast<unsigned long long>(micro) : micro;
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, magnitude / 1000000);
  out.append(buffer, end);
  unsigned long long fraction = magnitude % 1000000;
  if (fraction) {
    char digits[7] = {'.', '0', '0', '0', '0', '0', '0'};
    int len = 7;
    for (int i = 6; i >= 1; --i, fraction /= 10) digits[i] = static_cast<char>('0' + fraction % 10);
    while (digits[len - 1] == '0') --len;
    out.append(digits, len);
  }
}

std::string format_number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

}  // namespace aidcsim
