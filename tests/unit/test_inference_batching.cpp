// The three batch formations of models/inference/replica_engine (vllm, sarathi, static) on the fact
// sheet's scenario E2 (notes/k8s-prometheus-llm-semantics.md): a toy cost T = 10 ms + 0.1 ms per token
// in the iteration (prefill tokens and decodes alike), one replica; R1 arrives at 0 (prompt 1000,
// 3 output tokens), R2 at 50 ms (prompt 600, 2 output tokens). Then invariants of every formation on
// a real trace with a small KV cache.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "models/inference/perf_model.hpp"
#include "models/inference/requests.hpp"
#include "models/inference/service_sim.hpp"

using namespace aidcsim;

namespace {

const LlmPerfModel::Key kToy{"toy", "toy", 1};

const LlmPerfModel& toy() {
  static const LlmPerfModel m = LlmPerfModel::from_curves(kToy, PiecewiseLinear({{0, 0.010}, {1000, 0.110}}),
                                                          PiecewiseLinear({{0, 0.010}, {1000, 0.110}}), 1.0);
  return m;
}

const std::vector<LlmRequest> kE2 = {{"r1", 0, 1000, 3}, {"r2", 0.050, 600, 2}};

ServiceSimConfig with(BatchingConfig b) {
  ServiceSimConfig c;
  c.key = kToy;
  c.batching = b;
  c.kv_blocks = 100000;
  return c;
}

BatchingConfig policy(BatchingConfig::Policy p) {
  BatchingConfig b;
  b.policy = p;
  return b;
}

// vLLM V1, budget 8192: [0, 110] R1 prefill (R1 TTFT 110); [110, 180.1] R1 decode + R2 prefill 600 (601
// tokens; R2 TTFT 130.1); [180.1, 190.3] both decode: R1 ends (E2E 190.3), R2 ends (E2E 140.3). Unlike
// Vidur's V0-style `vllm` (E2: 200.3 / 140.2), the prefill of R2 does not stall R1's decode.
TEST(Batching, VllmV1MixesAPrefillWithDecodes) {
  auto r = simulate_service(toy(), kE2, with(policy(BatchingConfig::Policy::vllm)));
  EXPECT_NEAR(r.outcomes[0].first_token_s, 0.110, 1e-12);
  EXPECT_NEAR(r.outcomes[1].first_token_s - 0.050, 0.1301, 1e-12);
  EXPECT_NEAR(r.outcomes[0].end_s, 0.1903, 1e-12);
  EXPECT_NEAR(r.outcomes[1].end_s - 0.050, 0.1403, 1e-12);
  EXPECT_NEAR(r.outcomes[0].tbt_max_s, 0.0701, 1e-12);
}

// Sarathi, chunk 512 (the fact sheet's figures): [0, 61.2] R1 chunk 512; [61.2, 122.4] R1 488 + R2 24
// (R1 TTFT 122.4); [122.4, 183.6] R1 decode + R2 511; [183.6, 200.2] R1 decode + R2 65 (R1 E2E 200.2,
// R2 TTFT 150.2); [200.2, 210.3] R2 decode (R2 E2E 160.3).
TEST(Batching, SarathiChunksPrefillsUnderItsBudget) {
  auto r = simulate_service(toy(), kE2, with(policy(BatchingConfig::Policy::sarathi)));
  EXPECT_NEAR(r.outcomes[0].first_token_s, 0.1224, 1e-12);
  EXPECT_NEAR(r.outcomes[0].end_s, 0.2002, 1e-12);
  EXPECT_NEAR(r.outcomes[1].first_token_s - 0.050, 0.1502, 1e-12);
  EXPECT_NEAR(r.outcomes[1].end_s - 0.050, 0.1603, 1e-12);
  // R1's tokens at 122.4, 183.6, 200.2: gaps 61.2 and 16.6.
  EXPECT_NEAR(r.outcomes[0].tbt_max_s, 0.0612, 1e-12);
  EXPECT_NEAR(r.outcomes[0].tbt_sum_s, 0.0778, 1e-12);
}

// Static batches: R1 starts alone at 0 ([0, 110] prefill, two decodes of 10.1: ends 130.2); R2, which
// arrived at 50, waits for that batch to end: prefill [130.2, 200.2] (TTFT 150.2), decode to 210.3.
TEST(Batching, StaticBatchesRunToTheirEnd) {
  auto r = simulate_service(toy(), kE2, with(policy(BatchingConfig::Policy::static_batches)));
  EXPECT_NEAR(r.outcomes[0].end_s, 0.1302, 1e-12);
  EXPECT_NEAR(r.outcomes[1].first_token_s, 0.2002, 1e-12);
  EXPECT_NEAR(r.outcomes[1].end_s, 0.2103, 1e-12);
  // Both at 0 with max_batch_size 2, and R3 at 10 ms: one prefill of 1600 tokens (170), decodes of 2
  // (R2 done at 180.2) and then of 1 (R1 done at 190.3); R3 starts only then.
  BatchingConfig b = policy(BatchingConfig::Policy::static_batches);
  b.max_batch_size = 2;
  auto s = simulate_service(toy(), {{"r1", 0, 1000, 3}, {"r2", 0, 600, 2}, {"r3", 0.010, 100, 1}}, with(b));
  EXPECT_NEAR(s.outcomes[1].end_s, 0.1802, 1e-12);
  EXPECT_NEAR(s.outcomes[0].end_s, 0.1903, 1e-12);
  EXPECT_NEAR(s.outcomes[2].end_s, 0.1903 + 0.020, 1e-12);
}

// A static batch keeps the KV of its finished requests until its last one ends.
TEST(Batching, StaticBatchHoldsItsMemoryToTheEnd) {
  BatchingConfig b = policy(BatchingConfig::Policy::static_batches);
  ReplicaEngine e(toy(), kToy, b, 1000);
  std::vector<RequestOutcome> out(2);
  e.enqueue(0, {"long", 0, 32, 4});   // 35 tokens kept: 3 blocks
  e.enqueue(1, {"short", 0, 16, 1});  // 16 tokens: 1 block
  double now = *e.start_iteration(0);
  EXPECT_EQ(e.used_blocks(), 4);
  EXPECT_EQ(e.finish_iteration(now, out), (std::vector<ReplicaEngine::RequestIndex>{1}));
  EXPECT_EQ(e.used_blocks(), 4);  // "short" is done but its block is the batch's
  while (!e.idle()) now += *e.start_iteration(now), e.finish_iteration(now, out);
  EXPECT_EQ(e.used_blocks(), 0);
}

// Sarathi admits a request only with its whole prompt's blocks and the watermark free; one that could
// never be admitted is refused (can_serve), not left waiting forever.
TEST(Batching, SarathiKeepsItsWatermark) {
  BatchingConfig b = policy(BatchingConfig::Policy::sarathi);
  b.watermark_fraction = 0.1;
  ReplicaEngine e(toy(), kToy, b, 100);
  EXPECT_TRUE(e.can_serve({"fits", 0, 1440, 1}));    // 90 blocks, 10 left
  EXPECT_FALSE(e.can_serve({"over", 0, 1441, 1}));  // 91 blocks
}

std::string shared_file(const std::string& relative) {
  namespace fs = std::filesystem;
  fs::path root = fs::absolute(fs::path(__FILE__)).parent_path().parent_path().parent_path();
  return (root / ".." / "shared" / "traces" / relative).lexically_normal().string();
}

// Every formation, on 400 requests of the Azure conversation trace at 20x their rate, two replicas and a
// KV cache of 2,000 blocks (so preemptions happen): every request served ends once with all its tokens,
// its first token after its arrival, and no token gap larger than the whole run.
TEST(Batching, EveryFormationServesEveryRequestOnce) {
  ProblemList problems;
  ProblemList table_problems;
  LlmPerfModel perf = LlmPerfModel::read(shared_file("llm-perf-splitwise/perf_model.csv"), table_problems);
  RequestTraceOptions o;
  o.limit = 400;
  o.time_scale = 0.05;
  auto reqs = shape_requests(read_azure_llm_requests(shared_file("azure-llm-2023/AzureLLMInferenceTrace_conv.csv"), problems), o);
  ASSERT_TRUE(problems.empty());
  for (auto p : {BatchingConfig::Policy::vllm, BatchingConfig::Policy::sarathi, BatchingConfig::Policy::static_batches}) {
    ServiceSimConfig c;
    c.key = {"llama2-70b", "a100-80gb", 8};
    c.batching.policy = p;
    c.kv_blocks = 2000;
    c.replicas = 2;
    c.router = "least-outstanding";
    auto r = simulate_service(perf, reqs, c);
    int preemptions = 0, served = 0;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      const auto& out = r.outcomes[i];
      if (r.replica[i] < 0) continue;
      ++served;
      preemptions += out.preemptions;
      EXPECT_EQ(out.tokens_out, reqs[i].output_tokens) << i;
      EXPECT_GE(out.first_token_s, reqs[i].arrival_s) << i;
      EXPECT_GE(out.end_s, out.first_token_s) << i;
    }
    EXPECT_GT(served, 390);
    if (p == BatchingConfig::Policy::vllm) {
      EXPECT_GT(preemptions, 0);  // the cache was tight enough to matter
    } else if (p == BatchingConfig::Policy::static_batches) {
      EXPECT_EQ(preemptions, 0);  // reserved up front
    }
  }
}

}  // namespace
