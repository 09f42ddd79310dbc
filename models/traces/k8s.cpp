// Kubernetes manifests as a workload (format "k8s"): a YAML stream of Pods (v1), Jobs (batch/v1)
// and Deployments (apps/v1), and v1 Lists of them, as `kubectl get -o yaml` writes. docs/traces.md
// ("Kubernetes manifests") states the mapping; in short:
//   one job per pod: a Pod is one; a Job is `completions` pods (default `parallelism`, default 1);
//   a Deployment is `replicas` pods (default 1). job_id: the Pod's name, or NAME-0 .. NAME-(n-1).
//   tenant: metadata.namespace (default "default"), or with tenant_from "queue" the Kueue label
//   kueue.x-k8s.io/queue-name (the LocalQueue) when present.
//   cpus, mem_gib, gpus: the pod's effective requests of cpu, memory and nvidia.com/gpu, as the
//   Kubernetes scheduler computes them: per container the request, else the limit; summed over
//   the containers, and at least the largest init container's.
//   GPU sharing as in the OpenB data and its simulator (hkust-adsl/kubernetes-scheduler-simulator,
//   pkg/type/open-gpu-share/utils/const.go): annotations alibabacloud.com/gpu-count (GPUs),
//   alibabacloud.com/gpu-milli (share of each GPU, 1..1000) and alibabacloud.com/gpu-card-model
//   (allowed models, '|'-separated).
//   priority: spec.priorityClassName through the option priority_classes (name -> value), plus
//   Kubernetes' built-in system-cluster-critical and system-node-critical.
//   time: annotations aidcsim.io/submit-time-s (default 0), aidcsim.io/duration-s (required
//   unless the option default_duration_s is given) and aidcsim.io/estimate-s (optional).
// Every problem is reported with its line (yaml-cpp's marks) and the field's path.
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>

#include "models/traces/k8s_quantity.hpp"
#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

constexpr const char* kQueueLabel = "kueue.x-k8s.io/queue-name";
constexpr const char* kGpuResource = "nvidia.com/gpu";
constexpr const char* kGpuCountAnnotation = "alibabacloud.com/gpu-count";
constexpr const char* kGpuMilliAnnotation = "alibabacloud.com/gpu-milli";
constexpr const char* kGpuModelAnnotation = "alibabacloud.com/gpu-card-model";
constexpr const char* kSubmitAnnotation = "aidcsim.io/submit-time-s";
constexpr const char* kDurationAnnotation = "aidcsim.io/duration-s";
constexpr const char* kEstimateAnnotation = "aidcsim.io/estimate-s";
constexpr long long kMaxPodsPerObject = 1 << 20;
constexpr long long kMaxPods = 1 << 24;  // in one stream: a few lines of YAML must not ask for 10^9 jobs

struct K8sOptions {
  bool tenant_is_queue = false;
  std::map<std::string, double> priority_classes;
  double default_duration_s = -1;  // < 0: the duration annotation is required
};

// A field's value with the node it came from (for its line).
struct Located {
  YAML::Node node;
  std::string where;
};

// What one pod asks for, summed over its containers.
struct PodRequest {
  double cpus = 0, mem_gib = 0;
  long long gpus = -1;  // -1: no container names nvidia.com/gpu
};

class ObjectReader {
 public:
  ObjectReader(const std::string& path, ProblemList& problems, const K8sOptions& o) : path_(path), problems_(problems), o_(o) {}

  // Appends the jobs of one object (a Pod, Job or Deployment; a List's items each in turn).
  void read(const YAML::Node& doc, const std::string& where, std::vector<JobSpec>& jobs, SkipCounter& skipped) {
    if (!doc.IsMap()) {
      fail(doc, where, "expected a Kubernetes object (a mapping with apiVersion, kind and metadata)");
      return;
    }
    ok_ = true;
    const std::string prefix = where.empty() ? "" : where + ".";
    auto kind = text(doc, "kind", prefix + "kind", true);
    auto api = text(doc, "apiVersion", prefix + "apiVersion", true);
    if (!kind || !api) return;
    static const std::map<std::string, std::string> kApiOf{
        {"Pod", "v1"}, {"Job", "batch/v1"}, {"Deployment", "apps/v1"}, {"List", "v1"}};
    auto expected_api = kApiOf.find(*kind);
    if (expected_api == kApiOf.end()) {
      fail(doc["kind"], prefix + "kind", fmt::format("found \"{}\", expected one of: Pod, Job, Deployment, List", *kind));
      return;
    }
    if (*api != expected_api->second) {
      fail(doc["apiVersion"], prefix + "apiVersion",
           fmt::format("found \"{}\" for a {}, expected {}", *api, *kind, expected_api->second));
      return;
    }
    if (*kind == "List") {
      if (!where.empty()) {
        fail(doc["kind"], prefix + "kind", "a List inside a List; expected Pod, Job or Deployment");
        return;
      }
      const YAML::Node items = doc["items"];
      if (!items.IsDefined() || items.IsNull()) return;
      if (!items.IsSequence()) {
        fail(items, prefix + "items", "expected a list of objects");
        return;
      }
      for (std::size_t i = 0; i < items.size(); ++i)
        read(items[i], fmt::format("{}items[{}]", prefix, i), jobs, skipped);
      return;
    }
    read_workload(doc, prefix, *kind, jobs, skipped);
  }

 private:
  void read_workload(const YAML::Node& doc, const std::string& prefix, const std::string& kind, std::vector<JobSpec>& jobs,
                     SkipCounter& skipped) {
    object_line_ = line_of(doc);
    object_where_ = prefix + "metadata.annotations";
    const YAML::Node meta = map_at(doc, "metadata", prefix + "metadata", true);
    if (!meta) return;
    auto name = text(meta, "name", prefix + "metadata.name", true);
    if (name && name->empty()) fail(meta["name"], prefix + "metadata.name", "empty name; expected the object's name");
    std::string ns = text(meta, "namespace", prefix + "metadata.namespace", false).value_or("default");
    if (ns.empty()) ns = "default";
    std::map<std::string, Located> annotations, labels;
    collect(meta, "annotations", prefix + "metadata.annotations", annotations);
    collect(meta, "labels", prefix + "metadata.labels", labels);

    // The pod's spec: the Pod's own, or the template of a Job or Deployment.
    // (emplaced, not assigned: assigning a YAML::Node to another writes through it)
    std::optional<YAML::Node> pod_spec;
    std::string spec_where = prefix + "spec";
    long long pods = 1;
    if (kind == "Pod") {
      pod_spec.emplace(map_at(doc, "spec", spec_where, true));
    } else {
      const YAML::Node spec = map_at(doc, "spec", spec_where, true);
      if (!spec) return;
      if (kind == "Job") {
        auto parallelism = count(spec, "parallelism", spec_where + ".parallelism", 1);
        auto completions = count(spec, "completions", spec_where + ".completions", parallelism);
        pods = completions;
        if (completions > parallelism && parallelism > 0)
          fail(spec["completions"], spec_where + ".completions",
               fmt::format("found {} with parallelism {}; aidcsim submits every pod of a Job at once and does not "
                           "model the Job controller's limit of `parallelism` pods at a time: expected completions "
                           "<= parallelism (or one Job per wave, with its own submit time)",
                           completions, parallelism));
        if (parallelism == 0) pods = 0;
      } else {
        pods = count(spec, "replicas", spec_where + ".replicas", 1);
      }
      const YAML::Node tmpl = map_at(spec, "template", spec_where + ".template", true);
      if (!tmpl) return;
      const std::string tmpl_where = spec_where + ".template";
      if (const YAML::Node tmeta = map_at(tmpl, "metadata", tmpl_where + ".metadata", false)) {
        // The template's annotations and labels are the pods': they win over the object's.
        collect(tmeta, "annotations", tmpl_where + ".metadata.annotations", annotations);
        collect(tmeta, "labels", tmpl_where + ".metadata.labels", labels);
      }
      spec_where = tmpl_where + ".spec";
      pod_spec.emplace(map_at(tmpl, "spec", spec_where, true));
    }
    if (!pod_spec || !*pod_spec || !ok_ || !name) return;
    const YAML::Node& spec = *pod_spec;

    JobSpec job;
    job.tenant = tenants_.get(ns);
    if (o_.tenant_is_queue)
      if (auto it = labels.find(kQueueLabel); it != labels.end() && !it->second.node.Scalar().empty())
        job.tenant = tenants_.get(it->second.node.Scalar());
    PodRequest request = pod_request(spec, spec_where);
    job.cpus = request.cpus;
    job.mem_gib = request.mem_gib;
    read_gpus(annotations, request, job);
    if (auto cls = text(spec, "priorityClassName", spec_where + ".priorityClassName", false); cls && !cls->empty())
      job.priority = priority_of(*cls, spec["priorityClassName"], spec_where + ".priorityClassName");
    job.submit_s = seconds(annotations, kSubmitAnnotation, 0, false);
    job.duration_s = seconds(annotations, kDurationAnnotation, o_.default_duration_s, true);
    if (annotations.count(kEstimateAnnotation)) job.estimate_s = seconds(annotations, kEstimateAnnotation, -1, true);
    if (!ok_) return;
    if (pods == 0) {
      skipped.add(fmt::format("{} with no pods (parallelism or replicas 0)", kind));
      return;
    }
    if (static_cast<long long>(jobs.size()) + pods > kMaxPods) {
      fail(doc, prefix + "metadata.name",
           fmt::format("{} pods in all, expected at most {} in one workload", static_cast<long long>(jobs.size()) + pods,
                       kMaxPods));
      return;
    }
    if (kind == "Pod") {
      job.job_id = *name;
      jobs.push_back(std::move(job));
      ids_.push_back(Id{doc, prefix});
      return;
    }
    for (long long i = 0; i < pods; ++i) {
      JobSpec pod = job;
      pod.job_id = fmt::format("{}-{}", *name, i);
      jobs.push_back(std::move(pod));
      ids_.push_back(Id{doc, prefix});
    }
  }

 public:
  // Where each job came from, in the order they were appended (for duplicate-id messages).
  struct Id {
    YAML::Node doc;
    std::string where;
  };
  const std::vector<Id>& ids() const { return ids_; }
  void fail(const YAML::Node& at, const std::string& where, const std::string& what) {
    problems_.add(path_, line_of(at), where, what);
    ok_ = false;
  }
  static int line_of(const YAML::Node& at) {
    try {
      return at.Mark().line + 1;  // null_mark() has line -1: 0 = no line
    } catch (const YAML::Exception&) {
      return 0;
    }
  }

 private:
  // The scalar under `key`, nullopt when absent (a problem when required) or not a scalar.
  std::optional<std::string> text(const YAML::Node& map, const char* key, const std::string& where, bool required) {
    const YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) {
      if (required) fail(map, where, "missing; expected a value");
      return std::nullopt;
    }
    if (!v.IsScalar()) {
      fail(v, where, "expected a single value, found a list or mapping");
      return std::nullopt;
    }
    return v.Scalar();
  }

  // The mapping under `key`; an empty (false) node when absent (a problem when required) or not a mapping.
  YAML::Node map_at(const YAML::Node& map, const char* key, const std::string& where, bool required) {
    const YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) {
      if (required) fail(map, where, "missing; expected a mapping");
      return YAML::Node(YAML::NodeType::Undefined);
    }
    if (!v.IsMap()) {
      fail(v, where, "expected a mapping");
      return YAML::Node(YAML::NodeType::Undefined);
    }
    return v;
  }

  // Annotations or labels: a mapping of names to single values; later calls override.
  void collect(const YAML::Node& meta, const char* key, const std::string& where, std::map<std::string, Located>& out) {
    const YAML::Node m = map_at(meta, key, where, false);
    if (!m) return;
    for (auto it = m.begin(); it != m.end(); ++it) {
      const std::string k = it->first.Scalar();
      if (!it->second.IsScalar()) {
        fail(it->second, where + "." + k, "expected a string value");
        continue;
      }
      out[k] = Located{it->second, where + "." + k};
    }
  }

  // A non-negative integer field (parallelism, completions, replicas).
  long long count(const YAML::Node& spec, const char* key, const std::string& where, long long fallback) {
    auto t = text(spec, key, where, false);
    if (!t) return fallback;
    auto v = parse_integer(*t);
    if (!v || *v < 0 || *v > kMaxPodsPerObject) {
      fail(spec[key], where, fmt::format("found \"{}\", expected an integer in 0..{}", *t, kMaxPodsPerObject));
      return fallback;
    }
    return *v;
  }

  PodRequest pod_request(const YAML::Node& pod_spec, const std::string& where) {
    PodRequest total;
    const YAML::Node containers = pod_spec["containers"];
    if (!containers.IsDefined() || containers.IsNull() || !containers.IsSequence() || containers.size() == 0) {
      fail(containers.IsDefined() && !containers.IsNull() ? containers : pod_spec, where + ".containers",
           "expected a list of at least one container");
      return total;
    }
    for (std::size_t i = 0; i < containers.size(); ++i) {
      PodRequest c = container_request(containers[i], fmt::format("{}.containers[{}]", where, i));
      total.cpus += c.cpus;
      total.mem_gib += c.mem_gib;
      if (c.gpus >= 0) total.gpus = std::max<long long>(total.gpus, 0) + c.gpus;
    }
    const YAML::Node init = pod_spec["initContainers"];
    if (init.IsDefined() && !init.IsNull()) {
      if (!init.IsSequence()) {
        fail(init, where + ".initContainers", "expected a list of containers");
        return total;
      }
      // Init containers run one at a time before the others: the pod needs the largest of them.
      for (std::size_t i = 0; i < init.size(); ++i) {
        PodRequest c = container_request(init[i], fmt::format("{}.initContainers[{}]", where, i));
        total.cpus = std::max(total.cpus, c.cpus);
        total.mem_gib = std::max(total.mem_gib, c.mem_gib);
        if (c.gpus >= 0) total.gpus = std::max(total.gpus, c.gpus);
      }
    }
    return total;
  }

  PodRequest container_request(const YAML::Node& container, const std::string& where) {
    PodRequest r;
    if (!container.IsMap()) {
      fail(container, where, "expected a container (a mapping)");
      return r;
    }
    const YAML::Node resources = map_at(container, "resources", where + ".resources", false);
    if (!resources) return r;
    const YAML::Node requests = map_at(resources, "requests", where + ".resources.requests", false);
    const YAML::Node limits = map_at(resources, "limits", where + ".resources.limits", false);
    // Kubernetes defaults a missing request to the limit.
    auto effective = [&](const char* resource) -> std::optional<std::pair<k8s::Quantity, Located>> {
      std::optional<std::pair<k8s::Quantity, Located>> request, limit;
      if (requests) request = quantity(requests, resource, where + ".resources.requests." + resource);
      if (limits) limit = quantity(limits, resource, where + ".resources.limits." + resource);
      if (request && limit && std::string(resource) == kGpuResource &&
          k8s::in_units(request->first) != k8s::in_units(limit->first))
        fail(request->second.node, request->second.where,
             fmt::format("found {} with a limit of {}; expected the request to equal the limit (Kubernetes requires "
                         "it for extended resources)",
                         request->second.node.Scalar(), limit->second.node.Scalar()));
      return request ? request : limit;
    };
    if (auto cpu = effective("cpu")) r.cpus = k8s::in_units(cpu->first);
    if (auto mem = effective("memory")) r.mem_gib = k8s::in_gib(mem->first);
    if (auto gpu = effective(kGpuResource)) {
      double n = k8s::in_units(gpu->first);
      if (n != std::floor(n) || n > 1 << 20)
        fail(gpu->second.node, gpu->second.where,
             fmt::format("found \"{}\", expected a whole number of GPUs (fractions: annotation {})",
                         gpu->second.node.Scalar(), kGpuMilliAnnotation));
      else r.gpus = static_cast<long long>(n);
    }
    return r;
  }

  std::optional<std::pair<k8s::Quantity, Located>> quantity(const YAML::Node& map, const char* key, const std::string& where) {
    auto t = text(map, key, where, false);
    if (!t) return std::nullopt;
    auto q = k8s::parse_quantity(*t);
    if (!q) {
      fail(map[key], where, fmt::format("found \"{}\", expected a Kubernetes quantity such as 500m, 2, 1.5Gi or 512Mi", *t));
      return std::nullopt;
    }
    if (q->mantissa < 0) {
      fail(map[key], where, fmt::format("found \"{}\", expected a quantity >= 0", *t));
      return std::nullopt;
    }
    return std::make_pair(*q, Located{map[key], where});
  }

  void read_gpus(const std::map<std::string, Located>& annotations, const PodRequest& request, JobSpec& job) {
    long long gpus = std::max<long long>(request.gpus, 0);
    if (auto it = annotations.find(kGpuCountAnnotation); it != annotations.end()) {
      auto v = parse_integer(it->second.node.Scalar());
      if (!v || *v < 0 || *v > 1 << 20) {
        fail(it->second.node, it->second.where,
             fmt::format("found \"{}\", expected a number of GPUs, an integer >= 0", it->second.node.Scalar()));
        return;
      }
      if (request.gpus >= 0 && *v != request.gpus) {
        fail(it->second.node, it->second.where,
             fmt::format("found {} while the containers request {} {}; expected the same number (or only one of them)",
                         *v, request.gpus, kGpuResource));
        return;
      }
      gpus = *v;
    }
    job.gpus = static_cast<int>(gpus);
    if (auto it = annotations.find(kGpuMilliAnnotation); it != annotations.end()) {
      auto v = parse_integer(it->second.node.Scalar());
      if (!v || *v < 0 || *v > kWholeGpuMilli) {
        fail(it->second.node, it->second.where,
             fmt::format("found \"{}\", expected thousandths of a GPU, an integer in 0..1000", it->second.node.Scalar()));
        return;
      }
      if (gpus == 1) {
        if (*v < 1) fail(it->second.node, it->second.where, "found \"0\" for a 1-GPU pod, expected 1..1000");
        else job.gpu_milli = static_cast<int>(*v);
      } else if (gpus > 1 && *v != kWholeGpuMilli) {
        fail(it->second.node, it->second.where,
             fmt::format("found \"{}\" for a {}-GPU pod; a pod of several GPUs takes whole GPUs (1000)",
                         it->second.node.Scalar(), gpus));
      }  // CPU-only pods: ignored, as the OpenB data writes 0 there
    }
    if (auto it = annotations.find(kGpuModelAnnotation); it != annotations.end())
      job.gpu_models = models_.get(split_models(it->second.node.Scalar()));
  }

  int priority_of(const std::string& cls, const YAML::Node& at, const std::string& where) {
    if (auto it = o_.priority_classes.find(cls); it != o_.priority_classes.end()) return static_cast<int>(it->second);
    // Kubernetes' built-in classes.
    if (cls == "system-cluster-critical") return 2000000000;
    if (cls == "system-node-critical") return 2000001000;
    std::vector<std::string> known;
    for (const auto& [name, value] : o_.priority_classes) known.push_back(name);
    known.push_back("system-cluster-critical");
    known.push_back("system-node-critical");
    fail(at, where,
         fmt::format("no PriorityClass \"{}\"; expected one of: {} (give its value in workload.jobs.priority_classes)",
                     cls, join_names(known)));
    return 0;
  }

  double seconds(const std::map<std::string, Located>& annotations, const char* key, double fallback, bool positive) {
    auto it = annotations.find(key);
    const char* expected = positive ? "a number > 0 and <= 1e9 (seconds)" : "a number >= 0 and <= 1e9 (seconds)";
    if (it == annotations.end()) {
      if (fallback < 0 && std::string(key) == kDurationAnnotation) {
        problems_.add(path_, object_line_, object_where_,
                      fmt::format("missing annotation {}; expected the pod's run time in seconds (or set "
                                  "workload.jobs.default_duration_s)",
                                  key));
        ok_ = false;
      }
      return fallback;
    }
    const std::string& t = it->second.node.Scalar();
    auto v = parse_double(t);
    if (!v || !std::isfinite(*v) || *v < 0 || (positive && *v == 0) || *v > kMaxTime_s) {
      fail(it->second.node, it->second.where, fmt::format("found \"{}\", expected {}", t, expected));
      return fallback;
    }
    return *v;
  }

 private:
  const std::string& path_;
  ProblemList& problems_;
  const K8sOptions& o_;
  bool ok_ = true;
  int object_line_ = 0;          // the object being read: for problems of the object as a whole
  std::string object_where_;
  std::vector<Id> ids_;
  SharedPool<std::string> tenants_;  // one copy per distinct value over the file
  SharedPool<std::vector<std::string>> models_;
};

class K8sReader final : public TraceReader {
 public:
  explicit K8sReader(K8sOptions o) : o_(std::move(o)) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      problems.add(path, 0, "", "cannot open the manifest file");
      return result;
    }
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(in);
    } catch (const YAML::Exception& e) {
      problems.add(path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", fmt::format("not valid YAML: {}", e.msg));
      return result;
    }
    ObjectReader reader(path, problems, o_);
    SkipCounter skipped;
    try {
      for (const YAML::Node& doc : docs) {
        if (doc.IsNull()) continue;  // an empty document (e.g. after a trailing ---)
        reader.read(doc, "", result.jobs, skipped);
      }
    } catch (const YAML::Exception& e) {  // (not expected: every access is checked)
      problems.add(path, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", fmt::format("cannot read the manifest: {}", e.msg));
      return result;
    }
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < result.jobs.size(); ++i) {
      auto [it, inserted] = seen.try_emplace(result.jobs[i].job_id, i);
      if (!inserted) {
        const auto& first = reader.ids()[it->second];
        reader.fail(reader.ids()[i].doc, reader.ids()[i].where + "metadata.name",
                    fmt::format("duplicate job id \"{}\" (first at line {}); expected unique names", result.jobs[i].job_id,
                                ObjectReader::line_of(first.doc)));
      }
    }
    if (docs.empty() || result.jobs.empty()) {
      if (problems.empty() && skipped.total() == 0)
        problems.add(path, 0, "", "no Pod, Job or Deployment found; expected a YAML stream of Kubernetes objects");
    }
    result.skipped = skipped.result();
    return result;
  }

 private:
  K8sOptions o_;
};

}  // namespace

std::unique_ptr<TraceReader> make_k8s_reader(PolicyArgs& args) {
  K8sOptions o;
  o.tenant_is_queue = args.options.text("tenant_from", "namespace", {"namespace", "queue"}) == "queue";
  o.priority_classes = args.options.named_numbers("priority_classes", -2147483648.0, 1e9);
  for (const auto& [name, value] : o.priority_classes)
    if (value != std::floor(value))
      args.options.problem_at("/workload/jobs/priority_classes/" + name,
                              fmt::format("found {}, expected an integer (a PriorityClass value)", value));
  if (args.options.has("default_duration_s"))
    o.default_duration_s = args.options.number("default_duration_s", 3600, 1e-3, kMaxTime_s);
  return std::make_unique<K8sReader>(std::move(o));
}

}  // namespace aidcsim
