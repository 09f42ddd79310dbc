#pragma once
// Numbers read and printed the way tests/scenarios/check_invariants.py reads and prints them, so the
// native `aidcsim check` and the Python checker give the same verdicts and the same messages.
#include <optional>
#include <string>
#include <string_view>

namespace aidcsim::check {

// Python's float(text): surrounding blanks, a sign, "inf"/"nan" accepted (the caller rejects them).
// nullopt when float() would raise.
std::optional<double> python_float(std::string_view text);
// Python's int(text): surrounding blanks, a sign, digits (and single underscores between them).
std::optional<long long> python_int(std::string_view text);

std::string python_str(double value);         // str(5.0) == "5.0"
std::string python_g(double value);           // f"{value:g}"
std::string python_repr(std::string_view s);  // repr("a") == "'a'"

}  // namespace aidcsim::check
