#include "sim/views/run_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim::views {

namespace {

// One CSV file read row by row with typed field access; problems name the file, line and column.
class TableReader {
 public:
  TableReader(std::string path, const std::vector<std::string>& required) : path_(std::move(path)) {
    if (std::string why = input_file_problem(path_); !why.empty()) throw InputErrors({{path_, 0, "", why}});
    input_ = std::make_unique<LineInput>(path_);
    if (!input_->ok()) throw InputErrors({{path_, 0, "", "cannot open the file"}});
    std::string line;
    if (!input_->next(line)) throw InputErrors({{path_, 1, "", "empty file, expected a header row"}});
    std::vector<std::string> names;
    split_csv(line, names);
    for (std::size_t i = 0; i < names.size(); ++i) columns_.emplace(names[i], i);
    for (const auto& name : required)
      if (!columns_.count(name))
        problems_.add(path_, 1, name, fmt::format("missing column \"{}\"; found: {}", name, join_names(names)));
    problems_.throw_if_any();
  }

  // Calls `row` for every non-blank data line; then throws every problem found.
  void for_each_row(const std::function<void()>& row) {
    std::string line;
    while (input_->next(line)) {
      if (line.empty()) continue;
      fields_.clear();
      split_csv(line, fields_);
      row();
      if (problems_.size() > 50) break;  // a wrong file: enough to see what is wrong
    }
    problems_.throw_if_any();
  }

  int line() const { return input_->line_number(); }
  bool has(const std::string& column) const { return columns_.count(column) > 0; }

  std::string text(const std::string& column) const {
    auto it = columns_.find(column);
    if (it == columns_.end() || it->second >= fields_.size()) return "";
    return fields_[it->second];
  }
  std::optional<double> optional_number(const std::string& column) {
    std::string t = text(column);
    if (t.empty()) return std::nullopt;
    auto v = parse_double(t);
    if (!v) problems_.add(path_, line(), column, fmt::format("found \"{}\", expected a number", abbreviate(t)));
    return v;
  }
  double number(const std::string& column, double absent = 0) {
    if (!has(column)) return absent;
    std::string t = text(column);
    if (t.empty()) {
      problems_.add(path_, line(), column, "empty, expected a number");
      return absent;
    }
    return optional_number(column).value_or(absent);
  }
  int integer(const std::string& column, int absent = 0) {
    if (!has(column) || text(column).empty()) return absent;
    auto v = parse_integer(text(column));
    if (!v) {
      problems_.add(path_, line(), column, fmt::format("found \"{}\", expected an integer", abbreviate(text(column))));
      return absent;
    }
    return static_cast<int>(*v);
  }
  void problem(const std::string& column, std::string what) { problems_.add(path_, line(), column, std::move(what)); }

 private:
  std::string path_;
  std::unique_ptr<LineInput> input_;
  std::map<std::string, std::size_t> columns_;
  std::vector<std::string> fields_;
  ProblemList problems_;
};

}  // namespace

std::vector<std::string> split_hosts(const std::string& text) {
  std::vector<std::string> hosts;
  std::size_t begin = 0;
  while (begin <= text.size() && !text.empty()) {
    std::size_t end = text.find(';', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) hosts.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return hosts;
}

std::vector<JobRecord> read_jobs_csv(const std::string& path) {
  TableReader t(path, {"job_id", "tenant", "submit_s", "start_s", "end_s", "gpus", "state", "hosts"});
  std::vector<JobRecord> jobs;
  t.for_each_row([&] {
    JobRecord j;
    j.line = t.line();
    j.job_id = t.text("job_id");
    j.tenant = t.text("tenant");
    j.state = t.text("state");
    j.submit_s = t.number("submit_s");
    j.start_s = t.optional_number("start_s");
    j.end_s = t.optional_number("end_s");
    j.queue_delay_s = t.optional_number("queue_delay_s");
    j.jct_s = t.optional_number("jct_s");
    j.gpus = t.integer("gpus");
    j.gpu_milli = t.integer("gpu_milli", 1000);
    j.hosts = split_hosts(t.text("hosts"));
    j.preemptions = t.integer("preemptions");
    j.startup_s = t.optional_number("startup_s").value_or(0);
    j.migrations = t.integer("migrations");
    if (j.start_s && j.end_s && *j.end_s < *j.start_s)
      t.problem("end_s", fmt::format("{} is before start_s {}, expected end_s >= start_s", *j.end_s, *j.start_s));
    if (j.start_s && j.hosts.empty()) t.problem("hosts", "empty for a job that started, expected its host ids");
    jobs.push_back(std::move(j));
  });
  return jobs;
}

std::vector<MigrationRecord> read_migrations_csv(const std::string& path) {
  TableReader t(path, {"vm", "job_id", "from_hosts", "to_hosts", "start_s", "end_s"});
  std::vector<MigrationRecord> moves;
  t.for_each_row([&] {
    MigrationRecord m;
    m.line = t.line();
    m.vm = t.text("vm");
    m.job_id = t.text("job_id");
    m.job_moved = t.has("job_moved") ? t.integer("job_moved") != 0 : !m.job_id.empty();
    m.from_hosts = split_hosts(t.text("from_hosts"));
    m.to_hosts = split_hosts(t.text("to_hosts"));
    m.start_s = t.number("start_s");
    m.end_s = t.number("end_s");
    m.paused_s = t.optional_number("paused_s").value_or(m.end_s);
    m.bytes = t.optional_number("bytes").value_or(0);
    if (m.end_s < m.start_s) t.problem("end_s", fmt::format("{} is before start_s {}", m.end_s, m.start_s));
    moves.push_back(std::move(m));
  });
  return moves;
}

std::vector<RequestRecord> read_requests_csv(const std::string& path) {
  TableReader t(path, {"service", "request_id", "arrival_s", "first_token_s", "end_s", "replica", "state"});
  std::vector<RequestRecord> requests;
  t.for_each_row([&] {
    RequestRecord r;
    r.service = t.text("service");
    r.request_id = t.text("request_id");
    r.replica = t.text("replica");
    r.state = t.text("state");
    r.arrival_s = t.number("arrival_s");
    r.first_token_s = t.optional_number("first_token_s");
    r.end_s = t.optional_number("end_s");
    if (r.end_s && *r.end_s < r.arrival_s) t.problem("end_s", fmt::format("{} is before arrival_s", *r.end_s));
    requests.push_back(std::move(r));
  });
  return requests;
}

std::vector<SeriesSample> read_timeseries_csv(const std::string& path) {
  TableReader t(path, {"time_s", "metric", "label", "value"});
  std::vector<SeriesSample> samples;
  t.for_each_row([&] {
    SeriesSample s;
    s.time_s = t.number("time_s");
    s.metric = t.text("metric");
    s.label = t.text("label");
    s.value = t.number("value");
    samples.push_back(std::move(s));
  });
  return samples;
}

nlohmann::json read_json_object(const std::string& path) {
  if (std::string why = input_file_problem(path); !why.empty()) throw InputErrors({{path, 0, "", why}});
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the offset of the error: turn it into a line number for the message.
    std::string s = text.str();
    int line = 1 + static_cast<int>(std::count(s.begin(), s.begin() + std::min<std::size_t>(e.byte, s.size()), '\n'));
    throw InputErrors({{path, line, "", fmt::format("invalid JSON ({})", e.what())}});
  }
  if (!value.is_object()) throw InputErrors({{path, 0, "", "expected a JSON object"}});
  return value;
}

std::optional<std::string> run_file(const std::string& dir, const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw InputErrors({{dir, 0, "", "not a directory, expected the output directory of `aidcsim run`"}});
  std::string path = (std::filesystem::path(dir) / name).string();
  if (std::filesystem::exists(path, ec)) return path;
  return std::nullopt;
}

std::string required_run_file(const std::string& dir, const std::string& name) {
  auto path = run_file(dir, name);
  if (!path)
    throw InputErrors({{(std::filesystem::path(dir) / name).string(), 0, "",
                        "file not found (is this the output directory of `aidcsim run`?)"}});
  return *path;
}

}  // namespace aidcsim::views
