// LLM serving pieces (models/inference): the request traces (the fact sheet's E5 figures), vLLM-style
// continuous batching on one replica against hand-derived iteration sequences and an independent FIFO
// recurrence, KV-cache preemption with recompute, and the routers (E3).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "models/inference/perf_model.hpp"
#include "models/inference/requests.hpp"
#include "models/inference/service_sim.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;

namespace {

std::string shared_file(const std::string& relative) {
  namespace fs = std::filesystem;
  fs::path root = fs::absolute(fs::path(__FILE__)).parent_path().parent_path().parent_path();
  return (root / ".." / "shared" / "traces" / relative).lexically_normal().string();
}

const LlmPerfModel& perf() {
  static const LlmPerfModel m = [] {
    ProblemList p;
    return LlmPerfModel::read(shared_file("llm-perf-splitwise/perf_model.csv"), p);
  }();
  return m;
}

const LlmPerfModel::Key kA100{"llama2-70b", "a100-80gb", 8};

ServiceSimConfig one_replica(int max_num_seqs = 256, long long kv_blocks = 100000) {
  ServiceSimConfig c;
  c.key = kA100;
  c.batching.max_num_seqs = max_num_seqs;
  c.kv_blocks = kv_blocks;
  return c;
}

TEST(LlmRequests, AzureTracesAsPublished) {
  ProblemList problems;
  auto conv = read_azure_llm_requests(shared_file("azure-llm-2023/AzureLLMInferenceTrace_conv.csv"), problems);
  auto code = read_azure_llm_requests(shared_file("azure-llm-2023/AzureLLMInferenceTrace_code.csv"), problems);
  ASSERT_TRUE(problems.empty());
  ASSERT_EQ(conv.size(), 19366u);
  ASSERT_EQ(code.size(), 8819u);
  EXPECT_DOUBLE_EQ(conv[0].arrival_s, 0);
  EXPECT_NEAR(conv[1].arrival_s, 4.314579, 1e-6);
  EXPECT_EQ(conv[0].prompt_tokens, 374);
  EXPECT_EQ(conv[1].output_tokens, 109);
  EXPECT_NEAR(code.back().arrival_s, 3435.948, 1e-3);
  RequestTraceOptions o;
  o.window_start_s = 60;
  o.window_end_s = 120;
  o.time_scale = 0.5;
  auto shaped = shape_requests(conv, o);
  ASSERT_FALSE(shaped.empty());
  EXPECT_GE(shaped.front().arrival_s, 0);
  EXPECT_LT(shaped.back().arrival_s, 30);
  o.limit = 3;
  EXPECT_EQ(shape_requests(conv, o).size(), 3u);
}

TEST(LlmRequests, NativeRequestsAndTheirErrors) {
  unit::TempDir dir("requests");
  ProblemList problems;
  auto ok = read_native_requests(dir.write("req_ok.csv", "request_id,arrival_s,prompt_tokens,output_tokens\nr1,0,100,5\nr2,1.5,20,1\n"), problems);
  ASSERT_TRUE(problems.empty());
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[1].request_id, "r2");
  EXPECT_DOUBLE_EQ(ok[1].arrival_s, 1.5);
  read_native_requests(dir.write("req_bad.csv", "request_id,arrival_s,prompt_tokens,output_tokens\nr1,0,100,5\nr2,-1,20,1\nr3,2,-5,1\nr1,3,5,0\n"), problems);
  ASSERT_EQ(problems.size(), 4u);  // negative time, negative tokens, duplicate id and zero output on line 5
  EXPECT_EQ(problems.items()[0].line, 3);
  EXPECT_EQ(problems.items()[1].line, 4);
  EXPECT_EQ(problems.items()[2].line, 5);
}

// The generator: 10 requests/s for 2,000 s. The count is Poisson (mean 20,000, sd 141), the gaps are
// exponential (a share 1 - 1/e below the mean gap), uniform token counts stay in range with the right
// mean, draws from a list take only its values, and the same seed gives the same trace.
TEST(LlmRequests, PoissonGeneratorHasItsDistribution) {
  PoissonRequests g;
  g.rate_per_s = 10;
  g.duration_s = 2000;
  g.prompt = {100, 300, {}};
  g.output = {0, 0, {5, 7, 11}};
  auto reqs = generate_poisson_requests(g, 42);
  ASSERT_NEAR(static_cast<double>(reqs.size()), 20000, 4 * 141);
  double below = 0, prompt_sum = 0, previous = 0;
  for (const auto& r : reqs) {
    below += (r.arrival_s - previous) < 0.1 ? 1 : 0;
    previous = r.arrival_s;
    ASSERT_GE(r.prompt_tokens, 100);
    ASSERT_LE(r.prompt_tokens, 300);
    prompt_sum += static_cast<double>(r.prompt_tokens);
    ASSERT_TRUE(r.output_tokens == 5 || r.output_tokens == 7 || r.output_tokens == 11);
  }
  double n = static_cast<double>(reqs.size());
  EXPECT_NEAR(below / n, 1 - std::exp(-1.0), 4 * std::sqrt(0.632 * 0.368 / n));
  EXPECT_NEAR(prompt_sum / n, 200, 4 * 57.7 / std::sqrt(n));  // sd of uniform 100..300: 200/sqrt(12)
  EXPECT_LT(reqs.back().arrival_s, 2000);
  auto again = generate_poisson_requests(g, 42);
  ASSERT_EQ(again.size(), reqs.size());
  EXPECT_EQ(again[1234].arrival_s, reqs[1234].arrival_s);
  EXPECT_NE(generate_poisson_requests(g, 43)[0].arrival_s, reqs[0].arrival_s);
  g.count = 10;
  EXPECT_EQ(generate_poisson_requests(g, 42).size(), 10u);
}

// A rate profile (thinning): a ramp from 0 to 10 requests/s over 1,000 s, then 10/s to 1,500 s. The
// counts are Poisson with the rate's integral as mean: 1,250 in [0, 500), 3,750 in [500, 1000), 5,000
// in [1000, 1500); none before the ramp starts.
TEST(LlmRequests, RateProfileFollowsItsIntegral) {
  PoissonRequests g;
  g.rate_profile = {{0, 0}, {1000, 10}};
  g.rate_per_s = 10;
  g.duration_s = 1500;
  g.prompt = {100, 100, {}};
  g.output = {10, 10, {}};
  auto reqs = generate_poisson_requests(g, 7);
  double counts[3] = {0, 0, 0};
  for (const auto& r : reqs) counts[static_cast<int>(r.arrival_s / 500)] += 1;
  EXPECT_NEAR(counts[0], 1250, 4 * std::sqrt(1250.0));
  EXPECT_NEAR(counts[1], 3750, 4 * std::sqrt(3750.0));
  EXPECT_NEAR(counts[2], 5000, 4 * std::sqrt(5000.0));
  // Within the first 500 s the rate grows linearly: a quarter of them in the first half.
  double early = 0;
  for (const auto& r : reqs) early += r.arrival_s < 250 ? 1 : 0;
  EXPECT_NEAR(early / counts[0], 0.25, 4 * std::sqrt(0.25 * 0.75 / counts[0]));
}

// Scenario E1: prompt 1024, 5 output tokens, alone on an A100 TP8 replica.
TEST(ReplicaEngine, LoneRequest) {
  auto r = simulate_service(perf(), {{"q", 0, 1024, 5}}, one_replica());
  EXPECT_NEAR(r.outcomes[0].first_token_s, 0.160860031, 1e-9);
  EXPECT_NEAR(r.outcomes[0].end_s, 0.331190481, 1e-9);
  EXPECT_NEAR(r.outcomes[0].tbt_sum_s / 4, 0.042582613, 1e-9);
  EXPECT_EQ(r.outcomes[0].tokens_out, 5);
}

// max_num_seqs 1 (no batching): each request alone, FIFO. End times follow the recurrence
// end_i = max(arrival_i, end_{i-1}) + prefill(prompt_i) + (output_i - 1) x decode(1), computed here from
// the table independently of the engine, over 300 requests of the Azure code trace.
TEST(ReplicaEngine, NoBatchingIsAFifoRecurrence) {
  ProblemList problems;
  RequestTraceOptions o;
  o.limit = 300;
  auto reqs = shape_requests(read_azure_llm_requests(shared_file("azure-llm-2023/AzureLLMInferenceTrace_code.csv"), problems), o);
  auto r = simulate_service(perf(), reqs, one_replica(1));
  double end = 0;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    double start = std::max(reqs[i].arrival_s, end);
    end = start + perf().prompt_s(kA100, static_cast<double>(reqs[i].prompt_tokens)) +
          static_cast<double>(reqs[i].output_tokens - 1) * perf().token_s(kA100, 1);
    ASSERT_NEAR(r.outcomes[i].end_s, end, 1e-6 * std::max(1.0, end)) << "request " << i;
  }
}

// Continuous batching: R1 (1000 tokens, 3 out) at 0, R2 (600, 2 out) at 0.05 joins at R1's first token:
// [0, p(1000)] R1 prefill; then R1 decode + R2 prefill, a mixed iteration of 1.1 x p(601); then both
// decode, tok(2): R1's third and R2's second token, both done.
TEST(ReplicaEngine, RequestJoinsARunningBatch) {
  auto r = simulate_service(perf(), {{"r1", 0, 1000, 3}, {"r2", 0.05, 600, 2}}, one_replica());
  double t1 = perf().prompt_s(kA100, 1000), t2 = t1 + 1.1 * perf().prompt_s(kA100, 601), t3 = t2 + perf().token_s(kA100, 2);
  EXPECT_NEAR(r.outcomes[0].first_token_s, t1, 1e-12);
  EXPECT_NEAR(r.outcomes[1].first_token_s, t2, 1e-12);
  EXPECT_NEAR(r.outcomes[0].end_s, t3, 1e-12);
  EXPECT_NEAR(r.outcomes[1].end_s, t3, 1e-12);
  EXPECT_NEAR(r.outcomes[0].tbt_max_s, t2 - t1, 1e-12);
}

// A KV cache of 3 blocks (48 tokens): R1 and R2 (16-token prompts, 20 output tokens each) prefill
// together (2 blocks); in the next iteration R1's token 17 takes the third block and R2's finds none:
// R2, the last running, is preempted (its KV freed) and R1 decodes alone to its end. R2 then recomputes
// its prompt and its one token (17 tokens, a prefill) and decodes its remaining 18 tokens.
TEST(ReplicaEngine, KvCachePreemptionAndRecompute) {
  auto r = simulate_service(perf(), {{"r1", 0, 16, 20}, {"r2", 0, 16, 20}}, one_replica(256, 3));
  double t_first = perf().prompt_s(kA100, 32);
  double r1_end = t_first + 19 * perf().token_s(kA100, 1);
  double r2_end = r1_end + perf().prompt_s(kA100, 17) + 18 * perf().token_s(kA100, 1);
  EXPECT_EQ(r.outcomes[0].preemptions, 0);
  EXPECT_EQ(r.outcomes[1].preemptions, 1);
  EXPECT_NEAR(r.outcomes[0].first_token_s, t_first, 1e-12);
  EXPECT_NEAR(r.outcomes[1].first_token_s, t_first, 1e-12);
  EXPECT_NEAR(r.outcomes[0].end_s, r1_end, 1e-9);
  EXPECT_NEAR(r.outcomes[1].end_s, r2_end, 1e-9);
  EXPECT_EQ(r.outcomes[1].tokens_out, 20);
  // A request longer than the whole cache is never served.
  auto big = simulate_service(perf(), {{"big", 0, 40, 10}}, one_replica(256, 3));
  EXPECT_EQ(big.replica[0], -1);
}

// Scenario E3: two idle replicas, three requests at t = 0.
TEST(Routers, ChooseAsDocumented) {
  std::vector<LlmRequest> q = {{"q1", 0, 2000, 1}, {"q2", 0, 100, 1}, {"q3", 0, 50, 1}};
  auto with = [&](const std::string& router, std::uint64_t seed = 1) {
    ServiceSimConfig c = one_replica();
    c.replicas = 2;
    c.router = router;
    c.seed = seed;
    return simulate_service(perf(), q, c).replica;
  };
  EXPECT_EQ(with("round-robin"), (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(with("least-outstanding"), (std::vector<int>{0, 1, 0}));  // 0/0 -> 0, 1/0 -> 1, 1/1 -> 0
  EXPECT_EQ(with("least-kv"), (std::vector<int>{0, 1, 0}));  // queued requests hold no blocks yet: fewest in flight
  EXPECT_EQ(with("random", 7), with("random", 7));
  EXPECT_EQ(with("power-of-two", 7), with("power-of-two", 7));
  auto p2 = with("power-of-two");  // two replicas: both are drawn, the one with fewer in flight wins
  EXPECT_NE(p2[1], p2[0]);
}

}  // namespace
