#include "sim/config/located_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "sim/core/errors.hpp"

namespace aidcsim {

std::string json_pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

int LocatedJson::line(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = line_of.find(p);
    if (it != line_of.end()) return it->second;
    if (p.empty()) return 0;
    p.erase(p.rfind('/'));
  }
}

namespace {
// A second, tiny pass over text that nlohmann already accepted: it only walks the structure to record
// where each value starts; nlohmann::json has no source positions of its own.
class LineScanner {
 public:
  LineScanner(const std::string& text, std::map<std::string, int>& out) : text_(text), out_(out) {}
  void run() {
    skip_ws();
    value("");
  }

 private:
  void skip_ws() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  std::string string_token() {
    std::string s;
    ++pos_;  // opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') {
        ++pos_;
        // Keys with escapes are rare in scenarios; keep the escaped char verbatim for the pointer.
      }
      if (pos_ < text_.size()) s += text_[pos_++];
    }
    ++pos_;
    return s;
  }
  void value(const std::string& pointer) {
    out_[pointer] = line_;
    if (pos_ >= text_.size()) return;
    char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      skip_ws();
      while (pos_ < text_.size() && text_[pos_] != '}') {
        std::string key = string_token();
        skip_ws();
        ++pos_;  // ':'
        skip_ws();
        value(pointer + "/" + json_pointer_escape(key));
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
        skip_ws();
      }
      ++pos_;
    } else if (c == '[') {
      ++pos_;
      skip_ws();
      int index = 0;
      while (pos_ < text_.size() && text_[pos_] != ']') {
        value(pointer + "/" + std::to_string(index++));
        skip_ws();
        if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
        skip_ws();
      }
      ++pos_;
    } else if (c == '"') {
      string_token();
    } else {
      while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
             text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']')
        ++pos_;
    }
  }
  const std::string& text_;
  std::map<std::string, int>& out_;
  std::size_t pos_ = 0;
  int line_ = 1;
};
}  // namespace

static int line_at(const std::string& text, std::size_t byte) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(byte, text.size())), '\n'));
}

// nlohmann's parser and the LineScanner above recurse once per level, and a document of 35,000 nested
// arrays overflowed the stack. No scenario or sweep comes near this depth, so deeper text is refused
// before it is parsed; the scan is linear and skips the contents of strings.
static void check_depth(const std::string& text, const std::string& file) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw InputErrors({{file, line_at(text, i), "",
                            fmt::format("invalid JSON: nested deeper than {} levels of arrays and objects", kMaxJsonDepth)}});
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

LocatedJson parse_located_json(const std::string& text, const std::string& file) {
  LocatedJson result;
  check_depth(text, file);
  try {
    result.value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    auto cut = what.find("parse error");
    throw InputErrors({{file, line_at(text, e.byte), "", "invalid JSON: " + (cut == std::string::npos ? what : what.substr(cut))}});
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double ("1e400"): nlohmann names the token but not its place, so the
    // token is looked up in the text.
    std::string what = e.what();
    auto open = what.find('\''), close = what.rfind('\'');
    std::string token = open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    std::size_t at = token.empty() ? std::string::npos : text.find(token);
    throw InputErrors({{file, at == std::string::npos ? 0 : line_at(text, at), "",
                        fmt::format("invalid JSON: the number {} is out of range; expected a number within "
                                    "+-1.7e308",
                                    token.empty() ? "" : token)}});
  }
  LineScanner(text, result.line_of).run();
  return result;
}

LocatedJson load_located_json(const std::string& path) {
  if (std::string why = input_file_problem(path); !why.empty() && why != "file not found")
    throw InputErrors({{path, 0, "", why}});  // a directory or /dev/zero would be read for ever
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputErrors({{path, 0, "", "cannot open file (does it exist and is it readable?)"}});
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_located_json(buffer.str(), path);
}

}  // namespace aidcsim
