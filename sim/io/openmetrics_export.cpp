// The OpenMetrics rules promtool's parser and TSDB block writer enforce (model/textparse/
// openmetricsparse.go, cmd/promtool/backfill.go): one `# TYPE` per family, the samples of a family
// together and those of a series in time order, names [a-zA-Z_:][a-zA-Z0-9_:]*, label values with
// `\\`, `\"` and `\n` escaped and valid UTF-8, timestamps in seconds, `# EOF` last.
#include "sim/io/openmetrics_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim {

namespace {

struct Point {
  long long ms;
  double value;
};
struct Series {
  std::string text;  // name{labels}, as written
  std::vector<Point> points;
};
struct Family {
  std::string name, type, help, unit;
  std::deque<Series> series;  // a deque: the Series* kept while reading stay valid
  std::unordered_map<std::string, std::size_t> index;  // series text -> position
};

// Families in the order they were first seen, found by name.
class Families {
 public:
  Family& get(const std::string& name) {
    auto [it, added] = index_.try_emplace(name, list_.size());
    if (added) list_.push_back({name, "", "", "", {}, {}});
    return list_[it->second];
  }
  std::deque<Family>& list() { return list_; }

 private:
  std::deque<Family> list_;  // a deque: references to its families stay valid
  std::unordered_map<std::string, std::size_t> index_;
};

bool is_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

bool is_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!is_name_char(name[i], i == 0)) return false;
  return true;
}

std::string escape_label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// A sample value as timeseries.csv or scrapes.om write it; an empty field is "not defined" (NaN).
std::optional<double> parse_value(std::string_view text) {
  if (text.empty() || text == "NaN" || text == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "inf" || text == "+inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf" || text == "-inf") return -std::numeric_limits<double>::infinity();
  return parse_double(text);
}

// Adds (ms, value) to `series`, which must end before ms (promtool rejects a series going back).
void append_point(Series& series, long long ms, double value, const std::string& file, int line) {
  if (!series.points.empty() && series.points.back().ms >= ms)
    throw InputErrors({{file, line, "",
                        fmt::format("sample of {} not after its previous one (at the same millisecond or "
                                    "earlier); each series must go forward in time",
                                    series.text)}});
  series.points.push_back({ms, value});
}

Series& series_of(Family& family, const std::string& text) {
  auto [it, added] = family.index.try_emplace(text, family.series.size());
  if (added) family.series.push_back({text, {}});
  return family.series[it->second];
}

long long mapped_ms(long long start_ms, double time_s, const std::string& file, int line, const std::string& where) {
  double ms = static_cast<double>(start_ms) + std::round(time_s * 1000);
  if (!(ms >= 0 && ms < 9e15))
    throw InputErrors({{file, line, where, fmt::format("time {} s falls before 1970 or too far after the start date",
                                                       time_s)}});
  return static_cast<long long>(ms);
}

// The suffixes OpenMetrics gives the samples of a family (a counter `x` has samples `x_total`).
bool belongs_to(std::string_view sample_name, const std::string& family) {
  if (sample_name == family) return true;
  if (sample_name.size() <= family.size() || sample_name.substr(0, family.size()) != family) return false;
  std::string_view suffix = sample_name.substr(family.size());
  for (std::string_view s : {"_total", "_created", "_bucket", "_count", "_sum", "_info", "_gcount", "_gsum"})
    if (suffix == s) return true;
  return false;
}

// scrapes.om (models/monitoring/alerting.cpp): metadata lines, `name{labels} value seconds` samples,
// `# EOF`. Samples keep their series text; only the timestamps change.
void read_scrapes(const std::string& path, long long start_ms, Families& families,
                  std::unordered_set<std::string>& sample_names) {
  LineInput input(path);
  if (!input.ok()) throw InputErrors({{path, 0, "", "cannot open the file"}});
  std::string line;
  Family* current = nullptr;
  bool eof = false;
  while (input.next(line)) {
    int n = input.line_number();
    auto fail = [&](const std::string& what) { throw InputErrors({{path, n, "", what}}); };
    if (eof) fail("data after # EOF");
    if (line.empty()) continue;
    if (line == "# EOF") {
      eof = true;
      continue;
    }
    if (line[0] == '#') {
      // "# TYPE name text", "# HELP name text", "# UNIT name text"
      std::string_view rest(line);
      std::string kind = line.size() > 7 ? line.substr(2, 4) : "";
      if ((kind != "TYPE" && kind != "HELP" && kind != "UNIT") || line[1] != ' ' || line[6] != ' ')
        fail(fmt::format("found \"{}\", expected # TYPE, # HELP, # UNIT or # EOF", abbreviate(line, 60)));
      rest.remove_prefix(7);
      std::size_t space = rest.find(' ');
      std::string name(rest.substr(0, space));
      std::string text(space == std::string_view::npos ? "" : rest.substr(space + 1));
      if (!is_metric_name(name)) fail(fmt::format("metric name \"{}\" is not [a-zA-Z_:][a-zA-Z0-9_:]*", name));
      current = &families.get(name);
      std::string& field = kind == "TYPE" ? current->type : kind == "HELP" ? current->help : current->unit;
      if (!field.empty() && field != text) fail(fmt::format("second # {} for {}", kind, name));
      field = text;
      continue;
    }
    // name{labels} value timestamp
    std::size_t i = 0;
    while (i < line.size() && is_name_char(line[i], i == 0)) ++i;
    if (i == 0) fail(fmt::format("found \"{}\", expected a sample (name{{labels}} value timestamp)", abbreviate(line, 60)));
    std::string name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      bool quoted = false;
      for (++i; i < line.size() && (quoted || line[i] != '}'); ++i) {
        if (quoted && line[i] == '\\') ++i;
        else if (line[i] == '"') quoted = !quoted;
      }
      if (i >= line.size()) fail("unterminated label set: expected }");
      ++i;
    }
    std::string text = line.substr(0, i);
    if (invalid_utf8_at(text)) fail("labels are not valid UTF-8");
    std::vector<std::string> fields;
    for (std::size_t p = i; p < line.size();) {
      if (line[p] != ' ') fail("expected a space between the series, its value and its timestamp");
      std::size_t end = line.find(' ', p + 1);
      fields.push_back(line.substr(p + 1, end == std::string::npos ? std::string::npos : end - p - 1));
      p = end == std::string::npos ? line.size() : end;
    }
    if (fields.size() != 2)
      fail(fmt::format("expected a value and a timestamp after {}, found {} fields (exemplars are not supported)",
                       name, fields.size()));
    auto value = parse_value(fields[0]);
    auto t_s = parse_double(fields[1]);
    if (!value || fields[0].empty()) fail(fmt::format("value \"{}\" is not a number", fields[0]));
    if (!t_s) fail(fmt::format("timestamp \"{}\" is not a number of seconds", fields[1]));
    if (!current || !belongs_to(name, current->name)) current = &families.get(name);  // a family without # TYPE
    sample_names.insert(name);
    append_point(series_of(*current, text), mapped_ms(start_ms, *t_s, path, n, ""), *value, path, n);
  }
  if (!eof) throw InputErrors({{path, 0, "", "no # EOF at the end: the file is incomplete"}});
}

// timeseries.csv (docs/outputs.md): time_s,metric,label,value; each metric is the gauge
// aidcsim_<metric>, its label under openmetrics_label_name(metric). Metrics whose family scrapes.om
// already has are left out (listed in `replaced`).
void read_timeseries(const std::string& path, long long start_ms, Families& families,
                     const std::unordered_set<std::string>& taken, std::vector<std::string>& replaced) {
  LineInput input(path);
  if (!input.ok()) throw InputErrors({{path, 0, "", "cannot open the file"}});
  std::string line;
  std::vector<std::string> fields;
  if (!input.next(line)) throw InputErrors({{path, 0, "", "empty file, expected the header time_s,metric,label,value"}});
  split_csv(line, fields);
  CsvHeader header(fields);
  int col[4];
  const char* names[4] = {"time_s", "metric", "label", "value"};
  for (int c = 0; c < 4; ++c)
    if ((col[c] = header.index(names[c])) < 0)
      throw InputErrors({{path, 1, names[c], "missing column; expected the header time_s,metric,label,value"}});
  std::size_t needed = static_cast<std::size_t>(std::max({col[0], col[1], col[2], col[3]})) + 1;
  // (metric, label) -> its series, so that a row costs one lookup
  std::unordered_map<std::string, Series*> by_key;
  std::unordered_set<std::string> skipped;
  while (input.next(line)) {
    if (line.empty()) continue;
    int n = input.line_number();
    split_csv(line, fields);
    if (fields.size() < needed)
      throw InputErrors({{path, n, "", fmt::format("found {} fields, expected {} (time_s,metric,label,value)",
                                                    fields.size(), needed)}});
    const std::string& metric = fields[col[1]];
    const std::string& label = fields[col[2]];
    auto t_s = parse_double(fields[col[0]]);
    if (!t_s) throw InputErrors({{path, n, "time_s", fmt::format("found \"{}\", expected a number of seconds", abbreviate(fields[col[0]], 40))}});
    auto value = parse_value(fields[col[3]]);
    if (!value) throw InputErrors({{path, n, "value", fmt::format("found \"{}\", expected a number (empty: not defined)", abbreviate(fields[col[3]], 40))}});
    std::string key = metric + '\x1f' + label;
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      if (metric.empty() || !is_metric_name("m" + metric))
        throw InputErrors({{path, n, "metric", fmt::format("found \"{}\", expected a name of letters, digits, _ and :", abbreviate(metric, 40))}});
      if (invalid_utf8_at(label)) throw InputErrors({{path, n, "label", "not valid UTF-8"}});
      std::string family = "aidcsim_" + metric;
      Series* series = nullptr;
      if (taken.count(family)) {
        if (skipped.insert(family).second) replaced.push_back(metric);
      } else {
        Family& f = families.get(family);
        if (f.type.empty()) {
          f.type = "gauge";
          f.help = fmt::format("timeseries.csv metric {} (docs/outputs.md)", metric);
        }
        std::string text = family;
        if (!label.empty()) text += fmt::format("{{{}=\"{}\"}}", openmetrics_label_name(metric), escape_label_value(label));
        series = &series_of(f, text);
      }
      it = by_key.emplace(std::move(key), series).first;
    }
    if (it->second) append_point(*it->second, mapped_ms(start_ms, *t_s, path, n, "time_s"), *value, path, n);
  }
}

}  // namespace

std::optional<long long> parse_rfc3339_ms(std::string_view text) {
  auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                   std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  long long days = std::chrono::sys_days(date).time_since_epoch().count();
  long long ms = days * 86400000LL;
  if (text.size() > 10) {
    char sep = text[10];
    auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
    if ((sep != 'T' && sep != 't' && sep != ' ') || !hour || !minute || !second || text[13] != ':' ||
        text[16] != ':' || *hour > 23 || *minute > 59 || *second > 59)
      return std::nullopt;
    ms += (*hour * 3600LL + *minute * 60LL + *second) * 1000;
    std::size_t i = 19;
    if (i < text.size() && text[i] == '.') {
      std::size_t first = ++i;
      double fraction = 0, scale = 0.1;
      for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10) fraction += (text[i] - '0') * scale;
      if (i == first) return std::nullopt;
      ms += std::llround(fraction * 1000);
    }
    if (i == text.size()) return std::nullopt;  // RFC 3339 requires the offset
    if (text[i] == 'Z' || text[i] == 'z') {
      ++i;
    } else if (text[i] == '+' || text[i] == '-') {
      auto oh = digits(i + 1, 2), om = digits(i + 4, 2);
      if (!oh || !om || text[i + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
      long long offset_ms = (*oh * 3600LL + *om * 60LL) * 1000;
      ms += text[i] == '+' ? -offset_ms : offset_ms;
      i += 6;
    } else {
      return std::nullopt;
    }
    if (i != text.size()) return std::nullopt;
  }
  if (ms < 0) return std::nullopt;
  return ms;
}

std::string openmetrics_timestamp(long long ms) {
  auto read_back = [](const std::string& t) {
    double s = 0;
    std::from_chars(t.data(), t.data() + t.size(), s);
    return static_cast<long long>(s * 1000);  // as Go's int64(ts * 1000)
  };
  long long seconds = ms / 1000, fraction = ms % 1000;
  std::string text = fmt::format("{}", seconds);
  if (fraction == 0) return text;
  std::string digits = fmt::format("{:03}", fraction);
  std::string shortest = text + '.' + digits.substr(0, digits.find_last_not_of('0') + 1);
  if (read_back(shortest) == ms) return shortest;
  return text + '.' + digits + "001";
}

std::string openmetrics_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string openmetrics_label_name(std::string_view metric) {
  auto starts = [&](std::string_view p) { return metric.substr(0, p.size()) == p; };
  if (starts("tenant_")) return "tenant";
  if (starts("service_")) return "service";
  if (starts("node_group_")) return "node_group";
  if (starts("quota_")) return "queue";
  if (metric == "power_w") return "part";
  return "label";
}

OpenMetricsExport export_openmetrics(const std::string& run_dir, long long start_ms) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec))
    throw InputErrors({{run_dir, 0, "", fs::exists(run_dir, ec) ? "not a folder, expected the output folder of `aidcsim run`"
                                                                 : "folder not found, expected the output folder of `aidcsim run`"}});
  std::string timeseries = (fs::path(run_dir) / "timeseries.csv").string();
  std::string scrapes = (fs::path(run_dir) / "scrapes.om").string();
  if (std::string why = input_file_problem(timeseries); !why.empty())
    throw InputErrors({{timeseries, 0, "", why + " (is this the output folder of `aidcsim run`?)"}});
  OpenMetricsExport result;
  Families scraped, sampled;
  std::unordered_set<std::string> scraped_names;
  result.has_scrapes = fs::exists(scrapes, ec);
  if (result.has_scrapes) {
    if (std::string why = input_file_problem(scrapes); !why.empty()) throw InputErrors({{scrapes, 0, "", why}});
    read_scrapes(scrapes, start_ms, scraped, scraped_names);
    for (const Family& f : scraped.list()) scraped_names.insert(f.name);
  }
  read_timeseries(timeseries, start_ms, sampled, scraped_names, result.replaced_by_scrapes);

  std::string& out = result.text;
  for (std::deque<Family>* list : {&sampled.list(), &scraped.list()}) {
    for (const Family& f : *list) {
      if (f.series.empty()) continue;
      ++result.families;
      out += fmt::format("# TYPE {} {}\n", f.name, f.type.empty() ? "unknown" : f.type);
      if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", f.name, f.help);
      if (!f.unit.empty()) out += fmt::format("# UNIT {} {}\n", f.name, f.unit);
      for (const Series& s : f.series) {
        ++result.series;
        result.samples += s.points.size();
        for (const Point& p : s.points)
          out += fmt::format("{} {} {}\n", s.text, openmetrics_value(p.value), openmetrics_timestamp(p.ms));
      }
    }
  }
  out += "# EOF\n";
  return result;
}

}  // namespace aidcsim
