#pragma once
// Input problems are collected, not thrown one at a time, so a user sees every mistake in one run.
#include <stdexcept>
#include <string>
#include <vector>

namespace aidcsim {

struct InputProblem {
  std::string file;
  int line = 0;        // 0 = unknown / whole file
  std::string where;   // JSON path, CSV column or XML id
  std::string what;    // what was found and what was expected
  std::string format() const;
};

class InputErrors : public std::runtime_error {
 public:
  explicit InputErrors(std::vector<InputProblem> problems);
  const std::vector<InputProblem>& problems() const { return problems_; }
 private:
  std::vector<InputProblem> problems_;
};

class ProblemList {
 public:
  void add(std::string file, int line, std::string where, std::string what);
  void add(InputProblem p) { problems_.push_back(std::move(p)); }
  void merge(const ProblemList& other);
  bool empty() const { return problems_.empty(); }
  std::size_t size() const { return problems_.size(); }
  const std::vector<InputProblem>& items() const { return problems_; }
  void throw_if_any() const;
 private:
  std::vector<InputProblem> problems_;
};

// Closest candidate by edit distance, or "" when nothing is close; for "did you mean" hints.
std::string closest_name(const std::string& found, const std::vector<std::string>& candidates);
std::string join_names(const std::vector<std::string>& names);
// Up to `shown` names, then how many more: for messages that would otherwise list thousands.
std::string join_some_names(const std::vector<std::string>& names, std::size_t shown = 5);

// `text` itself when short, else its first `keep` characters, "...", and its length: for echoing
// a user's path of 100,000 characters.
std::string abbreviate(const std::string& text, std::size_t keep = 120);

// Why an input file cannot be read as one ("file not found", "is a directory, not a file", a system
// error such as a name too long), or "" when it is a regular file. Never throws.
std::string input_file_problem(const std::string& path);

}  // namespace aidcsim
