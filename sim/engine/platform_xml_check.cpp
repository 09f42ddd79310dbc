#include "sim/engine/platform_xml_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim {

namespace {

// One start or end tag of the XML text. A small tolerant scanner, not a parser: a malformed file is
// left for SimGrid's own parser to report with its line.
struct Tag {
  std::string name;
  std::map<std::string, std::string> attributes;
  int line = 1;
  bool closing = false;       // </name>
  bool self_closing = false;  // <name .../>
  std::string attribute(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
};

class TagScanner {
 public:
  explicit TagScanner(const std::string& text) : text_(text) {}

  bool next(Tag& tag) {
    while (pos_ < text_.size()) {
      std::size_t open = text_.find('<', pos_);
      if (open == std::string::npos) return false;
      advance_to(open);
      if (skip_special("<!--", "-->") || skip_special("<![CDATA[", "]]>") || skip_special("<?", "?>") ||
          skip_special("<!", ">"))
        continue;
      return read_tag(tag);
    }
    return false;
  }

 private:
  void advance_to(std::size_t to) {
    line_ += static_cast<int>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                         text_.begin() + static_cast<std::ptrdiff_t>(std::min(to, text_.size())), '\n'));
    pos_ = std::min(to, text_.size());
  }
  bool skip_special(const char* start, const char* end) {
    if (text_.compare(pos_, std::char_traits<char>::length(start), start) != 0) return false;
    std::size_t close = text_.find(end, pos_);
    advance_to(close == std::string::npos ? text_.size() : close + std::char_traits<char>::length(end));
    return true;
  }
  bool is_name_char(char c) const {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ':' || c == '.';
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  std::string name() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  bool read_tag(Tag& tag) {
    tag = Tag{};
    tag.line = line_;
    ++pos_;  // '<'
    if (pos_ < text_.size() && text_[pos_] == '/') {
      tag.closing = true;
      ++pos_;
    }
    tag.name = name();
    while (pos_ < text_.size()) {
      skip_space();
      if (pos_ >= text_.size()) break;
      char c = text_[pos_];
      if (c == '>') {
        ++pos_;
        break;
      }
      if (c == '/') {
        tag.self_closing = true;
        ++pos_;
        continue;
      }
      std::string key = name();
      if (key.empty()) {  // not well-formed: skip a character, SimGrid will say what is wrong
        ++pos_;
        continue;
      }
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '=') continue;
      ++pos_;
      skip_space();
      if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) continue;
      std::size_t end = text_.find(text_[pos_], pos_ + 1);
      if (end == std::string::npos) end = text_.size();
      std::string value = text_.substr(pos_ + 1, end - pos_ - 1);
      advance_to(std::min(end + 1, text_.size()));
      tag.attributes[key] = std::move(value);
    }
    return true;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

bool same_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

const std::vector<std::string> kRoutings = {"Cluster", "Dijkstra", "DijkstraCache", "Floyd",
                                            "Full",    "None",     "Vivaldi",       "Wifi"};

struct OpenZone {
  std::string id;
  bool routing_none = false;
};

}  // namespace

void check_platform_xml(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ProblemList problems;
  // Ids SimGrid keeps in one namespace each: a second one is a fatal error there.
  std::map<std::string, std::map<std::string, int>> first_line_of_id;  // element kind -> id -> line
  std::vector<OpenZone> zones;
  TagScanner scanner(text);
  Tag tag;
  while (scanner.next(tag)) {
    const bool zone = tag.name == "zone" || tag.name == "AS";
    if (tag.closing) {
      if (zone && !zones.empty()) zones.pop_back();
      continue;
    }
    const std::string id = tag.attribute("id");
    if (tag.attributes.count("routing")) {
      const std::string value = tag.attribute("routing");
      if (!std::any_of(kRoutings.begin(), kRoutings.end(), [&](const std::string& k) { return same_ignoring_case(k, value); })) {
        std::string hint = closest_name(value, kRoutings);
        problems.add(file, tag.line, "routing",
                     fmt::format("zone routing \"{}\" is not one SimGrid 3.32 knows; expected one of: {}{}", value,
                                 join_names(kRoutings), hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint)));
      }
    }
    if (zone && !tag.self_closing) zones.push_back({id, same_ignoring_case(tag.attribute("routing"), "None")});
    if ((tag.name == "host" || tag.name == "link" || zone) && !id.empty()) {
      const std::string kind = zone ? "zone" : tag.name;
      auto [it, inserted] = first_line_of_id[kind].try_emplace(id, tag.line);
      if (!inserted)
        problems.add(file, tag.line, id,
                     fmt::format("a second <{}> with id \"{}\" (the first is on line {}); expected unique {} ids", tag.name,
                                 id, it->second, kind));
    }
    if (tag.name == "host" && tag.attributes.count("core")) {
      auto cores = parse_integer(tag.attribute("core"));
      if (!cores || *cores < 1 || *cores > (1 << 20))
        problems.add(file, tag.line, id.empty() ? "host" : id,
                     fmt::format("core is \"{}\"; expected a whole number of cores >= 1", tag.attribute("core")));
    }
    const bool route = tag.name == "route" || tag.name == "zoneRoute" || tag.name == "ASroute" ||
                       tag.name == "bypassRoute" || tag.name == "bypassZoneRoute" || tag.name == "bypassASroute";
    if (route && !zones.empty() && zones.back().routing_none)
      problems.add(file, tag.line, zones.back().id.empty() ? tag.name : zones.back().id,
                   fmt::format("<{}> from \"{}\" to \"{}\" in a zone of routing \"None\", which has no routes; expected "
                               "routing \"Full\" (or another) for this zone",
                               tag.name, tag.attribute("src"), tag.attribute("dst")));
  }
  problems.throw_if_any();
}

}  // namespace aidcsim
