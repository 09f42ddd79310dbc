#include "sim/views/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace aidcsim::views {

namespace {

constexpr double kWidth = 760, kHeight = 330;
constexpr double kLeft = 78, kRight = 40, kTop = 30, kBottom = 52;
constexpr std::size_t kMaxPoints = 2000;  // per series; more are thinned, keeping each pixel's min and max
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string tick_text(double v) {
  if (v == 0) return "0";
  double a = std::fabs(v);
  if (a >= 1e6 || a < 1e-3) return fmt::format("{:.0e}", v);
  std::string s = fmt::format("{:.3f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// Keeps the first, lowest, highest and last point of each horizontal pixel: the drawn envelope is the same.
std::vector<std::pair<double, double>> thin(const std::vector<std::pair<double, double>>& pts,
                                            const std::vector<double>& px) {
  if (pts.size() <= kMaxPoints) return pts;
  std::vector<std::pair<double, double>> out;
  std::size_t i = 0;
  while (i < pts.size()) {
    std::size_t j = i;
    std::size_t lo = i, hi = i;
    while (j < pts.size() && std::floor(px[j]) == std::floor(px[i])) {
      if (pts[j].second < pts[lo].second) lo = j;
      if (pts[j].second > pts[hi].second) hi = j;
      ++j;
    }
    std::vector<std::size_t> keep = {i, lo, hi, j - 1};
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    for (auto k : keep) out.push_back(pts[k]);
    i = j;
  }
  return out;
}

}  // namespace

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo)) hi = lo + 1;
  double raw = (hi - lo) / std::max(1, count);
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  double power = std::pow(10.0, std::abs(exponent));
  double unit = exponent >= 0 ? power : 1 / power;
  double m = raw / unit;
  double mantissa = m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10;
  // k * mantissa scaled by an exact power of ten: 3 x 0.2 prints as 0.6, not 0.6000000000000001.
  auto value = [&](long long k) { return exponent >= 0 ? k * mantissa * power : k * mantissa / power; };
  std::vector<double> ticks;
  for (long long k = static_cast<long long>(std::ceil(lo / (mantissa * unit) - 1e-9)); value(k) <= hi + 1e-9 * (hi - lo);
       ++k)
    ticks.push_back(value(k));
  return ticks;
}

std::string svg_line_chart(const ChartSpec& spec) {
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  double x_pos_min = x_lo;
  for (const auto& s : spec.series)
    for (auto [x, y] : s.points) {
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x), y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
      if (x > 0) x_pos_min = std::min(x_pos_min, x);
    }
  bool empty = !(x_hi >= x_lo);
  if (empty) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1, x_pos_min = 1;
  if (spec.y_min) y_lo = *spec.y_min;
  if (spec.y_max) y_hi = std::max(*spec.y_max, y_lo);
  y_lo = std::min(y_lo, 0.0);
  if (y_hi <= y_lo) y_hi = y_lo + 1;
  std::vector<double> y_ticks = nice_ticks(y_lo, y_hi, 5);
  y_hi = std::max(y_hi, y_ticks.back());
  std::vector<double> x_ticks;
  double lx_lo = 0, lx_hi = 1;  // log10 range for a log axis
  if (spec.log_x) {
    if (!(x_pos_min < std::numeric_limits<double>::infinity())) x_pos_min = 1;
    lx_lo = std::floor(std::log10(x_pos_min));
    lx_hi = std::max(lx_lo + 1, std::ceil(std::log10(std::max(x_hi, x_pos_min))));
    for (double e = lx_lo; e <= lx_hi; ++e) x_ticks.push_back(std::pow(10.0, e));
  } else {
    if (x_hi <= x_lo) x_hi = x_lo + 1;
    x_ticks = nice_ticks(x_lo, x_hi, 6);
  }
  auto sx = [&](double x) {
    if (spec.log_x) {
      double l = x > 0 ? std::log10(x) : lx_lo;
      return kLeft + plot_w * (std::max(l, lx_lo) - lx_lo) / (lx_hi - lx_lo);
    }
    return kLeft + plot_w * (x - x_lo) / (x_hi - x_lo);
  };
  auto sy = [&](double y) { return kTop + plot_h * (1 - (y - y_lo) / (y_hi - y_lo)); };

  std::string svg = fmt::format(
      "<svg class=\"chart\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"{2}\">\n<title>{2}</title>\n",
      kWidth, kHeight, escape_html(spec.title));
  svg += fmt::format("<text x=\"{}\" y=\"18\" class=\"chart-title\">{}</text>\n", kLeft, escape_html(spec.title));
  for (double t : y_ticks) {
    double y = sy(t);
    svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
                       kLeft, kLeft + plot_w, y, y, kLeft - 6, y + 4, tick_text(t));
  }
  for (double t : x_ticks) {
    if (!spec.log_x && (t < x_lo - 1e-9 || t > x_hi + 1e-9)) continue;
    double x = sx(t);
    svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
                       "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                       x, x, kTop, kTop + plot_h, x, kTop + plot_h + 16, tick_text(t));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"frame\"/>\n", kLeft, kTop, plot_w,
                     plot_h);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis-label\" text-anchor=\"middle\">{}</text>\n",
                     kLeft + plot_w / 2, kHeight - 10, escape_html(spec.x_label));
  svg += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" class=\"axis-label\" "
                     "text-anchor=\"middle\">{}</text>\n",
                     kTop + plot_h / 2, escape_html(spec.y_label));
  if (empty)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"no-data\" text-anchor=\"middle\">no data</text>\n",
                       kLeft + plot_w / 2, kTop + plot_h / 2);
  // Lines drawn last series first, so that the first lies on top; the legend reads in series order,
  // right-aligned above the plot.
  for (std::size_t k = spec.series.size(); k-- > 0;) {
    const auto& s = spec.series[k];
    std::vector<double> px;
    for (auto [x, y] : s.points) px.push_back(sx(x));
    auto pts = thin(s.points, px);
    std::string d;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      double x = sx(pts[i].first), y = sy(pts[i].second);
      if (i == 0) d += fmt::format("M{:.1f},{:.1f}", x, y);
      else if (s.step) d += fmt::format("H{:.1f}V{:.1f}", x, y);
      else d += fmt::format("L{:.1f},{:.1f}", x, y);
    }
    if (pts.size() == 1) d += "h2";  // a lone point still shows
    if (d.empty()) continue;
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"><title>{}</title></path>\n",
                       d, kColors[k % std::size(kColors)], escape_html(s.name));
  }
  // The legend in rows below the x axis label, wrapped at the plot's width.
  double legend_x = kLeft, legend_y = kHeight + 8;
  for (std::size_t k = 0; k < spec.series.size(); ++k) {
    const auto& name = spec.series[k].name;
    double item_w = 7.0 * name.size() + 30;
    if (legend_x > kLeft && legend_x + item_w > kLeft + plot_w) legend_x = kLeft, legend_y += 18;
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" "
                       "stroke-width=\"3\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\" class=\"legend\">{6}</text>\n",
                       legend_x, legend_x + 14, legend_y - 4, kColors[k % std::size(kColors)], legend_x + 18, legend_y,
                       escape_html(name));
    legend_x += item_w;
  }
  double height = spec.series.empty() ? kHeight : legend_y + 8;
  // The final height is known only now: patch it into the opening tag.
  const std::string placeholder = fmt::format("height=\"{0}\" viewBox=\"0 0 {1} {0}\"", kHeight, kWidth);
  svg.replace(svg.find(placeholder), placeholder.size(),
              fmt::format("height=\"{0:.0f}\" viewBox=\"0 0 {1} {0:.0f}\"", height, kWidth));
  svg += "</svg>\n";
  return svg;
}

}  // namespace aidcsim::views
