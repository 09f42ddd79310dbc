#pragma once
// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource, "Quantity"): a signed
// decimal number followed by a binary suffix (Ki Mi Gi Ti Pi Ei = 2^10 .. 2^60), a decimal suffix
// (n u m "" k M G T P E = 10^-9 .. 10^18) or a decimal exponent (e3, E-2): "500m", "1.5", "64Gi",
// "2e3". Conversions divide or multiply by exact powers, so "4000m" gives exactly 4000 / 1000.0 and
// "262144Mi" exactly 262144 / 1024.0 GiB, the values the CSV readers compute from milli-CPUs and MiB.
#include <optional>
#include <string_view>

namespace aidcsim::k8s {

struct Quantity {
  double mantissa = 0;  // the number as written
  int radix = 10;       // 2 (binary suffix) or 10
  int exponent = 0;     // value = mantissa * radix^exponent
};

// nullopt when `text` is not a quantity.
std::optional<Quantity> parse_quantity(std::string_view text);

double in_units(const Quantity& q);  // the value in base units (cores, bytes, devices)
double in_gib(const Quantity& q);    // a byte count in GiB

}  // namespace aidcsim::k8s
