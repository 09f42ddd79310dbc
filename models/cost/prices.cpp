// A server's price: the first cost group that matches it and has a price, else server_hour of its GPU
// model ("cpu" without GPUs), else the preset's row for its `instance_type` prop. A price is a number
// (currency per server-hour) or the name of an instance type of the preset, which costs its hourly
// price scaled by the server's GPUs over the instance's (docs/cost.md).
#include "models/cost/prices.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "sim/config/options.hpp"
#include "sim/core/cluster.hpp"

namespace aidcsim {

namespace {

constexpr const char* kNoGpuKey = "cpu";

struct GroupSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> match;
  std::optional<nlohmann::json> price;  // as written; checked per server
  std::string price_path;
};

class PriceReader {
 public:
  PriceReader(PolicyArgs& args, const CloudPricePreset* preset)
      : options_(args.options), cluster_(args.cluster), preset_(preset) {}

  std::unique_ptr<ServerPrices> read() {
    auto out = std::make_unique<ServerPrices>();
    out->currency = options_.text("currency", "USD");
    if (out->currency.empty()) options_.problem("currency", "empty; expected a currency name such as \"USD\"");
    if (preset_ && out->currency != "USD")
      options_.problem("currency", fmt::format("\"{}\" with cost.preset \"{}\", whose prices are in USD; expected \"USD\"",
                                               out->currency, preset_->name));
    read_server_hour();
    read_groups();
    price_servers(*out);
    return out;
  }

 private:
  std::string server_gpu_model(ServerIndex s) const {
    const Server& server = cluster_.servers[s];
    return server.gpus.empty() ? kNoGpuKey : cluster_.gpus[server.gpus.front()].model;
  }

  // A price as written (number or instance type), checked; nullopt after reporting a problem.
  std::optional<double> check_price(const nlohmann::json& value, const std::string& pointer) {
    if (value.is_number()) {
      double v = value.get<double>();
      if (!(v >= 0) || !std::isfinite(v)) {
        options_.problem_at(pointer, fmt::format("found {}, expected a price per server-hour >= 0", value.dump()));
        return std::nullopt;
      }
      return v;
    }
    if (value.is_string()) {
      const std::string name = value.get<std::string>();
      if (!preset_) {
        options_.problem_at(pointer, fmt::format("\"{}\" names an instance type, but cost.preset is \"none\"; expected a "
                                                 "number, or cost.preset set to a price table (aidcsim list instances)",
                                                 name));
        return std::nullopt;
      }
      if (!find_cloud_instance(*preset_, name)) {
        options_.problem_at(pointer, fmt::format("\"{}\" is not an instance type of cost.preset \"{}\"; expected one of: {}",
                                                 name, preset_->name, instance_names()));
        return std::nullopt;
      }
      return 0;  // scaled per server in price_of()
    }
    options_.problem_at(pointer, fmt::format("found {}, expected a price per server-hour (a number >= 0) or an "
                                             "instance type of cost.preset",
                                             value.dump()));
    return std::nullopt;
  }

  std::string instance_names() const {
    std::string names;
    for (const auto& i : preset_->instances) names += (names.empty() ? "" : ", ") + i.name;
    return names;
  }

  // The hourly price of server s for a checked price value.
  double price_of(const nlohmann::json& value, ServerIndex s) const {
    if (value.is_number()) return value.get<double>();
    return instance_price(*find_cloud_instance(*preset_, value.get<std::string>()), s);
  }
  double instance_price(const CloudInstanceType& type, ServerIndex s) const {
    const auto gpus = cluster_.servers[s].gpus.size();
    if (gpus == 0 || type.gpus == 0) return type.usd_per_hour;
    return type.usd_per_hour * static_cast<double>(gpus) / type.gpus;
  }

  void read_server_hour() {
    const nlohmann::json* m = options_.raw("server_hour");
    if (!m) return;
    if (!m->is_object()) {
      options_.problem("server_hour", fmt::format("found {}, expected an object of GPU model: price per server-hour",
                                                  m->dump()));
      return;
    }
    std::vector<std::string> keys = cluster_.gpu_models;
    bool cpu_servers = false;
    for (const auto& server : cluster_.servers) cpu_servers = cpu_servers || server.gpus.empty();
    if (cpu_servers) keys.push_back(kNoGpuKey);
    for (const auto& [key, value] : m->items()) {
      const std::string pointer = options_.path("server_hour") + "/" + json_pointer_escape(key);
      bool known = cluster_.servers.empty();  // no platform (already reported): nothing to check against
      for (const auto& k : keys) known = known || k == key;
      if (!known) {
        std::string names;
        for (const auto& k : keys) names += (names.empty() ? "\"" : ", \"") + k + "\"";
        options_.problem_at(pointer, fmt::format("\"{}\" is not a GPU model of the platform; expected one of: {}{}", key,
                                                 names, cpu_servers ? "" : " (\"cpu\" is for servers without GPUs; the platform has none)"));
        continue;
      }
      if (check_price(value, pointer)) by_model_.emplace_back(key, value);
    }
  }

  void read_groups() {
    for (auto& g : options_.items("groups")) {
      GroupSpec spec;
      spec.name = g.text("name", "");
      if (spec.name.empty()) g.problem("name", "missing; expected the group's name");
      for (const auto& other : groups_)
        if (!spec.name.empty() && other.name == spec.name)
          g.problem("name", fmt::format("group \"{}\" is declared twice", spec.name));
      if (const auto* m = g.raw("match")) {
        if (!m->is_object()) g.problem("match", fmt::format("found {}, expected an object of property: value", m->dump()));
        else
          for (const auto& [k, v] : m->items()) spec.match.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
      } else {
        g.problem("match", "missing; expected an object of property: value selecting the group's servers (e.g. "
                           "{\"node_group\": \"burst\"} or {\"rack\": \"rack-001\"})");
      }
      if (const auto* price = g.raw("server_hour")) {
        spec.price_path = g.path("server_hour");
        if (check_price(*price, spec.price_path)) spec.price = *price;
      }
      g.reject_unknown();
      bool any = false;
      for (ServerIndex s = 0; s < cluster_.servers.size() && !any; ++s) any = matches(spec, s);
      if (!any && g.has("match") && !cluster_.servers.empty()) {
        std::string what;
        for (const auto& [prop, value] : spec.match) what += fmt::format("{}{}={}", what.empty() ? "" : ", ", prop, value);
        g.problem("match", fmt::format("group \"{}\" matches no server of the platform ({}); expected a property value "
                                       "that some server has (e.g. node_group, instance_type, rack, gpu_model)",
                                       spec.name, what));
      }
      groups_.push_back(std::move(spec));
    }
  }

  bool matches(const GroupSpec& g, ServerIndex s) const {
    for (const auto& [prop, value] : g.match)
      if (server_property(cluster_, s, prop) != value) return false;
    return true;
  }

  void price_servers(ServerPrices& out) {
    const std::size_t n = cluster_.servers.size();
    out.per_hour.assign(n, 0);
    out.group.assign(n, "");
    out.gpu_model.assign(n, "");
    std::vector<std::string> unpriced;
    std::size_t unpriced_count = 0;
    for (ServerIndex s = 0; s < n; ++s) {
      out.gpu_model[s] = server_gpu_model(s);
      std::optional<double> price;
      for (const auto& g : groups_) {
        if (!matches(g, s)) continue;
        if (out.group[s].empty()) out.group[s] = g.name;  // the first group that matches names it
        if (g.price) {
          price = price_of(*g.price, s);
          out.group[s] = g.name;
          break;
        }
      }
      if (out.group[s].empty()) out.group[s] = server_property(cluster_, s, "node_group");
      if (out.group[s].empty()) out.group[s] = "ungrouped";
      if (!price)
        for (const auto& [model, value] : by_model_)
          if (model == out.gpu_model[s]) price = price_of(value, s);
      if (!price && preset_) {
        const std::string type = server_property(cluster_, s, "instance_type");
        if (const CloudInstanceType* row = type.empty() ? nullptr : find_cloud_instance(*preset_, type))
          price = instance_price(*row, s);
      }
      if (price) {
        out.per_hour[s] = *price;
        continue;
      }
      if (++unpriced_count <= 3) {
        const std::string type = server_property(cluster_, s, "instance_type");
        unpriced.push_back(fmt::format("{} (gpu_model {}{})", cluster_.servers[s].name, out.gpu_model[s],
                                       type.empty() ? "" : ", instance_type " + type));
      }
    }
    if (unpriced_count == 0) return;
    std::string list;
    for (const auto& u : unpriced) list += (list.empty() ? "" : ", ") + u;
    if (unpriced_count > unpriced.size()) list += fmt::format(" and {} more", unpriced_count - unpriced.size());
    options_.problem("", fmt::format("{} server(s) have no price: {}; expected cost.server_hour.<GPU model> (\"cpu\" "
                                    "without GPUs), a cost group with server_hour matching them, or an instance_type prop "
                                    "of a cost.preset price table",
                                    unpriced_count, list));
  }

  OptionReader& options_;
  const Cluster& cluster_;
  const CloudPricePreset* preset_;
  std::vector<std::pair<std::string, nlohmann::json>> by_model_;
  std::vector<GroupSpec> groups_;
};

}  // namespace

std::unique_ptr<ServerPrices> read_server_prices(PolicyArgs& args, const CloudPricePreset* preset) {
  return PriceReader(args, preset).read();
}

}  // namespace aidcsim
