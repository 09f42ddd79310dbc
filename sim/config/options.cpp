#include "sim/config/options.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace aidcsim {

OptionReader::OptionReader(const nlohmann::json& section, std::string pointer, std::string file,
                           const LocatedJson* located, ProblemList& problems)
    : section_(section), pointer_(std::move(pointer)), file_(std::move(file)), located_(located), problems_(problems) {}

void OptionReader::problem(const std::string& key, const std::string& what) {
  std::string p = key.empty() ? pointer_ : path(key);
  problems_.add(file_, located_ ? located_->line(p) : 0, p, what);
}

void OptionReader::problem_at(const std::string& pointer, const std::string& what) {
  problems_.add(file_, located_ ? located_->line(pointer) : 0, pointer, what);
}

const nlohmann::json* OptionReader::find(const std::string& key) {
  asked_.push_back(key);
  if (!section_.is_object()) return nullptr;
  auto it = section_.find(key);
  if (it == section_.end() || it->is_null()) return nullptr;
  return &*it;
}

double OptionReader::number(const std::string& key, double fallback, double min, double max) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_number()) {
    problem(key, fmt::format("found {}, expected a number", v->dump()));
    return fallback;
  }
  double x = v->get<double>();
  if (x < min || x > max) {
    problem(key, fmt::format("found {}, expected a number in [{}, {}]", v->dump(), min, max));
    return fallback;
  }
  return x;
}

int OptionReader::integer(const std::string& key, int fallback, int min, int max) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_number_integer()) {
    problem(key, fmt::format("found {}, expected an integer", v->dump()));
    return fallback;
  }
  auto x = v->get<long long>();
  if (x < min || x > max) {
    problem(key, fmt::format("found {}, expected an integer in [{}, {}]", x, min, max));
    return fallback;
  }
  return static_cast<int>(x);
}

bool OptionReader::boolean(const std::string& key, bool fallback) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    problem(key, fmt::format("found {}, expected true or false", v->dump()));
    return fallback;
  }
  return v->get<bool>();
}

std::string OptionReader::text(const std::string& key, const std::string& fallback,
                               const std::vector<std::string>& allowed) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_string()) {
    problem(key, fmt::format("found {}, expected a string", v->dump()));
    return fallback;
  }
  std::string s = v->get<std::string>();
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    std::string hint = closest_name(s, allowed);
    problem(key, fmt::format("found \"{}\", expected one of: {}{}", s, join_names(allowed),
                             hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint)));
    return fallback;
  }
  return s;
}

std::vector<double> OptionReader::numbers(const std::string& key, const std::vector<double>& fallback) {
  const auto* v = find(key);
  if (!v) return fallback;
  if (!v->is_array() || !std::all_of(v->begin(), v->end(), [](const auto& x) { return x.is_number(); })) {
    problem(key, fmt::format("found {}, expected an array of numbers", v->dump()));
    return fallback;
  }
  return v->get<std::vector<double>>();
}

std::map<std::string, double> OptionReader::named_numbers(const std::string& key, double min, double max) {
  std::map<std::string, double> out;
  const auto* v = find(key);
  if (!v) return out;
  if (!v->is_object()) {
    problem(key, fmt::format("found {}, expected an object of name: number", v->dump()));
    return out;
  }
  for (const auto& [name, x] : v->items()) {
    std::string where = path(key) + "/" + json_pointer_escape(name);
    auto report = [&](const std::string& what) { problems_.add(file_, located_ ? located_->line(where) : 0, where, what); };
    if (!x.is_number()) report(fmt::format("found {}, expected a number", x.dump()));
    else if (x.get<double>() < min || x.get<double>() > max)
      report(fmt::format("found {}, expected a number in [{}, {}]", x.dump(), min, max));
    else out[name] = x.get<double>();
  }
  return out;
}

OptionReader OptionReader::nested(const std::string& key) {
  static const nlohmann::json empty = nlohmann::json::object();  // immutable: shared by absent sections
  const auto* v = find(key);
  if (v && !v->is_object()) problem(key, fmt::format("found {}, expected an object", v->dump()));
  return OptionReader(v && v->is_object() ? *v : empty, path(key), file_, located_, problems_);
}

std::vector<OptionReader> OptionReader::items(const std::string& key) {
  std::vector<OptionReader> out;
  const auto* v = find(key);
  if (!v) return out;
  if (!v->is_array()) {
    problem(key, fmt::format("found {}, expected a list of objects", v->dump()));
    return out;
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    std::string where = path(key) + "/" + std::to_string(i);
    if (!item.is_object())
      problems_.add(file_, located_ ? located_->line(where) : 0, where, fmt::format("found {}, expected an object", item.dump()));
    else
      out.emplace_back(item, where, file_, located_, problems_);
  }
  return out;
}

void OptionReader::reject_unknown(const std::vector<std::string>& also_known) {
  if (!section_.is_object()) return;
  std::vector<std::string> known = asked_;
  known.insert(known.end(), also_known.begin(), also_known.end());
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (const auto& [key, value] : section_.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = closest_name(key, known);
    problem(key, fmt::format("unknown key \"{}\"{}; valid keys here: {}", key,
                             hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint), join_names(known)));
  }
}

}  // namespace aidcsim
