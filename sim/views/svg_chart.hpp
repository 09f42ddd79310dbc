#pragma once
// Line charts as inline SVG text, for the self-contained HTML report (no script, no network): axes
// with round ticks and labels in words, a legend, step or straight lines, linear or log x.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aidcsim::views {

struct ChartSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
  bool step = false;  // each value holds until the next point (monitoring samples)
};

struct ChartSpec {
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
  bool log_x = false;  // x values <= 0 are drawn at the axis' left edge
  std::optional<double> y_min, y_max;
};

std::string svg_line_chart(const ChartSpec& spec);

// Rounded tick values covering [lo, hi], about `count` of them (1, 2 or 5 times a power of ten apart).
std::vector<double> nice_ticks(double lo, double hi, int count);

// `text` with &, <, > and " escaped for HTML and SVG.
std::string escape_html(const std::string& text);

}  // namespace aidcsim::views
