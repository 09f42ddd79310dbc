#pragma once
// Outputs of a finished run: jobs.csv, summary.json, and the short console summary.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/core.hpp"
#include "sim/policy/failures.hpp"
#include "sim/engine/engine.hpp"
#include "sim/policy/services.hpp"

namespace aidcsim {

// jobs.csv: one row per job, each JobColumns' columns in order (in run.cpp: the core's
// (sim/io/core_job_columns.hpp), then the quota policy's, the failures', the workload model's).
void write_jobs_csv(const std::string& path, const Core& core, const std::vector<const JobColumns*>& concerns);
// migrations.csv: one row per ended live migration of a VM (consolidation).
void write_migrations_csv(const std::string& path, const Core& core, const std::vector<MigrationLogEntry>& log);
// summary.json "quota" (docs/quota.md): per ClusterQueue, cohort or tenant; and admissions.csv.
nlohmann::json quota_summary(QuotaPolicy& quota, double end_s);
void write_admissions_csv(const std::string& path, const Core& core);
// summary.json "services" (docs/inference.md).
nlohmann::json services_summary(const std::vector<std::pair<std::string, ServiceFigures>>& figures);
nlohmann::json build_summary(const std::string& scenario, std::uint64_t seed,
                             const std::vector<std::pair<std::string, long long>>& skipped_rows, const Core& core,
                             const EngineResult& result, double wall_s, const ServiceWorkload* services = nullptr);
// Short human-readable table of a summary.
std::string format_summary(const nlohmann::json& summary);

}  // namespace aidcsim
