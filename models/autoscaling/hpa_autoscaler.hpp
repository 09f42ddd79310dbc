#pragma once
// The HPA on inference services (autoscaling.services.<name>; docs/autoscaling.md): every
// sync_period_s from the first submission it reads each ready replica's metric from the scrapes
// (Scraper::latest: the newest sample visible then, none from before the replica became ready),
// asks HpaController for the replica count and resizes the service. Syncs are events of the core's
// queue that do not keep the run alive.
#include <memory>
#include <string>
#include <vector>

#include "models/autoscaling/hpa.hpp"
#include "sim/config/options.hpp"
#include "sim/core/registry.hpp"
#include "sim/policy/autoscaling.hpp"

namespace aidcsim {

struct HpaTarget {
  std::string service, metric;  // metric: its registry name, labelled {service, replica}
  std::string pointer;          // /autoscaling/services/<name>, for problems found in configure()
  bool counter = false;         // a counter is read as its rate (Scraper::latest_rate)
  HpaSpec spec;
  double sync_period_s = 15;
};

// Reads autoscaling.services (problems go to the reader).
std::vector<HpaTarget> read_hpa_targets(OptionReader& autoscaling);

class HpaAutoscaler final : public ServiceAutoscaler, private EventHandler {
 public:
  HpaAutoscaler(std::vector<HpaTarget> targets, OptionReader& reader) : targets_(std::move(targets)), reader_(&reader) {}
  void configure(ScalableServices& services) override;
  void start(EventQueue& queue, double start_s, Scraper& scraper) override;
  const std::vector<ScalingRow>& scaling_rows() const override { return rows_; }
  nlohmann::json summary(double end_s) const override;

 private:
  void on_event(std::uint64_t payload, double now) override;
  void sync(std::size_t t, double now);

  struct Scaled {
    std::size_t target = 0, service = 0;
    std::unique_ptr<HpaController> controller;
    long long syncs = 0, ups = 0, downs = 0;
    int lowest = 0, highest = 0;
  };
  std::vector<HpaTarget> targets_;
  OptionReader* reader_;  // valid until configure() returns
  std::vector<Scaled> scaled_;
  std::vector<ScalingRow> rows_;
  ScalableServices* services_ = nullptr;
  Scraper* scraper_ = nullptr;
  EventQueue* queue_ = nullptr;
  double start_s_ = 0;
};

std::unique_ptr<ServiceAutoscaler> make_hpa(PolicyArgs& args);

}  // namespace aidcsim
