#pragma once
// One inference replica's iteration-level scheduler (docs/inference.md), three ways of forming a batch:
// - vllm: vLLM's V1 continuous batching (vllm/v1/core/sched/scheduler.py). Each iteration has a token
//   budget (max_num_batched_tokens) and a sequence cap (max_num_seqs); running requests are scheduled
//   first (a decode computes 1 token, an unfinished prefill a chunk of what the budget leaves), then
//   waiting ones in FCFS order, their KV blocks allocated chunk by chunk.
// - sarathi: Sarathi-Serve's stall-free batching as Vidur models it (sarathi_replica_scheduler.py):
//   decodes of running requests first, then unfinished prefills, then new requests, every prefill
//   chunked to what is left of chunk_size tokens; a new request takes the blocks of its whole prompt
//   when it is admitted, and only while a watermark (a fraction of the cache) stays free.
// - static: request-level batching (Vidur's faster_transformer scheduler): up to max_batch_size waiting
//   requests start together, each reserving the KV of its whole length; the batch runs (one prefill
//   iteration, then decodes of those not yet done) until its last request ends, and only then is the
//   next batch formed and the memory of the batch freed.
// The KV cache is paged in blocks of 16 tokens; when a block cannot be had, the last running request is
// preempted: its KV is freed and it recomputes its prompt and the tokens it generated so far (vLLM's
// recompute), from the front of the waiting queue. The prefill of a request yields its first output
// token; each further token costs one decode iteration. Iteration times come from the measured table
// (perf_model.hpp). Pure logic: the caller owns time.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "models/inference/perf_model.hpp"
#include "models/inference/requests.hpp"

namespace aidcsim {

struct BatchingConfig {
  enum class Policy { vllm, sarathi, static_batches } policy = Policy::vllm;
  int max_num_seqs = 256;                   // vllm and sarathi: requests in one iteration
  long long max_num_batched_tokens = 8192;  // vllm: tokens in one iteration
  long long chunk_size = 512;               // sarathi: tokens in one iteration
  double watermark_fraction = 0.01;         // sarathi: cache kept free when admitting
  int max_batch_size = 128;                 // static: requests in one batch
  int block_tokens = 16;
};

// What happened to one request (requests.csv).
struct RequestOutcome {
  double first_token_s = -1, end_s = -1;
  double last_token_s = -1;
  double tbt_sum_s = 0, tbt_max_s = 0;  // gaps between consecutive output tokens
  long long tokens_out = 0;
  int preemptions = 0;
};

class ReplicaEngine {
 public:
  using RequestIndex = std::uint32_t;
  ReplicaEngine(const LlmPerfModel& perf, LlmPerfModel::Key key, BatchingConfig config, long long kv_blocks);

  // Whether a request of this size can ever complete here (its prompt and output fit the KV cache).
  bool can_serve(const LlmRequest& r) const;
  void enqueue(RequestIndex id, const LlmRequest& r);
  // Disaggregated serving (Splitwise): a prompt replica hands a request over after its prefill (its
  // first token); a token replica takes it with its first token out and, when its KV cache came along,
  // its prompt computed (else it recomputes it).
  void set_prompt_only(bool prompt_only) { prompt_only_ = prompt_only; }
  void enqueue_prefilled(RequestIndex id, const LlmRequest& r, bool with_kv);
  // The requests handed over since the last call (prompt replicas).
  std::vector<RequestIndex> take_handed_over() { return std::exchange(handed_over_, {}); }
  bool busy() const { return in_iteration_; }
  bool idle() const { return !in_iteration_ && running_.empty() && waiting_.empty(); }
  std::size_t in_flight() const { return running_.size() + waiting_.size(); }
  std::size_t running_count() const { return running_.size(); }
  std::size_t waiting_count() const { return waiting_.size(); }
  long long used_blocks() const { return used_blocks_; }
  long long free_blocks() const { return kv_blocks_ - used_blocks_; }
  long long kv_blocks() const { return kv_blocks_; }
  // Forms the next iteration at `now` when there is work; returns its end time.
  std::optional<double> start_iteration(double now);
  // The iteration ended at `now`; `outcomes` (by request index) get their tokens and ends; returns the
  // requests that completed.
  std::vector<RequestIndex> finish_iteration(double now, std::vector<RequestOutcome>& outcomes);
  // Every request it holds (running, then waiting), taken away: the replica stopped.
  std::vector<RequestIndex> drain();

 private:
  struct Active {
    RequestIndex id;
    long long prompt, output;
    long long generated = 0, computed = 0, blocks = 0;
    long long scheduled = 0;  // tokens computed in the current iteration
    bool decode = false;      // the current iteration computes its last token only
  };
  long long blocks_for(long long tokens) const { return (tokens + config_.block_tokens - 1) / config_.block_tokens; }
  bool grow(Active& a, long long tokens);  // allocates blocks for `tokens` more computed tokens
  void preempt_last();
  static long long todo(const Active& a) { return a.prompt + a.generated - a.computed; }
  static bool decoding(const Active& a) { return a.generated > 0 && todo(a) == 1; }
  // Each marks what the next iteration computes (Active::scheduled) by its policy.
  void form_vllm();
  void form_sarathi();
  void form_static();

  const LlmPerfModel& perf_;
  LlmPerfModel::Key key_;
  BatchingConfig config_;
  long long kv_blocks_, used_blocks_ = 0;
  long long held_blocks_ = 0;  // static: blocks of the batch's finished requests, freed when it ends
  std::vector<Active> running_;  // in admission order (vLLM's running list)
  std::deque<Active> waiting_;
  std::vector<int> preempted_now_;  // request ids preempted while forming the iteration (counted at its end)
  bool in_iteration_ = false;
  bool prompt_only_ = false;
  std::vector<RequestIndex> handed_over_;
};

}  // namespace aidcsim
