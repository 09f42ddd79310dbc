#pragma once
// The scenario's `cost` section read against the platform (docs/cost.md): one price per server.
#include <memory>

#include "models/cost/cloud_instances.hpp"
#include "sim/core/registry.hpp"
#include "sim/policy/cost.hpp"

namespace aidcsim {

// Reads currency, server_hour and groups from `args.options` (the /cost section; `preset` is the
// scenario reader's) and prices every server of `args.cluster`; `preset` is null for "none". Every
// problem goes to the options' problem list.
std::unique_ptr<ServerPrices> read_server_prices(PolicyArgs& args, const CloudPricePreset* preset);

}  // namespace aidcsim
