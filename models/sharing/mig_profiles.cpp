// NVIDIA MIG profiles and their valid placements (NVIDIA MIG User Guide, "Supported MIG Profiles").
// Positions are first memory slices: A100/H100 have 7 compute and 8 memory slices, A30 4 and 4.
// Also where static layouts sit (place_mig_instances) and where dynamic layouts create an instance
// (mig_dynamic_start).
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "models/sharing/sharing.hpp"

namespace aidcsim {

static const std::vector<MigModel>& mig_models() {
  static const std::vector<MigModel> models = [] {
    auto seven = [](const std::string& gpu, double slice_gib, bool one_g_double) {
      MigModel m{gpu, 7, 8, {}};
      m.profiles.push_back({fmt::format("1g.{}gb", static_cast<int>(slice_gib)), 1, slice_gib, 1, {0, 1, 2, 3, 4, 5, 6}});
      if (one_g_double)
        m.profiles.push_back({fmt::format("1g.{}gb", static_cast<int>(2 * slice_gib)), 1, 2 * slice_gib, 2, {0, 2, 4, 6}});
      m.profiles.push_back({fmt::format("2g.{}gb", static_cast<int>(2 * slice_gib)), 2, 2 * slice_gib, 2, {0, 2, 4}});
      m.profiles.push_back({fmt::format("3g.{}gb", static_cast<int>(4 * slice_gib)), 3, 4 * slice_gib, 4, {0, 4}});
      m.profiles.push_back({fmt::format("4g.{}gb", static_cast<int>(4 * slice_gib)), 4, 4 * slice_gib, 4, {0}});
      m.profiles.push_back({fmt::format("7g.{}gb", static_cast<int>(8 * slice_gib)), 7, 8 * slice_gib, 8, {0}});
      return m;
    };
    std::vector<MigModel> v;
    v.push_back(seven("A100-40GB", 5, true));   // 1g.5gb 1g.10gb 2g.10gb 3g.20gb 4g.20gb 7g.40gb
    v.push_back(seven("A100-80GB", 10, true));  // 1g.10gb 1g.20gb 2g.20gb 3g.40gb 4g.40gb 7g.80gb
    v.push_back(seven("H100-80GB", 10, true));
    MigModel a30{"A30-24GB", 4, 4, {}};
    a30.profiles = {{"1g.6gb", 1, 6, 1, {0, 1, 2, 3}}, {"2g.12gb", 2, 12, 2, {0, 2}}, {"4g.24gb", 4, 24, 4, {0}}};
    v.push_back(a30);
    return v;
  }();
  return models;
}

const MigModel* find_mig_model(const std::string& gpu_model) {
  for (const auto& m : mig_models())
    if (m.gpu_model == gpu_model) return &m;
  return nullptr;
}

std::string check_mig_layout(const MigModel& model, const std::vector<std::string>& profiles) {
  std::vector<const MigProfile*> items;
  for (const auto& name : profiles) {
    auto it = std::find_if(model.profiles.begin(), model.profiles.end(), [&](const MigProfile& p) { return p.name == name; });
    if (it == model.profiles.end()) {
      std::vector<std::string> names;
      for (const auto& p : model.profiles) names.push_back(p.name);
      return fmt::format("{} has no MIG profile \"{}\" (profiles: {})", model.gpu_model, name, join_names(names));
    }
    items.push_back(&*it);
  }
  if (items.empty()) return "an empty layout; expected at least one profile";
  int compute = 0;
  for (auto* p : items) compute += p->compute_slices;
  if (compute > model.compute_slices)
    return fmt::format("the instances need {} compute slices but {} has {}", compute, model.gpu_model, model.compute_slices);
  std::vector<int> indices;
  for (auto* p : items) indices.push_back(static_cast<int>(p - model.profiles.data()));
  if (!place_mig_instances(model, indices))
    return fmt::format("no valid placement of these instances on one {} (NVIDIA MIG placement rules)", model.gpu_model);
  return "";
}

std::optional<std::vector<int>> place_mig_instances(const MigModel& model, const std::vector<int>& profiles) {
  int compute = 0;
  for (int p : profiles) compute += model.profiles[p].compute_slices;
  if (compute > model.compute_slices) return std::nullopt;
  // Largest first (stable: equal sizes keep their order), then a backtracking search for
  // non-overlapping memory positions, each profile's valid starts in increasing order.
  std::vector<std::size_t> order(profiles.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return model.profiles[profiles[a]].memory_slices > model.profiles[profiles[b]].memory_slices;
  });
  std::vector<int> starts(profiles.size(), -1);
  std::vector<char> used(model.memory_slices, 0);
  std::function<bool(std::size_t)> place = [&](std::size_t i) {
    if (i == order.size()) return true;
    const MigProfile& p = model.profiles[profiles[order[i]]];
    for (int start : p.starts) {
      int end = start + p.memory_slices;
      if (end > model.memory_slices || std::any_of(used.begin() + start, used.begin() + end, [](char c) { return c; }))
        continue;
      std::fill(used.begin() + start, used.begin() + end, 1);
      starts[order[i]] = start;
      if (place(i + 1)) return true;
      std::fill(used.begin() + start, used.begin() + end, 0);
    }
    return false;
  };
  if (!place(0)) return std::nullopt;
  return starts;
}

int mig_dynamic_start(const MigModel& model, int profile, const std::vector<MigInstance>& instances) {
  const MigProfile& want = model.profiles[profile];
  int best = -1, best_destroyed = 0;
  for (int start : want.starts) {
    int end = start + want.memory_slices;
    if (end > model.memory_slices) continue;
    int destroyed = 0, kept = 0;
    bool blocked = false;
    for (const auto& in : instances) {
      const MigProfile& p = model.profiles[in.profile];
      if (in.start >= end || start >= in.start + p.memory_slices) {
        kept += p.compute_slices;
      } else if (in.job != kNoMigJob) {
        blocked = true;
        break;
      } else {
        destroyed += p.compute_slices;
      }
    }
    if (blocked || kept + want.compute_slices > model.compute_slices) continue;
    if (best < 0 || destroyed < best_destroyed || (destroyed == best_destroyed && start > best)) {
      best = start;
      best_destroyed = destroyed;
    }
  }
  return best;
}

}  // namespace aidcsim
