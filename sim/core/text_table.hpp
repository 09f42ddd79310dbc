#pragma once
// Texts interned once and named by a small index: a per-job field that most jobs leave empty or
// share (why a job was rejected or left unfinished) costs 4 bytes per job instead of a string.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace aidcsim {

class TextTable {
 public:
  static constexpr std::uint32_t kEmpty = 0;
  std::uint32_t intern(const std::string& text) {
    if (text.empty()) return kEmpty;
    auto [it, inserted] = index_.try_emplace(text, static_cast<std::uint32_t>(texts_.size()));
    if (inserted) texts_.push_back(text);
    return it->second;
  }
  const std::string& text(std::uint32_t index) const { return texts_[index]; }

 private:
  std::vector<std::string> texts_{""};
  std::unordered_map<std::string, std::uint32_t> index_;
};

}  // namespace aidcsim
