#pragma once
// CSV values as the Python checkers read them (tests/scenarios/check_invariants.py and the files beside
// it), shared by the native rules: absent values, Python's float() and int(), their error texts.
#include <fmt/format.h>

#include <optional>
#include <string>

#include "sim/check/python_text.hpp"

namespace aidcsim::check {

using Text = std::optional<std::string>;  // a CSV value; nullopt is Python's None (absent)

struct UnreadableNumber {
  std::string message;  // Python's ValueError (or KeyError) text
};

// Python's float(text) for a present, non-empty value (nan and inf included); None or "" -> nullopt.
inline std::optional<double> python_number(const Text& text) {
  if (!text || text->empty()) return std::nullopt;
  auto value = python_float(*text);
  if (!value) throw UnreadableNumber{fmt::format("could not convert string to float: {}", python_repr(*text))};
  return value;
}

// Python's int(text or "").
inline long long integer(const Text& text) {
  std::string t = text.value_or("");
  auto value = python_int(t);
  if (!value) throw UnreadableNumber{fmt::format("invalid literal for int() with base 10: {}", python_repr(t))};
  return *value;
}

inline std::string repr(const Text& text) { return text ? python_repr(*text) : "None"; }
inline std::string str(const Text& text) { return text ? *text : "None"; }  // f"{value}"

}  // namespace aidcsim::check
