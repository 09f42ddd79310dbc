#pragma once
// CSV values as the Python checkers read them (tests/scenarios/check_invariants.py and the files beside
// it), shared by the native rules: absent values, Python's float() and int(), their error texts.
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

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

// A `;`-separated host list (jobs.csv hosts, migrations.csv, nodes.csv), empty entries dropped.
inline std::vector<std::string> split_hosts(const Text& text) {
  std::vector<std::string> hosts;
  if (!text) return hosts;
  std::size_t from = 0;
  while (from <= text->size()) {
    auto to = text->find(';', from);
    if (to == std::string::npos) to = text->size();
    if (to > from) hosts.push_back(text->substr(from, to - from));
    from = to + 1;
  }
  return hosts;
}

inline std::string repr(const Text& text) { return text ? python_repr(*text) : "None"; }
inline std::string str(const Text& text) { return text ? *text : "None"; }  // f"{value}"

}  // namespace aidcsim::check
