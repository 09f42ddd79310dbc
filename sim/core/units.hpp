#pragma once
#include <optional>
#include <string>

#include "sim/core/types.hpp"

namespace aidcsim {
// "512GiB", "80 GB", "1.5TiB", "1024" (bytes) -> bytes; nullopt when unparsable.
std::optional<double> parse_size_bytes(const std::string& text);
// Shortest decimal text for a time or quantity, at most 6 decimals, no trailing zeros ("12.5", "3").
std::string format_number(double value);
void append_number(std::string& out, double value);  // same text, appended
}  // namespace aidcsim
