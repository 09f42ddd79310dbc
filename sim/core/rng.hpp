#pragma once
// Random numbers that are the same on every platform and standard library: std::mt19937_64 is
// specified exactly, but std::uniform_int_distribution is not, so draws go through uniform_below().
#include <cstdint>
#include <limits>
#include <random>
#include <string_view>

namespace aidcsim {

// One step of splitmix64 (Steele, Lea, Flood 2014): advances `state` and returns a well-mixed value.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A 64-bit seed for one named random stream of a run: FNV-1a of the name, mixed with the seed by
// splitmix64 (the placements' streams, a service's generated requests).
inline std::uint64_t stream_seed(std::uint64_t seed, std::string_view stream) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : stream) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  std::uint64_t x = seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
  return splitmix64(x);
}

// Uniform integer in [0, n) from a 64-bit engine (n > 0): rejection on the full 64-bit range, so it
// is unbiased and portable.
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = max - max % n;
  std::uint64_t x;
  do x = rng();
  while (x >= limit);
  return x % n;
}

}  // namespace aidcsim
