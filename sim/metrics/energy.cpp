#include "sim/metrics/energy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>


namespace aidcsim {

static std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

static std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

// A whole-string decimal number (as xbt_str_parse_double wants), finite and >= 0.
static std::optional<double> watts(const std::string& text) {
  std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double x = std::strtod(t.c_str(), &end);
  if (errno != 0 || end != t.c_str() + t.size() || !std::isfinite(x) || x < 0) return std::nullopt;
  return x;
}

std::optional<HostPower> parse_host_power(const std::string& per_state, const std::string& off, int pstates,
                                          std::string& error) {
  std::vector<std::string> states = split(per_state, ',');
  if (static_cast<int>(states.size()) != pstates) {
    error = fmt::format("prop 'wattage_per_state' is '{}': {} power profile(s) for {} pstate(s); SimGrid's energy "
                        "plugin wants one 'idle:all_cores' (or 'idle:epsilon:all_cores') per pstate",
                        per_state, states.size(), pstates);
    return std::nullopt;
  }
  std::vector<std::string> values = split(states.front(), ':');
  std::vector<double> w;
  for (const auto& v : values)
    if (auto x = watts(v)) w.push_back(*x);
  if ((values.size() != 2 && values.size() != 3) || w.size() != values.size()) {
    error = fmt::format("prop 'wattage_per_state' is '{}', expected 'idle:all_cores' or 'idle:epsilon:all_cores' in "
                        "watts (numbers >= 0), e.g. 55:400",
                        per_state);
    return std::nullopt;
  }
  HostPower p;
  p.known = true;
  p.from_props = true;
  p.idle_w = w[0];
  p.epsilon_w = w.size() == 3 ? w[1] : w[0];
  p.full_w = w.back();
  if (!trim(off).empty()) {
    auto x = watts(off);
    if (!x) {
      error = fmt::format("prop 'wattage_off' is '{}', expected watts (a number >= 0)", off);
      return std::nullopt;
    }
    p.off_w = *x;
  }
  return p;
}

double power_at_load(const HostPower& p, double load) {
  if (!p.known) return 0;
  return load > 0 ? p.epsilon_w + std::min(load, 1.0) * (p.full_w - p.epsilon_w) : p.idle_w;
}

std::vector<HostDemand> host_demands(const ActivityPlan& plan, const Cluster& cluster) {
  std::vector<HostDemand> out;
  out.reserve(plan.execs.size());
  for (const auto& e : plan.execs) {
    if (e.flops <= 0) continue;  // SimGrid ends an empty Exec at once: no load
    double rate = e.on_gpu ? cluster.gpus[e.index].speed_flops : cluster.servers[e.index].core_speed_flops;
    if (e.bound_flops > 0) rate = std::min(rate, e.bound_flops);
    out.push_back({e.on_gpu, e.index, rate});
  }
  return out;
}

PowerModel::PowerModel(const Cluster& cluster, PowerOptions options, double start_s)
    : cluster_(cluster), options_(options), gpus_(cluster.gpus.size()), start_s_(start_s), last_s_(start_s) {
  hosts_.resize(cluster.gpus.size() + cluster.servers.size());
  for (std::size_t g = 0; g < cluster.gpus.size(); ++g) {
    HostState& h = hosts_[g];
    h.profile = cluster.gpus[g].power;
    h.gpu = true;
    h.model = cluster.gpus[g].model_index;
    h.capacity = cluster.gpus[g].cores * cluster.gpus[g].speed_flops;
  }
  for (std::size_t s = 0; s < cluster.servers.size(); ++s) {
    HostState& h = hosts_[gpus_ + s];
    h.profile = cluster.servers[s].power;
    h.gpu = false;
    h.capacity = cluster.servers[s].cores * cluster.servers[s].core_speed_flops;
  }
  power_model_w_.assign(cluster.gpu_models.size(), 0);
  energy_model_j_.assign(cluster.gpu_models.size(), 0);
  for (std::size_t h = 0; h < hosts_.size(); ++h) {
    has_power_data_ = has_power_data_ || hosts_[h].profile.known;
    refresh(h);
  }
  servers_.resize(cluster.servers.size());
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    servers_[s].idle_since = start_s;
    servers_[s].booted_at = start_s;
    if (std::isfinite(options_.off_after_s)) push(start_s + options_.off_after_s, true, static_cast<std::uint32_t>(s), 0);
  }
}

void PowerModel::push(double t, bool power_off, std::uint32_t index, std::uint64_t generation) {
  events_.push({t, sequence_++, power_off, index, generation});
}

void PowerModel::integrate_to(double t) {
  if (!(t > last_s_)) return;
  double dt = t - last_s_;
  energy_gpu_j_ += power_gpu_w_ * dt;
  energy_server_j_ += power_server_w_ * dt;
  gpu_busy_s_ += busy_gpus_ * dt;
  for (std::size_t m = 0; m < power_model_w_.size(); ++m) energy_model_j_[m] += power_model_w_[m] * dt;
  last_s_ = t;
}

void PowerModel::refresh(std::size_t h) {
  HostState& hs = hosts_[h];
  double p;
  if (!hs.profile.known) p = 0;
  else if (hs.off) p = hs.profile.off_w;
  else if (hs.works == 0) p = hs.profile.idle_w;
  else p = power_at_load(hs.profile, hs.capacity > 0 ? std::min(1.0, hs.demand / hs.capacity) : 1.0);
  double load = hs.off || hs.works == 0 ? 0 : hs.capacity > 0 ? std::min(1.0, hs.demand / hs.capacity) : 1.0;
  if (hs.gpu) busy_gpus_ += load - hs.load;
  hs.load = load;
  double delta = p - hs.power_w;
  hs.power_w = p;
  if (delta == 0) return;
  if (hs.gpu) {
    power_gpu_w_ += delta;
    if (hs.model >= 0 && hs.model < static_cast<int>(power_model_w_.size())) power_model_w_[hs.model] += delta;
  } else {
    power_server_w_ += delta;
  }
}

void PowerModel::advance_to(double t) {
  while (!events_.empty() && events_.top().t <= t) {
    Event e = events_.top();
    events_.pop();
    integrate_to(e.t);
    if (e.power_off) {
      ServerState& ss = servers_[e.index];
      if (e.generation == ss.generation && !std::isnan(ss.idle_since) && ss.state != State::off) power_off(e.index, e.t);
    } else {
      JobWork* w = find_job(e.index);
      if (w && !w->active && w->generation == e.generation) set_work(*w, true);
    }
  }
  integrate_to(t);
}

void PowerModel::power_off(ServerIndex s, double) {
  servers_[s].state = State::off;
  ++servers_off_;
  ++power_off_events_;
  set_server_hosts_off(s, true);
}

void PowerModel::set_server_hosts_off(ServerIndex s, bool off) {
  auto set = [&](std::size_t h) {
    hosts_[h].off = off;
    refresh(h);
  };
  set(host_of(false, s));
  for (GpuIndex g : cluster_.servers[s].gpus) set(host_of(true, g));
}

double PowerModel::run_starting(JobIndex, const Allocation& allocation, double now) {
  advance_to(now);
  std::vector<ServerIndex> servers;
  for (const auto& sv : allocation.servers) servers.push_back(sv.server);
  for (const auto& g : allocation.gpus) servers.push_back(cluster_.gpus[g.gpu].server);
  std::sort(servers.begin(), servers.end());
  servers.erase(std::unique(servers.begin(), servers.end()), servers.end());
  double wait = 0;
  for (ServerIndex s : servers) {
    ServerState& ss = servers_[s];
    if (ss.state == State::off) {
      // Boots now, drawing idle power until its job's work starts.
      ss.state = State::booting;
      ss.booted_at = now + options_.boot_s;
      --servers_off_;
      ++boots_;
      set_server_hosts_off(s, false);
      wait = std::max(wait, options_.boot_s);
    } else if (ss.state == State::booting && ss.booted_at > now) {
      wait = std::max(wait, ss.booted_at - now);  // a boot under way: the run waits for the rest of it
    }
  }
  return wait;
}

void PowerModel::plan_work(JobIndex j, std::vector<HostDemand> demand, double work_start_s) {
  JobWork& w = jobs_[j];
  if (w.active) set_work(w, false);
  w.demand = std::move(demand);
  w.generation = ++job_generation_;
  if (std::isnan(work_start_s)) return;
  // Work starting now (most runs: no start-up delay) needs no event.
  if (work_start_s <= last_s_) set_work(w, true);
  else push(work_start_s, false, j, w.generation);
}

void PowerModel::work_started(JobIndex j, double now) {
  advance_to(now);
  JobWork* w = find_job(j);
  if (w && !w->active) set_work(*w, true);
}

void PowerModel::run_ended(JobIndex j, double now) {
  advance_to(now);
  JobWork* w = find_job(j);
  if (!w) return;
  if (w->active) set_work(*w, false);
  jobs_.erase(j);  // its pending work-start event, if any, finds nothing
}

void PowerModel::set_work(JobWork& w, bool active) {
  w.active = active;
  for (const auto& d : w.demand) {
    std::size_t h = host_of(d.on_gpu, d.index);
    HostState& hs = hosts_[h];
    hs.works += active ? 1 : -1;
    hs.demand += active ? d.flops_per_s : -d.flops_per_s;
    if (hs.works <= 0) {
      hs.works = 0;
      hs.demand = 0;  // exactly: no rounding residue may read as load
    }
    refresh(h);
  }
}

void PowerModel::servers_changed(const Allocation& allocation, const Ledger& ledger, double now) {
  ServerIndex last = static_cast<ServerIndex>(-1);
  for (const auto& sv : allocation.servers) server_maybe_idle(sv.server, ledger.server_idle(sv.server), now);
  for (const auto& g : allocation.gpus) {
    ServerIndex s = cluster_.gpus[g.gpu].server;
    if (s == last) continue;
    last = s;
    server_maybe_idle(s, ledger.server_idle(s), now);
  }
}

void PowerModel::server_maybe_idle(ServerIndex s, bool idle, double now) {
  advance_to(now);
  ServerState& ss = servers_[s];
  if (ss.state == State::away) return;
  if (idle) {
    if (!std::isnan(ss.idle_since)) return;
    // Idle from now, or from the end of a boot under way.
    ss.idle_since = ss.state == State::booting ? std::max(now, ss.booted_at) : now;
    ++ss.generation;
    if (std::isfinite(options_.off_after_s))
      push(ss.idle_since + options_.off_after_s, true, s, ss.generation);
  } else {
    if (std::isnan(ss.idle_since)) return;
    ss.idle_since = kNoTime;
    ++ss.generation;
    if (ss.state == State::off) {
      // Resources taken without run_starting() (not done by the core): the server comes back at once.
      ss.state = State::on;
      --servers_off_;
      ++boots_;
      set_server_hosts_off(s, false);
    }
  }
}

void PowerModel::server_availability_changed(ServerIndex s, bool available, double now) {
  advance_to(now);
  ServerState& ss = servers_[s];
  if (available == (ss.state != State::away)) return;
  ++ss.generation;  // pending power-off events of its earlier idleness are stale
  if (!available) {
    if (ss.state == State::off) --servers_off_;
    ss.state = State::away;
    ss.idle_since = kNoTime;
    ++servers_away_;
    set_server_hosts_off(s, true);
    return;
  }
  ss.state = State::on;
  --servers_away_;
  set_server_hosts_off(s, false);
  ss.idle_since = now;
  if (std::isfinite(options_.off_after_s)) push(now + options_.off_after_s, true, s, ss.generation);
}

double round_energy_j(double j) {
  // Millijoules; whole joules beyond 1e12 J, where x 1e3 would lose digits (and print as 1.0000001).
  return std::abs(j) < 1e12 ? std::round(j * 1e3) / 1e3 : std::round(j);
}

static double clean(double w) { return std::abs(w) < 1e-9 ? 0.0 : w; }

void PowerModel::sample(double now, std::vector<Sample>& out) {
  advance_to(now);
  out.push_back({"power_w", "", clean(power_w())});
  out.push_back({"power_w", "gpu", clean(power_gpu_w_)});
  out.push_back({"power_w", "server", clean(power_server_w_)});
  out.push_back({"servers_off", "", static_cast<double>(servers_off_)});
}

nlohmann::json PowerModel::summary(double end_s) {
  advance_to(std::max(end_s, start_s_));
  nlohmann::json by_model = nlohmann::json::object();
  for (std::size_t m = 0; m < cluster_.gpu_models.size(); ++m) by_model[cluster_.gpu_models[m]] = round_energy_j(energy_model_j_[m]);
  return {{"total", round_energy_j(energy_total_j())},
          {"gpu", round_energy_j(energy_gpu_j_)},
          {"server", round_energy_j(energy_server_j_)},
          {"by_gpu_model", by_model},
          {"servers_powered_off", power_off_events_},
          {"boots", boots_}};
}

}  // namespace aidcsim
