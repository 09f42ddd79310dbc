#pragma once
// JSON with the line of every value, so validation messages can say FILE:LINE: /json/path.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace aidcsim {

struct LocatedJson {
  nlohmann::json value;
  std::map<std::string, int> line_of;  // JSON pointer ("" = root) -> 1-based line where it starts
  // Line of the pointer, or of its nearest ancestor that has one.
  int line(const std::string& pointer) const;
};

// Scenario and sweep files nest a few levels; deeper text is an input error (see check_depth).
inline constexpr int kMaxJsonDepth = 100;

// Throws InputErrors (file, line, what) on a syntax error, a number out of range or too deep nesting.
LocatedJson parse_located_json(const std::string& text, const std::string& file);
LocatedJson load_located_json(const std::string& path);

std::string json_pointer_escape(const std::string& key);

}  // namespace aidcsim
