// Inference services through the CLI (docs/inference.md): the FIFO recurrence without batching
// end to end, replicas that wait for a training job's GPUs like any job, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "models/inference/perf_model.hpp"
#include "models/inference/requests.hpp"
#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

std::string shared_file(const std::string& relative) {
  return (std::filesystem::path(AIDCSIM_SOURCE_DIR) / ".." / "shared" / "traces" / relative).lexically_normal().string();
}

struct ServiceRun {
  TempFolder dir;
  std::string scenario;
  ServiceRun(const std::string& name, int servers, const std::string& jobs, const nlohmann::json& service) : dir(name) {
    dir.write("platform.xml", small_platform_xml(servers, 8, "A100-80GB", 312e12));
    dir.write("jobs.csv", jobs);
    nlohmann::json s = {{"name", name},
                        {"platform", "platform.xml"},
                        {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}}}, {"services", {service}}}},
                        {"monitoring", {{"interval_s", 60}}}};
    scenario = dir.write("scenario.json", s.dump(2));
  }
  CliResult run() { return run_cli("run " + scenario + " --out " + (dir / "out") + " --quiet"); }
  // Another platform, under the CM02 network model (no correction factors).
  void use_platform_cm02(const std::string& xml) {
    dir.write("platform.xml", xml);
    nlohmann::json s = read_json(scenario);
    s["engine"] = {{"network_model", "CM02"}};
    dir.write("scenario.json", s.dump(2));
  }
  // tests/scenarios/check_invariants.py with its request rules (service_invariants.py).
  void expect_invariants() {
    std::string checker = std::string(AIDCSIM_SOURCE_DIR) + "/tests/scenarios/check_invariants.py";
    std::string command = "/usr/bin/python3 '" + checker + "' '" + (dir / "out") + "' > '" + (dir / "check.txt") + "' 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << read_text(dir / "check.txt");
  }
};

nlohmann::json chat(const nlohmann::json& requests, int replicas = 1, int max_num_seqs = 256) {
  return {{"name", "chat"},
          {"model", "llama2-70b"},
          {"gpu_model", "A100-80GB"},
          {"tensor_parallel", 8},
          {"replicas", replicas},
          {"perf_table", shared_file("llm-perf-splitwise/perf_model.csv")},
          {"requests", requests},
          {"batching", {{"policy", "vllm"}, {"max_num_seqs", max_num_seqs}}}};
}

const char* kNoJobs = "job_id,submit_s,duration_s,gpus\n";

// Servers srv0.. of 8 A100-80GB GPUs, each with a 1.25 GB/s full-duplex link (no latency), srv0 to srv1
// through both; with `storage`, a storage host "store" linked to srv0. Textbook transfers under CM02.
std::string known_links_platform(int servers, bool storage) {
  std::string hosts = storage ? "  <host id=\"store\" speed=\"1Gf\"><prop id=\"kind\" value=\"storage\"/></host>\n" : "";
  std::string links, routes;
  for (int s = 0; s < servers; ++s) {
    hosts += fmt::format(R"(  <host id="srv{0}" speed="1Gf" core="64"><prop id="memory" value="1TiB"/></host>
)", s);
    links += fmt::format(R"(  <link id="up{0}" bandwidth="1.25GBps" latency="0" sharing_policy="SPLITDUPLEX"/>
)", s);
    for (int g = 0; g < 8; ++g) {
      hosts += fmt::format(R"(  <host id="srv{0}-gpu{1}" speed="312Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv{0}"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
)", s, g);
      links += fmt::format(R"(  <link id="pcie{0}-{1}" bandwidth="32GBps" latency="0"/>
)", s, g);
      routes += fmt::format(R"(  <route src="srv{0}-gpu{1}" dst="srv{0}"><link_ctn id="pcie{0}-{1}"/></route>
)", s, g);
    }
  }
  if (storage) routes += "  <route src=\"store\" dst=\"srv0\"><link_ctn id=\"up0\" direction=\"UP\"/></route>\n";
  if (servers > 1)
    routes += "  <route src=\"srv0\" dst=\"srv1\"><link_ctn id=\"up0\" direction=\"DOWN\"/><link_ctn id=\"up1\" direction=\"UP\"/></route>\n";
  return "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n<platform version=\"4.1\">\n"
         "<zone id=\"dc\" routing=\"Full\">\n" + hosts + links + routes + "</zone>\n</platform>\n";
}

// The measured table (llama2-70b on A100 with tensor parallel 8 is the key of these tests).
const aidcsim::LlmPerfModel& measured() {
  static const aidcsim::LlmPerfModel m = [] {
    aidcsim::ProblemList problems;
    return aidcsim::LlmPerfModel::read(shared_file("llm-perf-splitwise/perf_model.csv"), problems);
  }();
  return m;
}
const aidcsim::LlmPerfModel::Key kLlama70bA100{"llama2-70b", "a100-80gb", 8};

// One replica, max_num_seqs 1: each request alone in FIFO order, so its end is
// max(arrival, previous end) + prefill(prompt) + (output - 1) x decode(1), from the table, here
// computed independently of the simulator for 300 requests of the Azure code trace.
TEST(InferenceRuns, NoBatchingFollowsTheFifoRecurrence) {
  ServiceRun r("inference-fifo", 1, kNoJobs,
               chat({{"path", shared_file("azure-llm-2023/AzureLLMInferenceTrace_code.csv")}, {"format", "azure-llm"}, {"limit", 300}}, 1, 1));
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  aidcsim::ProblemList problems;
  const auto& perf = measured();
  aidcsim::RequestTraceOptions o;
  o.limit = 300;
  auto requests = aidcsim::shape_requests(
      aidcsim::read_azure_llm_requests(shared_file("azure-llm-2023/AzureLLMInferenceTrace_code.csv"), problems), o);
  const auto& key = kLlama70bA100;
  auto rows = read_csv(r.dir / "out/requests.csv");
  ASSERT_EQ(rows.size(), 300u);
  double end = 0, busy = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    double service_s = perf.prompt_s(key, static_cast<double>(requests[i].prompt_tokens)) +
                       static_cast<double>(requests[i].output_tokens - 1) * perf.token_s(key, 1);
    end = std::max(requests[i].arrival_s, end) + service_s;
    busy += service_s;
    ASSERT_NEAR(std::stod(rows[i]["end_s"]), end, 2e-6) << "request " << i;
    ASSERT_EQ(rows[i]["state"], "completed");
  }
  auto summary = read_json(r.dir / "out/summary.json");
  EXPECT_EQ(summary["services"]["chat"]["requests"]["completed"], 300);
  // The replica serves from 0 to the last end, in iterations for the sum of the service times; its 8
  // A100-80GB draw 400 W in iterations and 55 W otherwise (the GPU model's defaults).
  EXPECT_NEAR(summary["services"]["chat"]["gpu_busy"].get<double>(), busy / end, 1e-6);
  EXPECT_NEAR(summary["services"]["chat"]["energy_j"].get<double>(), 8 * (55 * (end - busy) + 400 * busy), 1e-3 * 8 * 400);
  // run.json records the request trace and the performance table among the inputs (provenance).
  std::set<std::string> roles;
  const nlohmann::json run_json = read_json(r.dir / "out/run.json");
  for (const auto& input : run_json["inputs"]) roles.insert(input["role"].get<std::string>());
  EXPECT_TRUE(roles.count("requests") && roles.count("perf_table")) << read_text(r.dir / "out/run.json");
  // The replica is a job: it ends with the last request.
  auto jobs = rows_by_id(r.dir / "out/jobs.csv");
  EXPECT_NEAR(std::stod(jobs["chat/replica-0"]["end_s"]), end, 2e-6);
  r.expect_invariants();
}

// Two replicas of 8 GPUs on two servers, a training job holding one server from 0 to 100: replica 0
// starts at 0, replica 1 at 100. Requests at 0, 1, 2 go to replica 0 (the only one serving); the one
// at 150 goes to replica 1 (round robin over the two serving replicas: it is the router's fourth pick).
TEST(InferenceRuns, ReplicasArePlacedLikeJobs) {
  TempFolder traces("inference-trace");
  std::string requests = traces.write("requests.csv",
                                      "request_id,arrival_s,prompt_tokens,output_tokens\nq0,0,100,10\nq1,1,100,10\nq2,2,100,10\nq3,150,100,10\n");
  ServiceRun r("inference-placed", 2, "job_id,submit_s,duration_s,gpus,tenant\nt1,0,100,8,train\n",
               chat({{"path", requests}, {"format", "native-requests"}}, 2));
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto jobs = rows_by_id(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs["chat/replica-0"]["start_s"], "0");
  EXPECT_EQ(jobs["chat/replica-1"]["start_s"], "100");
  EXPECT_EQ(jobs["chat/replica-1"]["state"], "completed");
  // The job statistics are the training job's alone: t1 ran from 0 to 100.
  auto summary = read_json(r.dir / "out/summary.json");
  EXPECT_EQ(summary["jobs"]["submitted"], 1);
  EXPECT_EQ(summary["jct_s"]["max"], 100);
  std::map<std::string, std::string> replica;
  for (auto& row : read_csv(r.dir / "out/requests.csv")) replica[row["request_id"]] = row["replica"];
  EXPECT_EQ(replica["q0"], "0");
  EXPECT_EQ(replica["q2"], "0");
  EXPECT_EQ(replica["q3"], "1");
  CliResult check = run_cli("check " + (r.dir / "out"));
  EXPECT_EQ(check.exit_code, 0) << check.err;
  r.expect_invariants();
  // One replica serves at the sample at 60 s, both at 120 s.
  std::string series = read_text(r.dir / "out/timeseries.csv");
  EXPECT_NE(series.find("\n60,service_replicas_serving,chat,1\n"), std::string::npos) << series;
  EXPECT_NE(series.find("\n120,service_replicas_serving,chat,2\n"), std::string::npos);
  // The checker's service rules can fail: a KV cache over its capacity, a request served by replica 1
  // before it started (q3 moved to 50 s, while replica 1 starts at 100 s).
  std::string checker = std::string(AIDCSIM_SOURCE_DIR) + "/tests/scenarios/check_invariants.py";
  auto expect_violation = [&](const std::string& what) {
    std::string command = "/usr/bin/python3 '" + checker + "' '" + (r.dir / "out") + "' > '" + (r.dir / "check.txt") + "' 2>&1";
    EXPECT_NE(std::system(command.c_str()), 0) << what;
    EXPECT_NE(read_text(r.dir / "check.txt").find(what), std::string::npos) << read_text(r.dir / "check.txt");
  };
  r.dir.write("out/timeseries.csv", series + "180,service_kv_cache_used,chat,1.5\n");
  expect_violation("service_kv_cache_used 1.5 of chat is outside [0, 1]");
  r.dir.write("out/timeseries.csv", series);
  std::string requests_csv = read_text(r.dir / "out/requests.csv");
  std::string q3 = requests_csv.substr(requests_csv.find("chat,q3,"));
  auto fields = [](const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) out.push_back(line.substr(start, comma - start));
    out.push_back(line.substr(start, line.find('\n', start) - start));
    return out;
  };
  auto f = fields(q3);  // arrival_s, first_token_s, end_s = 50, 50.5, 51 and the derived figures
  f[2] = "50", f[3] = "50.5", f[4] = "51", f[5] = "0.5", f[8] = "1";
  std::string moved;
  for (std::size_t i = 0; i < f.size(); ++i) moved += (i ? "," : "") + f[i];
  r.dir.write("out/requests.csv", requests_csv.substr(0, requests_csv.find("chat,q3,")) + moved + "\n");
  expect_violation("last token at 51 while its replica served from 100");
}

// A failure of a replica's server (docs/failures.md): the replica stops serving, the requests it held
// are recomputed on the other replica (their preemptions count it), the router sends no new request to
// it, and every request completes; the failure is in failures.csv and the job's failures column.
TEST(InferenceRuns, AFailedServerLosesItsReplicaAndTheRouterStopsSendingToIt) {
  TempFolder traces("inference-failure-trace");
  std::string rows = "request_id,arrival_s,prompt_tokens,output_tokens\n";
  for (int i = 0; i < 40; ++i) rows += fmt::format("q{},{},500,200\n", i, i * 0.25);
  std::string requests = traces.write("requests.csv", rows);
  ServiceRun r("inference-failure", 2, kNoJobs, chat({{"path", requests}, {"format", "native-requests"}}, 2));
  r.dir.write("failures.csv", "time_s,host,duration_s\n5,srv0,1000\n");
  nlohmann::json s = read_json(r.scenario);
  s["failures"] = {{"trace", "failures.csv"}, {"restart_s", 30}};
  r.dir.write("scenario.json", s.dump(2));
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto jobs = rows_by_id(r.dir / "out/jobs.csv");
  auto failures = read_csv(r.dir / "out/failures.csv");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0]["host"], "srv0");
  EXPECT_EQ(failures[0]["jobs_hit"], "1");
  const std::string hit = failures[0]["job_ids"];  // the replica placed on srv0
  ASSERT_TRUE(hit == "chat/replica-0" || hit == "chat/replica-1") << hit;
  const std::string other = hit == "chat/replica-0" ? "1" : "0";
  EXPECT_EQ(jobs[hit]["failures"], "1");
  EXPECT_EQ(jobs[hit]["preemptions"], "1");
  int moved = 0;
  for (auto& row : read_csv(r.dir / "out/requests.csv")) {
    EXPECT_EQ(row["state"], "completed") << row["request_id"];
    if (std::stod(row["end_s"]) > 5) {
      EXPECT_EQ(row["replica"], other) << row["request_id"];
    }
    moved += std::stoi(row["preemptions"]) > 0;
  }
  EXPECT_GT(moved, 0);
  CliResult check = run_cli("check " + (r.dir / "out"));
  EXPECT_EQ(check.exit_code, 0) << check.err;
  r.expect_invariants();
}

// Each batching policy end to end on 300 requests of the conversation trace at 10x their rate: every
// request completes once with all its tokens (the checker's request rules), and the three differ.
TEST(InferenceRuns, EveryBatchingPolicyEndToEnd) {
  std::map<std::string, std::string> ttft_p99;
  for (const char* policy : {"vllm", "sarathi", "static"}) {
    nlohmann::json s = chat({{"path", shared_file("azure-llm-2023/AzureLLMInferenceTrace_conv.csv")},
                             {"format", "azure-llm"},
                             {"limit", 300},
                             {"time_scale", 0.1}});
    s["batching"] = {{"policy", policy}};
    ServiceRun r(std::string("inference-") + policy, 1, kNoJobs, s);
    CliResult result = r.run();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto summary = read_json(r.dir / "out/summary.json");
    EXPECT_EQ(summary["services"]["chat"]["requests"]["completed"], 300) << policy;
    ttft_p99[policy] = summary["services"]["chat"]["ttft_s"]["p99"].dump();
    r.expect_invariants();
  }
  EXPECT_NE(ttft_p99["vllm"], ttft_p99["sarathi"]);
  EXPECT_NE(ttft_p99["vllm"], ttft_p99["static"]);
}

// A generated trace: Poisson arrivals at 2 requests/s for 300 s, token counts drawn from the code
// trace; the same seed gives the same requests.csv, another seed another.
TEST(InferenceRuns, GeneratedRequestsAreSeeded) {
  nlohmann::json poisson = {{"format", "poisson"}, {"rate_per_s", 2}, {"duration_s", 300},
                            {"sizes_from", {{"path", shared_file("azure-llm-2023/AzureLLMInferenceTrace_code.csv")}}}};
  ServiceRun a("inference-poisson-a", 1, kNoJobs, chat(poisson)), b("inference-poisson-b", 1, kNoJobs, chat(poisson));
  ASSERT_EQ(a.run().exit_code, 0);
  ASSERT_EQ(b.run().exit_code, 0);
  std::string first = read_text(a.dir / "out/requests.csv");
  EXPECT_EQ(first, read_text(b.dir / "out/requests.csv"));
  auto rows = read_csv(a.dir / "out/requests.csv");
  EXPECT_NEAR(static_cast<double>(rows.size()), 600, 4 * std::sqrt(600.0));
  CliResult other = run_cli("run " + a.scenario + " --seed 7 --out " + (a.dir / "out7") + " --quiet");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(first, read_text(a.dir / "out7/requests.csv"));
  a.expect_invariants();
}

// A replica loads llama2-70b's weights (70e9 parameters x 2 bytes = 140 GB) from the storage host over
// a 1.25 GB/s link (CM02, full duplex: a textbook transfer) before it serves: 112 s. A request at 0 of
// 100 prompt tokens and 1 output token gets its token at 112 + prefill(100). With weights_from "" the
// replica serves at once. (The replica's start is reported from inside SimGrid; the engine's
// controller must then wake for the first iteration's end, not at its next planned time.)
TEST(InferenceRuns, ReplicaLoadsItsWeightsOverTheNetwork) {
  const std::string platform = known_links_platform(1, true);
  nlohmann::json requests = {{"format", "poisson"}, {"rate_per_s", 1e6}, {"count", 1}, {"prompt_tokens", 100}, {"output_tokens", 1}};
  for (bool load : {true, false}) {
    nlohmann::json service = chat(requests);
    if (!load) service["weights_from"] = "";
    ServiceRun r("inference-weights", 1, kNoJobs, service);
    r.use_platform_cm02(platform);
    CliResult result = r.run();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto rows = read_csv(r.dir / "out/requests.csv");
    ASSERT_EQ(rows.size(), 1u);
    double arrival = std::stod(rows[0]["arrival_s"]);
    double prefill = measured().prompt_s(kLlama70bA100, 100);
    // The replica is submitted with the first request and starts loading then (times to 1e-6 s).
    EXPECT_NEAR(std::stod(rows[0]["first_token_s"]), arrival + (load ? 112.0 : 0.0) + prefill, 2e-6) << load;
  }
}

// Disaggregated serving: prompt replica 0 on srv0, token replica 1 on srv1, 1.25 GB/s between them
// (CM02, full duplex). A request of 1,000 prompt tokens and 3 output tokens: its first token at
// prefill(1000) on srv0; its KV cache, 1,000 x 327,680 bytes (llama2-70b: 2 x 80 layers x 8 KV heads x
// 128 x 2 bytes per token) = 327.68 MB, takes 0.262144 s to srv1; then two decodes of token(1).
TEST(InferenceRuns, DisaggregatedKvTransferOnAKnownLink) {
  nlohmann::json service = chat({{"format", "poisson"}, {"rate_per_s", 1e6}, {"count", 1}, {"prompt_tokens", 1000}, {"output_tokens", 3}});
  service.erase("replicas");
  service["disaggregated"] = {{"prompt_replicas", 1}, {"token_replicas", 1}};
  ServiceRun r("inference-disaggregated", 2, kNoJobs, service);
  r.use_platform_cm02(known_links_platform(2, false));
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto& perf = measured();
  const auto& key = kLlama70bA100;
  auto rows = read_csv(r.dir / "out/requests.csv");
  ASSERT_EQ(rows.size(), 1u);
  double arrival = std::stod(rows[0]["arrival_s"]);
  double first = arrival + perf.prompt_s(key, 1000), transfer = 1000 * 327680 / 1.25e9;
  EXPECT_NEAR(transfer, 0.262144, 1e-12);
  EXPECT_NEAR(std::stod(rows[0]["first_token_s"]), first, 2e-6);
  EXPECT_NEAR(std::stod(rows[0]["end_s"]), first + transfer + 2 * perf.token_s(key, 1), 2e-6);
  EXPECT_NEAR(std::stod(rows[0]["tbt_max_s"]), transfer + perf.token_s(key, 1), 2e-6);
  EXPECT_EQ(rows[0]["replica"], "1");
  EXPECT_EQ(rows[0]["state"], "completed");
  auto summary = read_json(r.dir / "out/summary.json");
  EXPECT_NEAR(summary["services"]["chat"]["kv_transfer_s"]["mean"].get<double>(), 0.262144, 1e-6);
  r.expect_invariants();
}

// Disaggregated, 2 prompt and 2 token replicas on 500 conversation requests at 10x their rate: every
// request completes once with all its tokens (the checker's rules), one KV transfer per request of 2+
// output tokens, and the requests end on token replicas (2, 3) only.
TEST(InferenceRuns, DisaggregatedServesEveryRequest) {
  nlohmann::json service = chat({{"path", shared_file("azure-llm-2023/AzureLLMInferenceTrace_conv.csv")},
                                 {"format", "azure-llm"}, {"limit", 500}, {"time_scale", 0.1}});
  service.erase("replicas");
  service["disaggregated"] = {{"prompt_replicas", 2}, {"token_replicas", 2}};
  service["router"] = {{"policy", "least-outstanding"}};
  ServiceRun r("inference-disaggregated-many", 4, kNoJobs, service);
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto summary = read_json(r.dir / "out/summary.json");
  EXPECT_EQ(summary["services"]["chat"]["requests"]["completed"], 500);
  long long multi = 0;
  for (auto& row : read_csv(r.dir / "out/requests.csv")) {
    if (std::stoll(row["output_tokens"]) > 1) {
      ++multi;
      EXPECT_TRUE(row["replica"] == "2" || row["replica"] == "3") << row["request_id"];
    }
  }
  EXPECT_EQ(summary["services"]["chat"]["kv_transfer_s"]["count"].get<long long>(), multi);
  r.expect_invariants();
}

// The routers through the simulator, two replicas (no storage: both serve from 0). At 0, q1 (2,000
// prompt tokens, 400 output: decoding for ~17 s) and q2 (100, 1: done in 0.07 s); at 1 s, q3 and q4
// (100 tokens, 1 output token). Round robin: 0, 1, 0, 1. Least outstanding: q3 to replica 1 (0 in flight
// against 1), q4 ties 1/1 and goes to the lower index, 0. Least KV: q3 to 1, which then holds q3's 7
// blocks against q1's 150 on replica 0, so q4 to 1 as well.
TEST(InferenceRuns, RoutersThroughTheSimulator) {
  TempFolder traces("inference-routers");
  std::string requests = traces.write("requests.csv", "request_id,arrival_s,prompt_tokens,output_tokens\n"
                                                      "q1,0,2000,400\nq2,0,100,1\nq3,1,100,1\nq4,1,100,1\n");
  std::map<std::string, std::vector<std::string>> expected = {{"round-robin", {"0", "1", "0", "1"}},
                                                               {"least-outstanding", {"0", "1", "1", "0"}},
                                                               {"least-kv", {"0", "1", "1", "1"}}};
  for (const auto& [router, replicas] : expected) {
    nlohmann::json service = chat({{"path", requests}, {"format", "native-requests"}}, 2);
    service["router"] = {{"policy", router}};
    ServiceRun r("inference-router", 2, kNoJobs, service);
    ASSERT_EQ(r.run().exit_code, 0);
    std::vector<std::string> got;
    for (auto& row : read_csv(r.dir / "out/requests.csv")) got.push_back(row["replica"]);
    EXPECT_EQ(got, replicas) << router;
  }
}

// A workload of services alone needs no job trace; a workload of neither is an input error.
TEST(InferenceRuns, ServicesWithoutJobs) {
  nlohmann::json poisson = {{"format", "poisson"}, {"rate_per_s", 1}, {"count", 20}, {"prompt_tokens", 100}, {"output_tokens", 10}};
  ServiceRun r("inference-no-jobs", 1, kNoJobs, chat(poisson));
  nlohmann::json s = read_json(r.scenario);
  s["workload"].erase("jobs");
  r.dir.write("scenario.json", s.dump(2));
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_json(r.dir / "out/summary.json")["services"]["chat"]["requests"]["completed"], 20);
  s["workload"].erase("services");
  r.dir.write("scenario.json", s.dump(2));
  result = r.run();
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/workload/jobs: missing"), std::string::npos) << result.err;
}

// --set reaches into lists by index (sweeps vary a service's keys): workload.services.0.replicas.
TEST(InferenceRuns, SetReachesIntoTheListOfServices) {
  nlohmann::json poisson = {{"format", "poisson"}, {"rate_per_s", 1}, {"count", 5}, {"prompt_tokens", 100}, {"output_tokens", 10}};
  ServiceRun r("inference-set-index", 2, kNoJobs, chat(poisson));
  CliResult result = run_cli("run " + r.scenario + " --set workload.services.0.replicas=2 --out " + (r.dir / "out") + " --quiet");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(rows_by_id(r.dir / "out/jobs.csv").count("chat/replica-1"), 1u);
  result = run_cli("run " + r.scenario + " --set workload.services.1.replicas=2 --out " + (r.dir / "out2") + " --quiet");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--set: workload.services.1.replicas: \"1\" is not an index of the list of 1 elements; expected 0 to 0"),
            std::string::npos) << result.err;
}

TEST(InferenceRuns, BadInputIsExitTwoWithThePath) {
  TempFolder traces("inference-bad-trace");
  std::string good = traces.write("good.csv", "request_id,arrival_s,prompt_tokens,output_tokens\nq0,0,100,10\n");
  std::string bad = traces.write("bad.csv", "request_id,arrival_s,prompt_tokens,output_tokens\nq0,0,100,10\nq1,1,-5,10\n");
  struct Case {
    nlohmann::json service;
    std::string expected;
  };
  nlohmann::json requests = {{"path", good}, {"format", "native-requests"}};
  std::vector<Case> cases;
  nlohmann::json s = chat(requests);
  s["tensor_parallel"] = 16;
  cases.push_back({s, "/workload/services/0/tensor_parallel: 16 GPUs per replica, but no server has more than 8"});
  s = chat(requests);
  s["tensor_parallel"] = 3;
  cases.push_back({s, "/workload/services/0/gpu_model: the performance table has no measurements of llama2-70b on A100-80GB with tensor_parallel 3"});
  s = chat(requests);
  s["model"] = "gpt-5";
  cases.push_back({s, "/workload/services/0/model"});
  s = chat({{"path", bad}, {"format", "native-requests"}});
  cases.push_back({s, "bad.csv:3"});
  s = chat(requests);
  s["slo"] = nlohmann::json::object();
  cases.push_back({s, "/workload/services/0/slo: no objective"});
  s = chat(requests);
  s["batching"] = {{"policy", "static"}, {"max_num_seqs", 4}};  // a key of vllm's, not of static batches
  cases.push_back({s, "/workload/services/0/batching/max_num_seqs"});
  s = chat(requests);
  s["batching"] = {{"policy", "orca"}};
  cases.push_back({s, "/workload/services/0/batching/policy"});
  s = chat({{"format", "poisson"}, {"duration_s", 10}, {"prompt_tokens", 100}, {"output_tokens", 10}});
  cases.push_back({s, "/workload/services/0/requests/rate_per_s: missing"});
  s = chat({{"format", "poisson"}, {"rate_per_s", 1}, {"duration_s", 10}, {"prompt_tokens", {500, 100}}, {"output_tokens", 10}});
  cases.push_back({s, "/workload/services/0/requests/prompt_tokens: found [500,100]; expected an integer >= 1 or [min, max]"});
  s = chat(requests);
  s["gpu_model"] = "H100-80GB";
  cases.push_back({s, "the platform has no GPU of model \"H100-80GB\""});
  for (const auto& c : cases) {
    ServiceRun r("inference-bad", 1, kNoJobs, c.service);
    CliResult result = r.run();
    EXPECT_EQ(result.exit_code, 2) << c.service.dump();
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    EXPECT_TRUE(no_outputs_in(r.dir / "out"));
  }
}

}  // namespace
