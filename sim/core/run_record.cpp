#include "sim/core/run_record.hpp"

#include <algorithm>

namespace aidcsim {

void RunRecord::read_file(const std::string& role, const std::string& path) {
  auto same = [&](const InputFile& f) { return f.role == role && f.path == path; };
  if (std::none_of(inputs_.begin(), inputs_.end(), same)) inputs_.push_back({role, path});
}

void RunRecord::random_stream(const std::string& name, std::uint64_t seed) {
  auto same = [&](const RandomStream& s) { return s.name == name; };
  if (std::none_of(streams_.begin(), streams_.end(), same)) streams_.push_back({name, seed});
}

}  // namespace aidcsim
