#include "sim/core/errors.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

namespace aidcsim {

std::string InputProblem::format() const {
  std::string location = file;
  if (line > 0) location += fmt::format(":{}", line);
  if (where.empty()) return fmt::format("error: {}: {}", location, what);
  return fmt::format("error: {}: {}: {}", location, where, what);
}

static std::string summarize(const std::vector<InputProblem>& problems) {
  std::string text;
  for (const auto& p : problems) text += p.format() + "\n";
  return text;
}

InputErrors::InputErrors(std::vector<InputProblem> problems)
    : std::runtime_error(summarize(problems)), problems_(std::move(problems)) {}

void ProblemList::add(std::string file, int line, std::string where, std::string what) {
  problems_.push_back({std::move(file), line, std::move(where), std::move(what)});
}

void ProblemList::merge(const ProblemList& other) {
  problems_.insert(problems_.end(), other.problems_.begin(), other.problems_.end());
}

void ProblemList::throw_if_any() const {
  if (!problems_.empty()) throw InputErrors(problems_);
}

static std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_name(const std::string& found, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, found.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(found, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

std::string join_some_names(const std::vector<std::string>& names, std::size_t shown) {
  if (names.size() <= shown) return join_names(names);
  std::vector<std::string> first(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(shown));
  return fmt::format("{} and {} more", join_names(first), names.size() - shown);
}

std::string abbreviate(const std::string& text, std::size_t keep) {
  if (text.size() <= keep + 20) return text;
  return fmt::format("{}... ({} characters)", text.substr(0, keep), text.size());
}

std::string input_file_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return "file not found";
  if (error) return fmt::format("cannot access the file: {}", error.message());
  if (status.type() == fs::file_type::directory) return "is a directory; expected a file";
  if (status.type() != fs::file_type::regular)
    return "is not a regular file (a device, pipe or socket); expected a file";
  return "";
}

}  // namespace aidcsim
