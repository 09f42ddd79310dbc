#include "sim/run/concern_sections.hpp"

namespace aidcsim {

bool ConcernSections::present(const ConcernDecl& c) const {
  if (c.made_when == MadeWhen::always) return true;
  const nlohmann::json::json_pointer at(c.presence_pointer());
  const nlohmann::json& root = scenario_.resolved;
  if (!root.contains(at) || root[at].is_null()) return false;
  const nlohmann::json& value = root[at];
  return c.made_when == MadeWhen::set || !((value.is_array() || value.is_object()) && value.empty());
}

ConcernSections::Section& ConcernSections::section(const std::string& pointer) {
  for (auto& s : sections_)
    if (s->pointer == pointer) return *s;
  auto made = std::make_unique<Section>();
  made->pointer = pointer;
  // An absent or null section, or one that is not an object (reported by the scenario reader), reads as {}.
  const nlohmann::json::json_pointer at(pointer);
  const nlohmann::json& root = scenario_.resolved;
  made->value = root.contains(at) && root[at].is_object() ? root[at] : nlohmann::json::object();
  made->reader = std::make_unique<OptionReader>(made->value, pointer, scenario_.file, &scenario_.located, problems_);
  sections_.push_back(std::move(made));
  return *sections_.back();
}

OptionReader& ConcernSections::reader(const ConcernDecl& c, const std::string& chosen) {
  Section& s = section(c.section_of(chosen));
  for (auto& key : c.known_keys(registries_)) s.known.push_back(key);
  s.checked = s.checked || c.prepare_checks_keys;
  return *s.reader;
}

OptionReader& ConcernSections::at(const std::string& pointer) { return *section(pointer).reader; }

void ConcernSections::report_unknown_keys() {
  for (auto& s : sections_)
    if (s->checked) s->reader->reject_unknown(s->known);
}

}  // namespace aidcsim
