// The Kubernetes manifest reader (format "k8s", models/traces/k8s.cpp): quantities, the mapping of
// Pods, Jobs and Deployments to jobs, and line-numbered errors with their exact messages. The round
// trip against the OpenB CSV reader is tests/scenarios/test_k8s_manifests.sh.
#include <gtest/gtest.h>

#include <cmath>

#include "models/traces/k8s_quantity.hpp"
#include "models/traces/readers.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::TempDir;

namespace {

struct Read {
  TraceReadResult result;
  std::vector<std::string> errors;  // formatted: error: FILE:LINE: WHERE: WHAT
};

Read read_manifest(const TempDir& dir, const std::string& yaml, nlohmann::json options = nlohmann::json::object()) {
  const std::string path = dir.write("m.yaml", yaml);
  ProblemList problems;
  OptionReader reader(options, "/workload/jobs", "scenario.json", nullptr, problems);
  const Cluster no_cluster;
  const std::vector<JobSpec> no_jobs;
  PolicyArgs args{reader, 1, no_cluster, no_jobs};
  Read r;
  auto made = builtin_registries().trace_readers.find("k8s")->make(args);
  reader.reject_unknown({"path", "format", "limit", "time_window", "time_scale", "model"});
  if (problems.empty()) r.result = made->read(path, problems);
  for (const auto& p : problems.items()) r.errors.push_back(p.format());
  return r;
}

// The one error of a manifest, with the file's path replaced by "m.yaml".
std::string only_error(const TempDir& dir, const std::string& yaml, nlohmann::json options = nlohmann::json::object()) {
  Read r = read_manifest(dir, yaml, std::move(options));
  EXPECT_EQ(r.errors.size(), 1u) << ::testing::PrintToString(r.errors);
  if (r.errors.empty()) return "";
  std::string e = r.errors.front();
  const std::string path = dir.file("m.yaml");
  if (auto at = e.find(path); at != std::string::npos) e.replace(at, path.size(), "m.yaml");
  return e;
}

const char* kPod = R"(apiVersion: v1
kind: Pod
metadata:
  name: train
  namespace: vision
  labels:
    kueue.x-k8s.io/queue-name: team-a
  annotations:
    aidcsim.io/submit-time-s: "120"
    aidcsim.io/duration-s: "3600"
spec:
  priorityClassName: high
  initContainers:
  - name: fetch
    resources:
      requests: {cpu: "6", memory: 1Gi}
  containers:
  - name: main
    resources:
      requests: {cpu: 1500m, memory: 8Gi}
      limits: {nvidia.com/gpu: 2}
  - name: sidecar
    resources:
      limits: {cpu: 500m, memory: 512Mi}
)";

}  // namespace

TEST(K8sQuantity, ParsesEverySuffixExactly) {
  auto value = [](const char* text) {
    auto q = k8s::parse_quantity(text);
    EXPECT_TRUE(q) << text;
    return q ? k8s::in_units(*q) : std::nan("");
  };
  EXPECT_EQ(value("500m"), 0.5);
  EXPECT_EQ(value("4000m"), 4000 / 1000.0);
  EXPECT_EQ(value("1.5"), 1.5);
  EXPECT_EQ(value("+2"), 2);
  EXPECT_EQ(value(".5"), 0.5);
  EXPECT_EQ(value("2k"), 2000);
  EXPECT_EQ(value("3M"), 3e6);
  EXPECT_EQ(value("1G"), 1e9);
  EXPECT_EQ(value("1E"), 1e18);  // exa, not an exponent
  EXPECT_EQ(value("1e3"), 1000);
  EXPECT_EQ(value("25E-2"), 0.25);
  EXPECT_EQ(value("100n"), 100 / 1e9);
  EXPECT_EQ(value("1Ki"), 1024);
  EXPECT_EQ(value("3Mi"), 3 * 1048576.0);
  EXPECT_EQ(value("-1"), -1);  // valid syntax; the reader refuses negative requests
  EXPECT_EQ(k8s::in_gib(*k8s::parse_quantity("262144Mi")), 262144 / 1024.0);
  EXPECT_EQ(k8s::in_gib(*k8s::parse_quantity("64Gi")), 64);
  EXPECT_EQ(k8s::in_gib(*k8s::parse_quantity("1Ti")), 1024);
  EXPECT_EQ(k8s::in_gib(*k8s::parse_quantity("2147483648")), 2);
  for (const char* bad : {"", "abc", "1.2.3", "1Z", "Mi", "1e", ".", "1 Gi", "1mi", "--1", "1e+"})
    EXPECT_FALSE(k8s::parse_quantity(bad)) << '"' << bad << '"';
}

TEST(K8sReader, MapsAPodLikeTheKubernetesScheduler) {
  TempDir dir("k8s");
  Read r = read_manifest(dir, kPod, {{"priority_classes", {{"high", 1000}}}});
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(r.errors);
  ASSERT_EQ(r.result.jobs.size(), 1u);
  const JobSpec& j = r.result.jobs[0];
  EXPECT_EQ(j.job_id, "train");
  EXPECT_EQ(j.tenant, "vision");
  EXPECT_EQ(j.submit_s, 120);
  EXPECT_EQ(j.duration_s, 3600);
  EXPECT_EQ(j.priority, 1000);
  EXPECT_EQ(j.gpus, 2);
  EXPECT_EQ(j.gpu_milli, 1000);
  EXPECT_EQ(j.cpus, 6) << "the init container (6 cores) needs more than the containers together (2)";
  EXPECT_EQ(j.mem_gib, 8.5) << "8Gi + 512Mi (the sidecar's limit, as its request)";
  EXPECT_EQ(j.estimate_s, -1);
  // tenant_from "queue": the Kueue LocalQueue label.
  Read q = read_manifest(dir, kPod, {{"priority_classes", {{"high", 1000}}}, {"tenant_from", "queue"}});
  ASSERT_EQ(q.result.jobs.size(), 1u);
  EXPECT_EQ(q.result.jobs[0].tenant, "team-a");
}

TEST(K8sReader, GpuSharingAnnotationsAsInTheOpenBData) {
  TempDir dir("k8s");
  Read r = read_manifest(dir, R"(apiVersion: v1
kind: Pod
metadata:
  name: share
  annotations:
    alibabacloud.com/gpu-count: "1"
    alibabacloud.com/gpu-milli: "250"
    alibabacloud.com/gpu-card-model: "T4|P100"
    aidcsim.io/duration-s: "60"
    aidcsim.io/estimate-s: "90"
spec:
  containers:
  - name: main
---
---
apiVersion: v1
kind: Pod
metadata: {name: cpu-only, annotations: {alibabacloud.com/gpu-milli: "0"}}
spec: {containers: [{name: main, resources: {requests: {cpu: "2"}}}]}
)",
                          {{"default_duration_s", 30}});
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(r.errors);
  ASSERT_EQ(r.result.jobs.size(), 2u);
  EXPECT_EQ(r.result.jobs[0].tenant, "default");
  EXPECT_EQ(r.result.jobs[0].gpus, 1);
  EXPECT_EQ(r.result.jobs[0].gpu_milli, 250);
  EXPECT_EQ(r.result.jobs[0].gpu_models, (std::vector<std::string>{"T4", "P100"}));
  EXPECT_EQ(r.result.jobs[0].duration_s, 60);
  EXPECT_EQ(r.result.jobs[0].estimate_s, 90);
  EXPECT_EQ(r.result.jobs[1].gpus, 0);
  EXPECT_EQ(r.result.jobs[1].cpus, 2);
  EXPECT_EQ(r.result.jobs[1].duration_s, 30) << "default_duration_s";
}

TEST(K8sReader, JobsAndDeploymentsBecomeOneJobPerPod) {
  TempDir dir("k8s");
  Read r = read_manifest(dir, R"(apiVersion: batch/v1
kind: Job
metadata:
  name: sweep
  namespace: nlp
  annotations: {aidcsim.io/submit-time-s: "10", aidcsim.io/duration-s: "100"}
spec:
  parallelism: 3
  completions: 2
  template:
    metadata: {annotations: {aidcsim.io/duration-s: "200"}}
    spec:
      containers: [{name: w, resources: {limits: {nvidia.com/gpu: 1}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: wide, annotations: {aidcsim.io/duration-s: "5"}}
spec:
  parallelism: 2
  template: {spec: {containers: [{name: w}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: serve, namespace: inference, annotations: {aidcsim.io/duration-s: "86400"}}
spec:
  replicas: 3
  template: {spec: {containers: [{name: s, resources: {requests: {nvidia.com/gpu: "1"}}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: idle, annotations: {aidcsim.io/duration-s: "1"}}
spec:
  replicas: 0
  template: {spec: {containers: [{name: s}]}}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: listed, annotations: {aidcsim.io/duration-s: "7"}}
  spec: {containers: [{name: main}]}
)");
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(r.errors);
  std::vector<std::string> ids;
  for (const auto& j : r.result.jobs) ids.push_back(j.job_id + "@" + *j.tenant);
  EXPECT_EQ(ids, (std::vector<std::string>{"sweep-0@nlp", "sweep-1@nlp", "wide-0@default", "wide-1@default",
                                           "serve-0@inference", "serve-1@inference", "serve-2@inference",
                                           "listed@default"}));
  EXPECT_EQ(r.result.jobs[0].submit_s, 10);
  EXPECT_EQ(r.result.jobs[0].duration_s, 200) << "the pod template's annotation wins";
  EXPECT_EQ(r.result.jobs[0].gpus, 1);
  EXPECT_EQ(r.result.jobs[4].gpus, 1);
  EXPECT_EQ(r.result.jobs[7].duration_s, 7);
  EXPECT_EQ(r.result.skipped, (std::vector<std::pair<std::string, long long>>{
                                  {"Deployment with no pods (parallelism or replicas 0)", 1}}));
}

TEST(K8sReader, BadInputsAreReportedWithTheirLine) {
  TempDir dir("k8s");
  const std::string head = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {aidcsim.io/duration-s: \"60\"}\n";
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"),
            "error: m.yaml:2: kind: found \"Service\", expected one of: Pod, Job, Deployment, List");
  EXPECT_EQ(only_error(dir, "apiVersion: batch/v1beta1\nkind: Job\nmetadata: {name: s}\n"),
            "error: m.yaml:1: apiVersion: found \"batch/v1beta1\" for a Job, expected batch/v1");
  EXPECT_EQ(only_error(dir, head + "spec:\n  containers:\n  - name: c\n    resources: {requests: {cpu: 2x}}\n"),
            "error: m.yaml:9: spec.containers[0].resources.requests.cpu: found \"2x\", expected a Kubernetes "
            "quantity such as 500m, 2, 1.5Gi or 512Mi");
  EXPECT_EQ(only_error(dir, head + "spec:\n  containers:\n  - name: c\n    resources:\n      limits:\n        nvidia.com/gpu: -1\n"),
            "error: m.yaml:11: spec.containers[0].resources.limits.nvidia.com/gpu: found \"-1\", expected a quantity >= 0");
  EXPECT_EQ(only_error(dir, head + "spec:\n  containers:\n  - name: c\n    resources: {limits: {nvidia.com/gpu: 500m}}\n"),
            "error: m.yaml:9: spec.containers[0].resources.limits.nvidia.com/gpu: found \"500m\", expected a whole "
            "number of GPUs (fractions: annotation alibabacloud.com/gpu-milli)");
  EXPECT_EQ(only_error(dir, head + "spec:\n  containers:\n  - name: c\n    resources: {requests: {nvidia.com/gpu: 1}, "
                                   "limits: {nvidia.com/gpu: 2}}\n"),
            "error: m.yaml:9: spec.containers[0].resources.requests.nvidia.com/gpu: found 1 with a limit of 2; expected "
            "the request to equal the limit (Kubernetes requires it for extended resources)");
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n"),
            "error: m.yaml:1: metadata.annotations: missing annotation aidcsim.io/duration-s; expected the pod's run "
            "time in seconds (or set workload.jobs.default_duration_s)");
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    aidcsim.io/duration-s: \"0\"\n"
                            "spec: {containers: [{name: c}]}\n"),
            "error: m.yaml:6: metadata.annotations.aidcsim.io/duration-s: found \"0\", expected a number > 0 and <= 1e9 "
            "(seconds)");
  EXPECT_EQ(only_error(dir, head + "spec:\n  priorityClassName: urgent\n  containers: [{name: c}]\n",
                       {{"priority_classes", {{"high", 10}}}}),
            "error: m.yaml:7: spec.priorityClassName: no PriorityClass \"urgent\"; expected one of: high, "
            "system-cluster-critical, system-node-critical (give its value in workload.jobs.priority_classes)");
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    aidcsim.io/duration-s: \"1\"\n"
                            "    alibabacloud.com/gpu-count: \"2\"\n    alibabacloud.com/gpu-milli: \"500\"\n"
                            "spec: {containers: [{name: c}]}\n"),
            "error: m.yaml:8: metadata.annotations.alibabacloud.com/gpu-milli: found \"500\" for a 2-GPU pod; a pod of "
            "several GPUs takes whole GPUs (1000)");
  EXPECT_EQ(only_error(dir, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, annotations: {aidcsim.io/duration-s: \"1\"}}\n"
                            "spec:\n  parallelism: 2\n  completions: 5\n  template: {spec: {containers: [{name: c}]}}\n"),
            "error: m.yaml:6: spec.completions: found 5 with parallelism 2; aidcsim submits every pod of a Job at once "
            "and does not model the Job controller's limit of `parallelism` pods at a time: expected completions <= "
            "parallelism (or one Job per wave, with its own submit time)");
  EXPECT_EQ(only_error(dir, head + "spec: {containers: [{name: c}]}\n---\n" + head + "spec: {containers: [{name: c}]}\n"),
            "error: m.yaml:8: metadata.name: duplicate job id \"p\" (first at line 1); expected unique names");
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: Pod\nmetadata: {name: [p\n"),
            "error: m.yaml:4: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c}]}}\n"),
            "error: m.yaml:4: items[0].metadata.annotations: missing annotation aidcsim.io/duration-s; expected the pod's "
            "run time in seconds (or set workload.jobs.default_duration_s)");
  EXPECT_EQ(only_error(dir, "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List}\n"),
            "error: m.yaml:4: items[0].kind: a List inside a List; expected Pod, Job or Deployment");
  EXPECT_EQ(only_error(dir, "# nothing here\n"),
            "error: m.yaml: no Pod, Job or Deployment found; expected a YAML stream of Kubernetes objects");
  EXPECT_EQ(only_error(dir, head, {{"priority_classes", {{"half", 0.5}}}}),
            "error: scenario.json: /workload/jobs/priority_classes/half: found 0.5, expected an integer (a PriorityClass value)");
}
