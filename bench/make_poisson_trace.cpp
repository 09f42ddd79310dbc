// Writes a synthetic native trace for benchmarks: Poisson arrivals at a target load, lognormal
// durations, 1-GPU jobs. Sampling is inverse-CDF on mt19937_64 so the file is the same everywhere.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

int main(int argc, char** argv) {
  if (argc != 7 && argc != 8) {
    fmt::print(stderr, "usage: {} JOBS GPUS LOAD MEAN_DURATION_S SIGMA OUT.csv [FRACTIONAL_SHARE]\n", argv[0]);
    return 2;
  }
  // With FRACTIONAL_SHARE, that share of the jobs asks for 250 or 500 milli-GPU (GPU-sharing benchmarks).
  double fractional_share = argc == 8 ? std::stod(argv[7]) : 0;
  long jobs = std::stol(argv[1]);
  double gpus = std::stod(argv[2]), load = std::stod(argv[3]), mean_duration_s = std::stod(argv[4]);
  double sigma = std::stod(argv[5]);
  std::FILE* out = std::fopen(argv[6], "w");
  if (!out) return 1;
  std::mt19937_64 rng(42);
  auto uniform = [&]() { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  auto normal = [&]() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform()); };
  double rate_per_s = load * gpus / mean_duration_s;
  double mu = std::log(mean_duration_s) - sigma * sigma / 2;  // lognormal with the requested mean
  const char* tenants[] = {"vision", "nlp", "speech", "recsys"};
  std::fputs("job_id,submit_s,duration_s,gpus,gpu_milli,tenant\n", out);
  double t = 0;
  for (long i = 0; i < jobs; ++i) {
    t += -std::log(uniform()) / rate_per_s;
    double duration = std::max(1.0, std::round(std::exp(mu + sigma * normal())));
    int milli = 1000;
    if (fractional_share > 0 && uniform() < fractional_share) milli = uniform() < 0.5 ? 250 : 500;
    fmt::print(out, "j{},{:.3f},{:.0f},1,{},{}\n", i, t, duration, milli, tenants[i % 4]);
  }
  std::fclose(out);
  return 0;
}
