#pragma once
// The options sections of the concern table (sim/config/concerns.hpp) while prepare() makes the
// concerns: one reader per section, shared by the concerns that read it (the trace reader and the
// workload model at /workload/jobs, the monitoring policy and the scraper at /monitoring), so that a
// key one of them knows is not reported as unknown by the other; the keys nobody knows are reported
// once, after every concern is made.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/concerns.hpp"
#include "sim/config/options.hpp"
#include "sim/config/scenario.hpp"

namespace aidcsim {

class ConcernSections {
 public:
  ConcernSections(const Scenario& scenario, const Registries& registries, ProblemList& problems)
      : scenario_(scenario), registries_(registries), problems_(problems) {}

  // Whether the scenario asks for the concern (its MadeWhen rule).
  bool present(const ConcernDecl& c) const;
  // The reader of the section of `c`'s implementation `chosen`; the table's keys of that section become known.
  OptionReader& reader(const ConcernDecl& c, const std::string& chosen);
  // The reader of a section by its JSON pointer (the jobs section's keys of the packing experiment).
  OptionReader& at(const std::string& pointer);
  // Reports, section by section in the order first read, the keys no reader asked for and no
  // declaration names.
  void report_unknown_keys();

 private:
  struct Section {
    std::string pointer;
    nlohmann::json value;
    std::unique_ptr<OptionReader> reader;
    std::vector<std::string> known;
    bool checked = false;  // some concern at this section has prepare_checks_keys
  };
  Section& section(const std::string& pointer);

  const Scenario& scenario_;
  const Registries& registries_;
  ProblemList& problems_;
  std::vector<std::unique_ptr<Section>> sections_;
};

}  // namespace aidcsim
