#pragma once
// Serving the requests of the inference services on their replicas (docs/inference.md). Follows the
// replica jobs through the core's lifecycle events: a replica serves from the end of its start-up
// until its run ends (the service is over, or it was preempted: its requests go back to the service
// and are recomputed elsewhere). Arrivals and iteration ends are model events of the core's queue.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/inference/service.hpp"
#include "models/inference/service_sim.hpp"
#include "sim/core/core.hpp"
#include "sim/core/lifecycle.hpp"
#include "sim/core/registry.hpp"
#include "sim/policy/services.hpp"

namespace aidcsim {

class ServiceModel final : public ServiceWorkload, private EventHandler {
 public:
  explicit ServiceModel(std::vector<ServiceSpec> services);
  std::vector<JobSpec> jobs() const override { return replica_jobs(services_); }
  // Once the core exists: finds the replica jobs and schedules the arrivals.
  void attach(Core& core) override;

  void work_planned(JobIndex j, const ActivityPlan& plan, double work_start_s, double now) override;
  void work_started(JobIndex j, double now) override;
  void run_ended(JobIndex j, RunEnd how, double now) override;
  // A replica loads its model's weights from the storage host before it serves.
  void add_startup(JobIndex j, const Allocation& allocation, Startup& startup) override;

  std::string requests_csv() const override;
  std::vector<std::pair<std::string, ServiceFigures>> figures(double end_s) const override;
  void sample(double now, std::vector<Sample>& out) override;
  // The aidcsim_service_* metrics (sim/core/metric_table.cpp).
  void collect(double now, const MetricSink& sink) override;
  const std::vector<ServiceSpec>& services() const { return services_; }
  bool is_replica(JobIndex j) const override { return by_job_.count(j) > 0; }

  // ScalableServices (service_scaling.cpp): the HPA's view and actions.
  std::optional<std::size_t> service_index(const std::string& name) const override;
  std::string not_scalable(std::size_t s) const override;
  void set_replica_range(std::size_t s, int min_replicas, int max_replicas) override;
  ReplicaStatus replica_status(std::size_t s) const override;
  void scale(std::size_t s, int replicas, double now) override;
  double replica_seconds(std::size_t s) const override;

 private:
  struct Replica {
    JobIndex job = 0;
    std::unique_ptr<ReplicaEngine> engine;
    bool serving = false, in_iteration = false;
    // Autoscaled services: whether the replica is wanted (counted in the replica count), and whether it
    // was removed while serving: it takes no new request and is parked once its requests are done.
    bool wanted = true, draining = false;
    double last_run_end_s = -1;  // when its last run ended (a removed replica ended then)
    std::uint32_t run = 0;         // bumped at every start and end of its run: stale events are ignored
    double serving_since_s = 0, served_s = 0;
    bool prompt_pool = false;
    double iteration_start_s = 0, busy_s = 0;  // time in iterations      // disaggregated: prefills only (else: tokens, or both when not disaggregated)
  };
  // A KV cache on its way from a prompt replica to a token replica (service_handover.cpp).
  struct Handover {
    std::size_t service = 0;
    std::uint32_t request = 0;
    std::size_t to = 0;       // token replica
    std::uint32_t to_run = 0;  // its run when the transfer started
    double start_s = 0;
  };
  struct Service {
    std::vector<Replica> replicas;
    std::deque<std::uint32_t> waiting;  // requests that arrived while no replica served
    std::deque<std::pair<std::uint32_t, std::size_t>> waiting_for_token;  // (request, prompt replica): no token replica served
    std::unique_ptr<Router> router, token_router;
    std::vector<double> kv_transfer_s;
    std::size_t finished = 0;           // completed or rejected
    std::size_t arrived = 0, arrived_at_last_sample = 0;
    long long events = 0;  // arrivals, iteration ends and start-ups handled
    bool over = false;
    bool autoscaled = false;
    int desired = 0;             // replicas wanted (autoscaled services)
    bool flush_pending = false;  // an event will route the waiting requests
  };
  static constexpr std::uint64_t kFlushWaiting = 0xFFFFF;  // a kReady payload: route what waits
  static constexpr std::uint64_t kParkFlag = std::uint64_t(1) << 39;  // a kReady payload: park replica k
  enum Kind : std::uint64_t { kArrival = 0, kIterationEnd = 1, kReady = 2, kKvArrived = 3 };
  static std::uint64_t pack(Kind kind, std::size_t service, std::uint64_t value) {
    return (static_cast<std::uint64_t>(kind) << 62) | (static_cast<std::uint64_t>(service) << 40) | value;
  }
  // What a service's replicas hold now (timeseries.csv's samples and the scraped metrics).
  struct Load {
    double serving = 0, starting = 0, queued = 0, batch = 0, kv_used = 0, kv_capacity = 0;
  };
  Load load_of(std::size_t s) const;
  void on_event(std::uint64_t payload, double now) override;
  void route(std::size_t s, std::uint32_t r, double now);
  // A serving replica of the prompt pool (all replicas when not disaggregated) or of the token pool, by
  // the service's router for that pool; none when none serves.
  std::optional<std::size_t> pick(std::size_t s, bool token_pool);
  void kick(std::size_t s, std::size_t k, double now);
  void ready(std::size_t s, std::size_t k, double now);
  void flush_waiting(std::size_t s, double now);
  void finish_service_if_done(std::size_t s, double now);
  // A removed replica is parked once it has nothing left to do (service_scaling.cpp).
  void park_if_drained(std::size_t s, std::size_t k, double now);
  // Parks replica k if it is not wanted and the core still has it pending or running.
  void park_unwanted(std::size_t s, std::size_t k, double now);
  std::unique_ptr<ReplicaEngine> new_engine(std::size_t s, bool prompt_pool) const;
  // Disaggregated serving (service_handover.cpp): a prefilled request's KV cache travels to a token replica.
  void hand_over(std::size_t s, std::size_t from, std::uint32_t q, double now);
  void kv_arrived(std::uint64_t id, double now);
  ServerIndex server_of(const Replica& r) const;
  Replica* replica_of(JobIndex j, std::size_t* s = nullptr, std::size_t* k = nullptr);

  std::vector<ServiceSpec> services_;
  std::vector<Service> state_;
  std::vector<std::vector<RequestOutcome>> outcomes_;
  std::vector<std::vector<int>> replica_of_request_;
  std::vector<std::vector<char>> rejected_;
  std::map<JobIndex, std::pair<std::size_t, std::size_t>> by_job_;
  std::map<std::uint64_t, Handover> handovers_;  // by id, under way
  std::uint64_t next_handover_ = 0;
  Core* core_ = nullptr;
  double last_sample_s_ = -1;
};

std::unique_ptr<ServiceWorkload> make_llm_services(PolicyArgs& args);

}  // namespace aidcsim
