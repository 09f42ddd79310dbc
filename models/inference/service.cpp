#include "models/inference/service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "models/inference/service_sim.hpp"
#include "sim/core/rng.hpp"

namespace aidcsim {

const std::vector<LlmModelInfo>& llm_models() {
  // llama2-70b: 80 layers, 8 KV heads (grouped-query attention), head dim 128 (its config.json);
  // bloom-176b: 70 layers, 112 heads (multi-head), head dim 128.
  static const std::vector<LlmModelInfo> models = {
      {"llama2-70b", 70e9, 2.0 * 80 * 8 * 128 * 2},
      {"bloom-176b", 176e9, 2.0 * 70 * 112 * 128 * 2},
  };
  return models;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string resolve(const std::string& dir, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(dir) / path).lexically_normal().string();
}

// Each policy takes its own keys (a key of another policy is an unknown key); defaults are vLLM's
// API-server defaults and Vidur's (batch_size_cap 128, chunk_size 512, watermark 1 %).
BatchingConfig read_batching(OptionReader& b) {
  BatchingConfig c;
  std::string policy = b.text("policy", "vllm", {"vllm", "sarathi", "static"});
  if (policy == "vllm") {
    c.max_num_seqs = b.integer("max_num_seqs", 256, 1, 1 << 20);
    c.max_num_batched_tokens = b.integer("max_num_batched_tokens", 8192, 1, 1 << 24);
  } else if (policy == "sarathi") {
    c.policy = BatchingConfig::Policy::sarathi;
    c.max_num_seqs = b.integer("max_num_seqs", 128, 1, 1 << 20);
    c.chunk_size = b.integer("chunk_size", 512, 1, 1 << 24);
    c.watermark_fraction = b.number("watermark_fraction", 0.01, 0, 0.5);
  } else if (policy == "static") {
    c.policy = BatchingConfig::Policy::static_batches;
    c.max_batch_size = b.integer("max_batch_size", 128, 1, 1 << 20);
  }
  b.reject_unknown();
  return c;
}

// A token count of a generated trace: an integer, or [min, max] (uniform).
TokenCounts read_token_counts(OptionReader& r, const std::string& key) {
  TokenCounts c;
  const nlohmann::json* v = r.raw(key);
  if (v && v->is_number_integer() && v->get<long long>() >= 1 && v->get<long long>() <= 10'000'000) {
    c.min = c.max = v->get<long long>();
  } else if (v && v->is_array() && v->size() == 2 && (*v)[0].is_number_integer() && (*v)[1].is_number_integer() &&
             (*v)[0].get<long long>() >= 1 && (*v)[0].get<long long>() <= (*v)[1].get<long long>() &&
             (*v)[1].get<long long>() <= 10'000'000) {
    c.min = (*v)[0].get<long long>();
    c.max = (*v)[1].get<long long>();
  } else {
    r.problem(key, fmt::format("{}; expected an integer >= 1 or [min, max] (1 <= min <= max <= 1e7), or sizes_from",
                               v ? "found " + v->dump() : std::string("missing")));
  }
  return c;
}

// `format: "poisson"`: the rate, the span and the token counts (docs/inference.md).
std::optional<PoissonRequests> read_poisson(OptionReader& r, const std::string& scenario_dir, ProblemList& problems, RunRecord* record) {
  PoissonRequests g;
  g.rate_per_s = r.number("rate_per_s", -1, 1e-9, 1e9);
  // rate_profile: [[time_s, rate_per_s], ...], times increasing, rates >= 0 and not all 0.
  if (const nlohmann::json* profile = r.raw("rate_profile")) {
    bool ok = profile->is_array() && !profile->empty();
    double previous = -1, largest = 0;
    for (const auto& knot : ok ? *profile : nlohmann::json::array()) {
      if (!knot.is_array() || knot.size() != 2 || !knot[0].is_number() || !knot[1].is_number() || knot[0].get<double>() <= previous ||
          knot[1].get<double>() < 0 || knot[1].get<double>() > 1e9 || knot[0].get<double>() > kMaxTime_s) {
        ok = false;
        break;
      }
      previous = knot[0].get<double>();
      largest = std::max(largest, knot[1].get<double>());
      g.rate_profile.emplace_back(previous, knot[1].get<double>());
    }
    if (!ok || largest <= 0) {
      r.problem("rate_profile", "expected [[time_s, rate_per_s], ...] with increasing times (0 to 1e9 s) and rates in [0, 1e9], not all 0");
      g.rate_per_s = 1;  // reported: not "rate_per_s missing" as well
    }
    else if (r.has("rate_per_s"))
      r.problem("rate_per_s", "given with rate_profile; expected one of them");
    else
      g.rate_per_s = largest;
  }
  g.duration_s = r.number("duration_s", -1, 1e-9, kMaxTime_s);
  g.count = r.integer("count", -1, 1, 100'000'000);
  g.start_s = r.number("start_s", 0, 0, kMaxTime_s);
  if (g.rate_per_s < 0) r.problem("rate_per_s", "missing; expected requests per second (> 0)");
  if (g.duration_s < 0 && g.count < 0) r.problem("duration_s", "missing; expected the span of the arrivals (s) and/or a count");
  if (g.duration_s < 0) g.duration_s = kMaxTime_s;
  if (r.has("sizes_from")) {
    if (r.has("prompt_tokens") || r.has("output_tokens")) r.problem("sizes_from", "given with prompt_tokens/output_tokens; expected one of them");
    OptionReader from = r.nested("sizes_from");
    std::string format = from.text("format", "azure-llm", {"native-requests", "azure-llm"});
    std::string path = resolve(scenario_dir, from.text("path", ""));
    from.reject_unknown();
    if (path.empty()) {
      from.problem("path", "missing; expected a request trace whose token counts are drawn");
      return std::nullopt;
    }
    if (record) record->read_file("request_sizes", path);
    auto read = format == "azure-llm" ? read_azure_llm_requests(path, problems) : read_native_requests(path, problems);
    for (const auto& q : read) g.prompt.sample_from.push_back(q.prompt_tokens), g.output.sample_from.push_back(q.output_tokens);
    if (read.empty()) return std::nullopt;
  } else {
    g.prompt = read_token_counts(r, "prompt_tokens");
    g.output = read_token_counts(r, "output_tokens");
  }
  if (g.rate_per_s < 0 || (g.prompt.max < 1 && g.prompt.sample_from.empty()) || (g.output.max < 1 && g.output.sample_from.empty()))
    return std::nullopt;
  return g;
}

}  // namespace

std::vector<ServiceSpec> read_services(OptionReader& workload, const std::string& scenario_dir, const Cluster& cluster,
                                       std::uint64_t seed, ProblemList& problems, RunRecord* record) {
  std::vector<ServiceSpec> out;
  std::map<std::string, std::shared_ptr<const LlmPerfModel>> tables;
  auto items = workload.items("services");
  for (std::size_t i = 0; i < items.size(); ++i) {
    OptionReader& o = items[i];
    ServiceSpec s;
    s.name = o.text("name", "");
    if (s.name.empty()) o.problem("name", "missing; expected the service's name");
    for (const auto& other : out)
      if (other.name == s.name) o.problem("name", fmt::format("service \"{}\" is declared twice", s.name));
    s.tenant = o.text("tenant", s.name);
    std::vector<std::string> model_names;
    for (const auto& m : llm_models()) model_names.push_back(m.name);
    s.model = o.text("model", "", model_names);
    if (s.model.empty()) o.problem("model", fmt::format("missing; expected one of: {}", join_names(model_names)));
    s.gpu_model = o.text("gpu_model", "");
    s.tensor_parallel = o.integer("tensor_parallel", 1, 1, 64);
    s.replicas = o.integer("replicas", 1, 0, 100000);
    if (o.has("disaggregated")) {
      OptionReader d = o.nested("disaggregated");
      s.prompt_replicas = d.integer("prompt_replicas", 1, 1, 100000);
      int token_replicas = d.integer("token_replicas", 1, 1, 100000);
      d.reject_unknown();
      if (o.has("replicas") && s.replicas != s.prompt_replicas + token_replicas)
        o.problem("replicas", fmt::format("{} replicas, but disaggregated has {} prompt and {} token replicas; expected their sum "
                                          "or no replicas key", s.replicas, s.prompt_replicas, token_replicas));
      s.replicas = s.prompt_replicas + token_replicas;
    }
    s.priority = o.integer("priority", 0, -(1 << 30), 1 << 30);
    s.seed = seed + i;
    std::string table = resolve(scenario_dir, o.text("perf_table", "../../shared/traces/llm-perf-splitwise/perf_model.csv"));
    if (!tables.count(table)) {
      if (record) record->read_file("perf_table", table);
      tables[table] = std::make_shared<LlmPerfModel>(LlmPerfModel::read(table, problems));
    }
    s.perf = tables[table];
    s.key = {s.model, lower(s.gpu_model), s.tensor_parallel};
    if (!s.model.empty() && !s.perf->keys().empty() && !s.perf->has(s.key)) {
      std::string have;
      for (const auto& k : s.perf->keys()) have += fmt::format("{}{}/{}/TP{}", have.empty() ? "" : ", ", k.model, k.hardware, k.tensor_parallel);
      o.problem("gpu_model", fmt::format("the performance table has no measurements of {} on {} with tensor_parallel {}; it "
                                         "has: {}", s.model, s.gpu_model, s.tensor_parallel, have));
    }
    auto gpu = cluster.model_index.find(s.gpu_model);
    if (gpu == cluster.model_index.end()) {
      o.problem("gpu_model", fmt::format("the platform has no GPU of model \"{}\"; expected one of: {}", s.gpu_model,
                                         join_names(cluster.gpu_models)));
    } else {
      if (s.tensor_parallel > cluster.max_gpus_per_server)
        o.problem("tensor_parallel", fmt::format("{} GPUs per replica, but no server has more than {}; a replica's GPUs "
                                                 "are on one server", s.tensor_parallel, cluster.max_gpus_per_server));
      double gpu_memory = 0;
      for (const auto& g : cluster.gpus)
        if (g.model == s.gpu_model) gpu_memory = g.memory_gib * kGiB, s.gpu_memory_gib = g.memory_gib;
      auto info = std::find_if(llm_models().begin(), llm_models().end(), [&](const LlmModelInfo& m) { return m.name == s.model; });
      if (info != llm_models().end()) {
        s.weights_bytes = 2 * info->parameters;
        s.kv_bytes_per_token = info->kv_bytes_per_token;
        double free_bytes = kKvMemoryUtilization * gpu_memory * s.tensor_parallel - 2 * info->parameters;
        s.kv_blocks = static_cast<long long>(free_bytes / info->kv_bytes_per_token / s.batching.block_tokens);
        if (s.kv_blocks <= 0)
          o.problem("tensor_parallel", fmt::format("{} GPUs of {} cannot hold the weights of {} ({} GB); expected more GPUs per replica",
                                                   s.tensor_parallel, s.gpu_model, s.model, 2 * info->parameters / 1e9));
      }
    }
    // Weights load from the platform's first storage host unless another host is named.
    std::string default_source = cluster.storage.empty() ? "" : cluster.storage.front().name;
    s.weights_from = o.text("weights_from", default_source);
    if (!s.weights_from.empty() && o.has("weights_from") && !cluster.servers.empty()) {
      bool known = std::any_of(cluster.storage.begin(), cluster.storage.end(), [&](const StorageHost& h) { return h.name == s.weights_from; }) ||
                   std::any_of(cluster.servers.begin(), cluster.servers.end(), [&](const Server& h) { return h.name == s.weights_from; });
      if (!known) o.problem("weights_from", fmt::format("host \"{}\" is not a storage or server host of the platform", s.weights_from));
    }
    OptionReader r = o.nested("requests");
    std::string format = r.text("format", "", {"native-requests", "azure-llm", "poisson"});
    std::string path = format == "poisson" ? "" : resolve(scenario_dir, r.text("path", ""));
    if (path.empty() && format != "poisson") r.problem("path", "missing; expected the path of a request trace");
    if (format.empty() && !r.has("format")) r.problem("format", "missing; expected native-requests, azure-llm or poisson");
    RequestTraceOptions shape;
    shape.time_scale = r.number("time_scale", 1, 1e-9, 1e9);
    shape.limit = r.integer("limit", -1, -1, 2147483647);
    auto window = r.numbers("time_window", {});
    if (window.size() == 2 && window[0] >= 0 && window[1] > window[0]) shape.window_start_s = window[0], shape.window_end_s = window[1];
    else if (!window.empty()) r.problem("time_window", "expected [start_s, end_s] with 0 <= start_s < end_s");
    if (format == "poisson") {
      const std::uint64_t request_seed = stream_seed(seed, "requests/" + s.name);
      if (record) record->random_stream("requests/" + s.name, request_seed);
      if (auto generated = read_poisson(r, scenario_dir, problems, record))
        s.requests = shape_requests(generate_poisson_requests(*generated, request_seed), shape);
    }
    r.reject_unknown();
    if (!path.empty() && !format.empty()) {
      if (record) record->read_file("requests", path);
      auto read = format == "azure-llm" ? read_azure_llm_requests(path, problems) : read_native_requests(path, problems);
      s.requests = shape_requests(std::move(read), shape);
    }
    OptionReader b = o.nested("batching");
    s.batching = read_batching(b);
    OptionReader rt = o.nested("router");
    s.router = rt.text("policy", "round-robin", router_names());
    rt.reject_unknown();
    OptionReader slo = o.nested("slo");
    s.slo_ttft_s = slo.number("ttft_s", -1, 0, kMaxTime_s);
    s.slo_tbt_s = slo.number("tbt_s", -1, 0, kMaxTime_s);
    s.slo_percentile = slo.number("percentile", 90, 1, 100);
    if (o.has("slo") && s.slo_ttft_s < 0 && s.slo_tbt_s < 0) o.problem("slo", "no objective; expected ttft_s and/or tbt_s");
    slo.reject_unknown();
    o.reject_unknown();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<JobSpec> replica_jobs(const std::vector<ServiceSpec>& services) {
  std::vector<JobSpec> jobs;
  for (const auto& s : services) {
    double first = s.requests.empty() ? 0 : s.requests.front().arrival_s;
    for (int k = 0; k < s.replicas; ++k) {
      JobSpec j;
      j.job_id = s.replica_job_id(k);
      j.submit_s = first;
      j.duration_s = kMaxTime_s;  // until the service ends it (ServiceModel)
      j.gpus = s.tensor_parallel;
      j.tenant = s.tenant;
      j.gpu_models = std::vector<std::string>{s.gpu_model};
      j.priority = s.priority;
      j.work_by_model = true;  // its iterations (ServiceModel::kick)
      j.held = s.initial_replicas >= 0 && k >= s.initial_replicas;  // an autoscaler's spare slot
      j.gpu_mem_gib = s.gpu_memory_gib * kKvMemoryUtilization;  // what vLLM claims of each GPU
      jobs.push_back(std::move(j));
    }
  }
  return jobs;
}

}  // namespace aidcsim
