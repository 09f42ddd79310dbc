#include "models/traces/k8s_quantity.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

namespace aidcsim::k8s {
namespace {

// Powers of ten up to 10^22 are exact doubles.
double power_of_ten(int n) {
  static constexpr std::array<double, 23> exact{1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  return n < static_cast<int>(exact.size()) ? exact[static_cast<std::size_t>(n)] : std::pow(10.0, n);
}

struct Suffix {
  std::string_view text;
  int radix, exponent;
};
constexpr std::array<Suffix, 16> kSuffixes{{{"Ki", 2, 10},
                                            {"Mi", 2, 20},
                                            {"Gi", 2, 30},
                                            {"Ti", 2, 40},
                                            {"Pi", 2, 50},
                                            {"Ei", 2, 60},
                                            {"n", 10, -9},
                                            {"u", 10, -6},
                                            {"m", 10, -3},
                                            {"", 10, 0},
                                            {"k", 10, 3},
                                            {"M", 10, 6},
                                            {"G", 10, 9},
                                            {"T", 10, 12},
                                            {"P", 10, 15},
                                            {"E", 10, 18}}};

}  // namespace

std::optional<Quantity> parse_quantity(std::string_view text) {
  // The number: [+-] digits [. digits], at least one digit (as Kubernetes' parser accepts).
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t digits = 0, dots = 0;
  std::size_t end = i;
  for (; end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.'); ++end)
    (text[end] == '.' ? dots : digits) += 1;
  if (digits == 0 || dots > 1) return std::nullopt;
  std::string number(text.substr(text[0] == '+' ? 1 : 0, end - (text[0] == '+' ? 1 : 0)));
  Quantity q;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), q.mantissa);
  if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
  const std::string_view suffix = text.substr(end);
  // A decimal exponent: e or E, then a signed integer ("1E" alone is exa, a suffix).
  if (suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view digits_part = suffix.substr(suffix[1] == '+' ? 2 : 1);
    int exponent = 0;
    auto [p, e] = std::from_chars(digits_part.data(), digits_part.data() + digits_part.size(), exponent);
    if (e != std::errc() || p != digits_part.data() + digits_part.size() || digits_part.empty() ||
        exponent < -300 || exponent > 300)
      return std::nullopt;
    q.exponent = exponent;
    return q;
  }
  for (const Suffix& s : kSuffixes)
    if (s.text == suffix) {
      q.radix = s.radix;
      q.exponent = s.exponent;
      return q;
    }
  return std::nullopt;
}

double in_units(const Quantity& q) {
  if (q.radix == 2) return std::ldexp(q.mantissa, q.exponent);
  return q.exponent >= 0 ? q.mantissa * power_of_ten(q.exponent) : q.mantissa / power_of_ten(-q.exponent);
}

double in_gib(const Quantity& q) {
  if (q.radix == 2) return std::ldexp(q.mantissa, q.exponent - 30);
  return std::ldexp(in_units(q), -30);
}

}  // namespace aidcsim::k8s
