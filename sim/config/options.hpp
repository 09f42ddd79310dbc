#pragma once
// Typed access to a policy's options object, recording every problem with its JSON path.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/errors.hpp"
#include "sim/config/located_json.hpp"

namespace aidcsim {

class OptionReader {
 public:
  // `section` is the options object (e.g. the "scheduler" object); `pointer` its JSON path.
  OptionReader(const nlohmann::json& section, std::string pointer, std::string file, const LocatedJson* located,
               ProblemList& problems);

  double number(const std::string& key, double fallback, double min, double max);
  int integer(const std::string& key, int fallback, int min, int max);
  bool boolean(const std::string& key, bool fallback);
  std::string text(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed = {});
  std::vector<double> numbers(const std::string& key, const std::vector<double>& fallback);
  // An object of name -> number (e.g. {"teamA": 2}); each value must lie in [min, max].
  std::map<std::string, double> named_numbers(const std::string& key, double min, double max);
  bool has(const std::string& key) const { return section_.is_object() && section_.contains(key); }
  // The raw value of a key (counted as known), or nullptr when absent or null: for structured
  // options a policy checks itself (e.g. MIG layouts), reporting through problem().
  const nlohmann::json* raw(const std::string& key) { return find(key); }
  // Reports keys of the section that no accessor asked for (and are not in `also_known`).
  void reject_unknown(const std::vector<std::string>& also_known = {});
  void problem(const std::string& key, const std::string& what);
  // A problem at an absolute JSON path (e.g. an element found through another key).
  void problem_at(const std::string& pointer, const std::string& what);
  // A problem found in another file (a trace the options name), reported with the others.
  void add_problem(const InputProblem& p) { problems_.add(p); }
  // A reader of the object under `key` (e.g. "consolidation"), reporting to the same list; the
  // key counts as known. A value that is not an object is reported and read as {}.
  OptionReader nested(const std::string& key);
  // One reader per element of the array under `key` (e.g. "cluster_queues"), each element's path
  // ending in its index; absent or null = none. A value that is not an array of objects is reported.
  std::vector<OptionReader> items(const std::string& key);
  std::string path(const std::string& key) const { return pointer_ + "/" + json_pointer_escape(key); }

 private:
  const nlohmann::json* find(const std::string& key);
  const nlohmann::json& section_;
  std::string pointer_;
  std::string file_;
  const LocatedJson* located_;
  ProblemList& problems_;
  std::vector<std::string> asked_;
};

}  // namespace aidcsim
