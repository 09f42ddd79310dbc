#include "models/inference/replica_engine.hpp"

#include <algorithm>
#include <stdexcept>

namespace aidcsim {

ReplicaEngine::ReplicaEngine(const LlmPerfModel& perf, LlmPerfModel::Key key, BatchingConfig config, long long kv_blocks)
    : perf_(perf), key_(std::move(key)), config_(config), kv_blocks_(kv_blocks) {
  if (!perf_.has(key_)) throw std::logic_error("replica engine for a model the table does not have");
}

bool ReplicaEngine::can_serve(const LlmRequest& r) const {
  long long room = kv_blocks_;
  if (config_.policy == BatchingConfig::Policy::sarathi)  // admission keeps the watermark free
    room -= static_cast<long long>(config_.watermark_fraction * static_cast<double>(kv_blocks_));
  return blocks_for(r.prompt_tokens + r.output_tokens - 1) <= room;
}

void ReplicaEngine::enqueue(RequestIndex id, const LlmRequest& r) {
  Active a;
  a.id = id;
  a.prompt = r.prompt_tokens;
  a.output = r.output_tokens;
  waiting_.push_back(a);
}

void ReplicaEngine::enqueue_prefilled(RequestIndex id, const LlmRequest& r, bool with_kv) {
  Active a;
  a.id = id;
  a.prompt = r.prompt_tokens;
  a.output = r.output_tokens;
  a.generated = 1;
  a.computed = with_kv ? r.prompt_tokens : 0;  // its blocks are taken when it is scheduled
  waiting_.push_back(a);
}

bool ReplicaEngine::grow(Active& a, long long tokens) {
  long long need = blocks_for(a.computed + tokens) - a.blocks;
  if (need > kv_blocks_ - used_blocks_) return false;
  used_blocks_ += need;
  a.blocks += need;
  return true;
}

void ReplicaEngine::preempt_last() {
  Active victim = running_.back();
  running_.pop_back();
  used_blocks_ -= victim.blocks;
  victim.blocks = 0;
  victim.computed = 0;  // recompute: its prompt and the tokens it generated become a prefill
  victim.scheduled = 0;
  preempted_now_.push_back(static_cast<int>(victim.id));
  waiting_.push_front(victim);
}

void ReplicaEngine::form_vllm() {
  long long budget = config_.max_num_batched_tokens;
  // Running requests first, in order; a block shortage preempts from the end of the list.
  for (std::size_t i = 0; i < running_.size() && budget > 0;) {
    Active& a = running_[i];
    long long tokens = std::min(todo(a), budget);
    if (!grow(a, tokens)) {
      preempt_last();  // may be a itself
      continue;
    }
    a.scheduled = tokens;
    budget -= tokens;
    ++i;
  }
  // Then waiting requests, FCFS, while there is room; none in a step that had to preempt (vLLM V1).
  while (preempted_now_.empty() && !waiting_.empty() && budget > 0 && static_cast<int>(running_.size()) < config_.max_num_seqs) {
    Active& a = waiting_.front();
    long long tokens = std::min(todo(a), budget);
    if (!grow(a, tokens)) break;
    a.scheduled = tokens;
    budget -= tokens;
    running_.push_back(a);
    waiting_.pop_front();
  }
}

void ReplicaEngine::form_sarathi() {
  long long batch_tokens = 0;
  // Decodes first, one token each; a block shortage preempts the last running request (maybe itself).
  for (std::size_t i = 0; i < running_.size();) {
    Active& a = running_[i];
    if (!decoding(a)) {
      ++i;
      continue;
    }
    if (!grow(a, 1)) {
      preempt_last();
      continue;
    }
    a.scheduled = 1;
    ++batch_tokens;
    ++i;
  }
  // Unfinished prefills next, then new requests, each chunked to what is left of the chunk.
  for (auto& a : running_) {
    if (decoding(a) || batch_tokens >= config_.chunk_size) continue;
    a.scheduled = std::min(todo(a), config_.chunk_size - batch_tokens);
    batch_tokens += a.scheduled;
  }
  const long long watermark = static_cast<long long>(config_.watermark_fraction * static_cast<double>(kv_blocks_));
  while (!waiting_.empty() && batch_tokens < config_.chunk_size && static_cast<int>(running_.size()) < config_.max_num_seqs) {
    Active& a = waiting_.front();
    long long need = blocks_for(a.prompt + a.generated) - a.blocks;  // the whole prefill, at admission
    if (kv_blocks_ - used_blocks_ - need < watermark) break;
    used_blocks_ += need;
    a.blocks += need;
    a.scheduled = std::min(todo(a), config_.chunk_size - batch_tokens);
    batch_tokens += a.scheduled;
    running_.push_back(a);
    waiting_.pop_front();
  }
}

void ReplicaEngine::form_static() {
  if (running_.empty()) {  // a new batch: each request reserves its whole length
    while (!waiting_.empty() && static_cast<int>(running_.size()) < config_.max_batch_size) {
      Active& a = waiting_.front();
      long long need = blocks_for(a.prompt + a.output - 1);
      if (need > kv_blocks_ - used_blocks_) break;
      used_blocks_ += need;
      a.blocks = need;
      running_.push_back(a);
      waiting_.pop_front();
    }
  }
  for (auto& a : running_) a.scheduled = todo(a);  // the prompt once, then one token per iteration
}

std::optional<double> ReplicaEngine::start_iteration(double /*now*/) {
  if (in_iteration_ || (running_.empty() && waiting_.empty())) return std::nullopt;
  switch (config_.policy) {
    case BatchingConfig::Policy::vllm: form_vllm(); break;
    case BatchingConfig::Policy::sarathi: form_sarathi(); break;
    case BatchingConfig::Policy::static_batches: form_static(); break;
  }
  IterationShape shape;
  for (auto& a : running_) {
    if (a.scheduled == 0) continue;
    a.decode = decoding(a);
    if (a.decode) ++shape.decodes;
    else shape.prefill_tokens += a.scheduled;
  }
  if (shape.decodes == 0 && shape.prefill_tokens == 0) return std::nullopt;  // nothing fits the cache now
  in_iteration_ = true;
  return perf_.iteration_s(key_, shape);
}

std::vector<ReplicaEngine::RequestIndex> ReplicaEngine::finish_iteration(double now, std::vector<RequestOutcome>& outcomes) {
  in_iteration_ = false;
  for (int id : preempted_now_) ++outcomes[static_cast<std::size_t>(id)].preemptions;
  preempted_now_.clear();
  std::vector<RequestIndex> done;
  std::vector<Active> still;
  still.reserve(running_.size());
  for (auto& a : running_) {
    a.computed += a.scheduled;
    a.scheduled = 0;
    if (a.computed == a.prompt + a.generated) {  // every known token computed: the next one is sampled
      ++a.generated;
      RequestOutcome& o = outcomes[a.id];
      if (a.generated > o.tokens_out) {  // a recompute re-derives tokens already out: no new token then
        if (o.first_token_s < 0) o.first_token_s = now;
        else {
          double gap = now - o.last_token_s;
          o.tbt_sum_s += gap;
          o.tbt_max_s = std::max(o.tbt_max_s, gap);
        }
        o.last_token_s = now;
        o.tokens_out = a.generated;
      }
      if (prompt_only_ && a.generated == 1 && a.output > 1) {  // prefill done: to a token replica
        used_blocks_ -= a.blocks;
        handed_over_.push_back(a.id);
        continue;
      }
      if (a.generated >= a.output) {
        o.end_s = now;
        if (config_.policy == BatchingConfig::Policy::static_batches) held_blocks_ += a.blocks;
        else used_blocks_ -= a.blocks;
        done.push_back(a.id);
        continue;
      }
    }
    still.push_back(a);
  }
  running_.swap(still);
  if (running_.empty()) {  // a static batch ends with its last request
    used_blocks_ -= held_blocks_;
    held_blocks_ = 0;
  }
  return done;
}

std::vector<ReplicaEngine::RequestIndex> ReplicaEngine::drain() {
  std::vector<RequestIndex> out;
  for (const auto& a : running_) out.push_back(a.id);
  for (const auto& a : waiting_) out.push_back(a.id);
  running_.clear();
  waiting_.clear();
  used_blocks_ = 0;
  held_blocks_ = 0;
  in_iteration_ = false;
  return out;
}

}  // namespace aidcsim
