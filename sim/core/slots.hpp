#pragma once
// Tables of slots that records reuse once they end (the core's LiveRun and model-work tables): the
// table holds as many records as are alive at once, not one per record ever made.
#include <cstdint>
#include <vector>

namespace aidcsim {

// A slot of `table` for a new record, reset to a default one: the last freed slot, else a new one.
template <class Table>
std::uint32_t take_slot(Table& table, std::vector<std::uint32_t>& free) {
  if (free.empty()) {
    table.emplace_back();
    return static_cast<std::uint32_t>(table.size() - 1);
  }
  const std::uint32_t slot = free.back();
  free.pop_back();
  table[slot] = {};
  return slot;
}

}  // namespace aidcsim
