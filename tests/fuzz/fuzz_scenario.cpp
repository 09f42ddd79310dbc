// Fuzz target: the scenario loader (JSON, every section's options, the registries' names) and one
// `--set` override. An input starting with "--set KEY=VALUE\n" applies that override to the JSON
// after the first line; any other input is the scenario file itself.
#include <string>
#include <vector>

#include "sim/config/scenario.hpp"
#include "sim/core/errors.hpp"
#include "sim/core/registry.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aidcsim;
  std::string_view text = fuzz::as_text(data, size);
  if (fuzz::skip_known_defects() &&
      (fuzz::deeply_nested(text) || fuzz::has_nul(text) || fuzz::invalid_utf8(text) || fuzz::huge_exponent(text)))
    return 0;
  std::string override_text;
  constexpr std::string_view kSet = "--set ";
  if (text.starts_with(kSet)) {
    auto end = text.find('\n');
    override_text = std::string(text.substr(kSet.size(), end == std::string_view::npos ? text.npos : end - kSet.size()));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  std::string path = fuzz::write_input("scenario.json", text);
  AIDCSIM_FUZZ_GUARD({
    std::vector<Override> overrides;
    if (!override_text.empty()) overrides.push_back(parse_override(override_text));
    ProblemList problems;
    Scenario s = load_scenario(path, overrides, std::nullopt, builtin_registries(), problems);
    (void)s.resolved.dump();  // run.json is written from it
  })
  return 0;
}
