#include "models/monitoring/promql.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

namespace aidcsim {
namespace {

const std::set<std::string> kAggregations = {"sum", "avg", "max", "min", "count"};
const std::set<std::string> kRangeFunctions = {"avg_over_time", "max_over_time", "min_over_time", "sum_over_time",
                                               "count_over_time", "last_over_time", "rate", "increase"};

class Lexer {
 public:
  explicit Lexer(const std::string& s) : s_(s) {}
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(const std::string& token) {
    skip();
    if (s_.compare(i_, token.size(), token) != 0) return false;
    i_ += token.size();
    return true;
  }
  bool peek(const std::string& token) {
    skip();
    return s_.compare(i_, token.size(), token) == 0;
  }
  std::string identifier() {
    skip();
    std::size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == ':')) ++i_;
    if (start < s_.size() && std::isdigit(static_cast<unsigned char>(s_[start]))) i_ = start;
    return s_.substr(start, i_ - start);
  }
  std::optional<std::string> quoted() {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) return std::nullopt;
    char q = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    if (i_ >= s_.size()) return std::nullopt;
    ++i_;
    return out;
  }
  std::string until(char c) {
    skip();
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != c) ++i_;
    return s_.substr(start, i_ - start);
  }
  std::string rest() {
    skip();
    return s_.substr(i_);
  }
  bool done() {
    skip();
    return i_ >= s_.size();
  }
  std::string where() {
    skip();
    return i_ >= s_.size() ? "at the end" : fmt::format("at \"{}\"", s_.substr(i_, 20));
  }

 private:
  const std::string& s_;
  std::size_t i_ = 0;
};

bool parse_by(Lexer& lx, std::vector<std::string>& by, std::string& error) {
  if (!lx.eat("by")) return true;
  if (!lx.eat("(")) {
    error = fmt::format("expected \"(\" after by, {}", lx.where());
    return false;
  }
  while (!lx.eat(")")) {
    std::string label = lx.identifier();
    if (label.empty()) {
      error = fmt::format("expected a label name in by (...), {}", lx.where());
      return false;
    }
    by.push_back(label);
    lx.eat(",");
  }
  return true;
}

}  // namespace

std::optional<double> parse_prom_duration(const std::string& text) {
  static const std::vector<std::pair<std::string, double>> units = {{"ms", 1e-3}, {"s", 1},        {"m", 60},
                                                                    {"h", 3600},  {"d", 86400},   {"w", 604800},
                                                                    {"y", 31536000}};
  double total = 0;
  std::size_t i = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (start == i) return std::nullopt;
    double n = std::stod(text.substr(start, i - start));
    bool found = false;
    for (const auto& [unit, seconds] : units)
      if (text.compare(i, unit.size(), unit) == 0 && !(unit == "m" && text.compare(i, 2, "ms") == 0)) {
        total += n * seconds;
        i += unit.size();
        found = true;
        break;
      }
    if (!found) return std::nullopt;
  }
  return total;
}

bool PromExpr::Matcher::matches(const std::map<std::string, std::string>& labels) const {
  auto it = labels.find(label);
  const std::string v = it == labels.end() ? "" : it->second;  // a missing label is the empty string
  if (op == "=") return v == value;
  if (op == "!=") return v != value;
  bool m = std::regex_match(v, *re);
  return op == "=~" ? m : !m;
}

std::optional<PromExpr> PromExpr::parse(const std::string& text, std::string& error) {
  PromExpr e;
  Lexer lx(text);
  std::string word = lx.identifier();
  if (kAggregations.count(word)) {
    e.aggregation_ = word;
    if (!parse_by(lx, e.by_, error)) return std::nullopt;
    if (!lx.eat("(")) {
      error = fmt::format("expected \"(\" after {}, {}", word, lx.where());
      return std::nullopt;
    }
    word = lx.identifier();
  }
  if (kRangeFunctions.count(word)) {
    e.range_fn_ = word;
    if (!lx.eat("(")) {
      error = fmt::format("expected \"(\" after {}, {}", word, lx.where());
      return std::nullopt;
    }
    word = lx.identifier();
  }
  if (word.empty() || kAggregations.count(word) || kRangeFunctions.count(word)) {
    error = fmt::format("expected a metric name {}", lx.where());
    return std::nullopt;
  }
  e.metric_ = word;
  if (lx.eat("{")) {
    while (!lx.eat("}")) {
      Matcher m;
      m.label = lx.identifier();
      for (const char* op : {"!=", "=~", "!~", "="})
        if (lx.eat(op)) {
          m.op = op;
          break;
        }
      auto value = lx.quoted();
      if (m.label.empty() || m.op.empty() || !value) {
        error = fmt::format("expected label=\"value\" (or !=, =~, !~) in {{...}}, {}", lx.where());
        return std::nullopt;
      }
      m.value = *value;
      if (m.op == "=~" || m.op == "!~") {
        try {
          m.re = std::make_shared<std::regex>(m.value, std::regex::ECMAScript);
        } catch (const std::regex_error&) {
          error = fmt::format("invalid regular expression \"{}\"", m.value);
          return std::nullopt;
        }
      }
      e.matchers_.push_back(std::move(m));
      lx.eat(",");
      if (lx.done()) {
        error = "expected \"}\" at the end";
        return std::nullopt;
      }
    }
  }
  if (!e.range_fn_.empty()) {
    if (!lx.eat("[")) {
      error = fmt::format("expected a range such as [5m] after the selector of {}, {}", e.range_fn_, lx.where());
      return std::nullopt;
    }
    std::string d = lx.until(']');
    auto seconds = parse_prom_duration(d);
    if (!lx.eat("]") || !seconds || *seconds <= 0) {
      error = fmt::format("expected a duration such as 5m or 30s in [...], got \"{}\"", d);
      return std::nullopt;
    }
    e.range_s_ = *seconds;
    if (!lx.eat(")")) {
      error = fmt::format("expected \")\" closing {}, {}", e.range_fn_, lx.where());
      return std::nullopt;
    }
  } else if (lx.peek("[")) {
    error = "a range [...] needs a range function such as avg_over_time(...); an alert compares an instant vector";
    return std::nullopt;
  }
  if (!e.aggregation_.empty()) {
    if (!lx.eat(")")) {
      error = fmt::format("expected \")\" closing {}, {}", e.aggregation_, lx.where());
      return std::nullopt;
    }
    if (e.by_.empty() && !parse_by(lx, e.by_, error)) return std::nullopt;
  }
  for (const char* op : {">=", "<=", "==", "!=", ">", "<"})
    if (lx.eat(op)) {
      e.op_ = op;
      break;
    }
  std::string number = lx.rest();
  char* end = nullptr;
  e.threshold_ = std::strtod(number.c_str(), &end);
  if (e.op_.empty() || number.empty() || end == number.c_str() || *end != '\0' || !std::isfinite(e.threshold_)) {
    error = fmt::format("expected a comparison with a number (such as \"> 0.9\") after the expression, got \"{}\"",
                        e.op_ + number);
    return std::nullopt;
  }
  return e;
}

std::vector<PromElement> PromExpr::select(const SeriesStore& store, double t_s) const {
  std::vector<PromElement> out;
  for (const auto& entry : store.series(metric_)) {
    const Series& s = entry.second;  // not a structured binding: clang 14 (make fuzz) cannot capture one
    if (!std::all_of(matchers_.begin(), matchers_.end(), [&](const Matcher& m) { return m.matches(s.labels); })) continue;
    if (range_fn_.empty()) {
      // The newest sample in (t - 5m, t] (promql/engine.go: lookback delta).
      if (auto latest = store.newest_visible(s, t_s, kLookback_s)) out.push_back({s.labels, *latest});
      continue;
    }
    std::vector<SeriesPoint> points;  // newest first
    store.visible_points(s, t_s - range_s_, t_s, t_s, [&](const SeriesPoint& p) { points.push_back(p); });
    if (points.empty()) continue;
    std::reverse(points.begin(), points.end());
    double v = 0;
    if (range_fn_ == "rate" || range_fn_ == "increase") {
      if (points.size() < 2) continue;
      // promql/functions.go extrapolatedRate (isCounter = true).
      double result = points.back().value - points.front().value, last = 0;
      for (const auto& p : points) {
        if (p.value < last) result += last;
        last = p.value;
      }
      double to_start = points.front().t_s - (t_s - range_s_), to_end = t_s - points.back().t_s;
      double sampled = points.back().t_s - points.front().t_s;
      double average = sampled / static_cast<double>(points.size() - 1), threshold = average * 1.1;
      if (to_start >= threshold) to_start = average / 2;
      if (result > 0 && points.front().value >= 0) to_start = std::min(to_start, sampled * (points.front().value / result));
      if (to_end >= threshold) to_end = average / 2;
      v = result * (sampled + to_start + to_end) / sampled;
      if (range_fn_ == "rate") v /= range_s_;
    } else if (range_fn_ == "count_over_time") {
      v = static_cast<double>(points.size());
    } else if (range_fn_ == "last_over_time") {
      v = points.back().value;
    } else {
      double sum = 0, lo = points.front().value, hi = lo;
      for (const auto& p : points) sum += p.value, lo = std::min(lo, p.value), hi = std::max(hi, p.value);
      v = range_fn_ == "sum_over_time" ? sum : range_fn_ == "min_over_time" ? lo : range_fn_ == "max_over_time" ? hi
                                                                                    : sum / static_cast<double>(points.size());
    }
    out.push_back({s.labels, v});
  }
  return out;
}

std::vector<PromElement> PromExpr::eval(const SeriesStore& store, double t_s) const {
  std::vector<PromElement> elements = select(store, t_s);
  if (!aggregation_.empty()) {
    std::map<std::map<std::string, std::string>, std::vector<double>> groups;
    for (const auto& e : elements) {
      std::map<std::string, std::string> key;
      for (const auto& l : by_)
        if (auto it = e.labels.find(l); it != e.labels.end()) key[l] = it->second;
      groups[key].push_back(e.value);
    }
    elements.clear();
    for (const auto& [key, values] : groups) {
      double v = 0;
      if (aggregation_ == "count") v = static_cast<double>(values.size());
      else if (aggregation_ == "max") v = *std::max_element(values.begin(), values.end());
      else if (aggregation_ == "min") v = *std::min_element(values.begin(), values.end());
      else {
        for (double x : values) v += x;
        if (aggregation_ == "avg") v /= static_cast<double>(values.size());
      }
      elements.push_back({key, v});
    }
  }
  std::vector<PromElement> out;
  for (auto& e : elements) {
    double v = e.value;
    bool keep = op_ == ">" ? v > threshold_ : op_ == "<" ? v < threshold_ : op_ == ">=" ? v >= threshold_
              : op_ == "<=" ? v <= threshold_ : op_ == "==" ? v == threshold_ : v != threshold_;
    if (keep) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace aidcsim
