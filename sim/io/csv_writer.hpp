#pragma once
// Writing CSV fields: one quoting rule for every CSV the simulator writes (jobs.csv,
// migrations.csv, timeseries.csv, the packing experiment's jobs.csv, a sweep's results.csv).
#include <string>
#include <string_view>

#include "sim/core/cluster.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/ledger.hpp"

namespace aidcsim {

// append_csv_field and csv_quote: sim/core/csv.hpp.

// The "hosts" of an allocation as the CSVs list them: its GPU hosts, else its server hosts,
// ';'-separated (not quoted: callers quote the whole list when they need to).
void append_hosts(std::string& out, const Allocation& allocation, const Cluster& cluster);
std::string hosts_of(const Allocation& allocation, const Cluster& cluster);

}  // namespace aidcsim
