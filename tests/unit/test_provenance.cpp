// Provenance (docs/provenance.md): SHA-256 against known vectors, the input digests run.json records
// and the check that re-hashes them, and the random streams policies name.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "sim/config/options.hpp"
#include "sim/core/registry.hpp"
#include "sim/policy/placement.hpp"
#include "models/placement/scoring.hpp"
#include "sim/core/run_record.hpp"
#include "sim/io/provenance.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::TempDir;

TEST(Provenance, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Provenance, FileDigestReadsInChunksAndCountsBytes) {
  TempDir dir("provenance");
  // One million 'a' (the FIPS 180-2 long vector): larger than the read buffer.
  auto d = digest_file(dir.write("million", std::string(1000000, 'a')));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->sha256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(d->size_bytes, 1000000u);
  EXPECT_FALSE(digest_file(dir.file("absent")));
  EXPECT_FALSE(digest_file(dir.path()));  // a directory is no input file
}

TEST(Provenance, RunRecordCountsEachInputAndStreamOnce) {
  RunRecord r;
  r.read_file("trace", "a.csv");
  r.read_file("trace", "a.csv");
  r.read_file("platform", "a.csv");
  r.random_stream("placement/fgd", 5);
  r.random_stream("placement/fgd", 5);
  EXPECT_EQ(r.inputs().size(), 2u);
  EXPECT_EQ(r.streams().size(), 1u);
}

TEST(Provenance, MismatchesNameChangedAndMissingInputs) {
  TempDir dir("provenance");
  std::string trace = dir.write("trace.csv", "job_id,submit_s\n1,0\n");
  std::string platform = dir.write("platform.json", "{}");
  RunRecord r;
  r.read_file("trace", trace);
  r.read_file("platform", platform);
  nlohmann::json run = {{"inputs", inputs_json(r.inputs())}};
  ASSERT_EQ(run["inputs"].size(), 2u);
  EXPECT_EQ(run["inputs"][0]["role"], "trace");
  EXPECT_EQ(run["inputs"][0]["size_bytes"], 20);
  EXPECT_EQ(run["inputs"][0]["sha256"], sha256_hex("job_id,submit_s\n1,0\n"));
  EXPECT_TRUE(provenance_mismatches(run).empty());

  dir.write("trace.csv", "job_id,submit_s\n1,5\n");  // same size, other content
  std::filesystem::remove(platform);
  auto problems = provenance_mismatches(run);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("trace " + trace + ": changed since the run"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("platform " + platform + ": missing"), std::string::npos) << problems[1];

  dir.write("trace.csv", "job_id,submit_s\n1,0\n");  // restored: matches again
  dir.write("platform.json", "{}");
  EXPECT_TRUE(provenance_mismatches(run).empty());
}

TEST(Provenance, MismatchesSayWhenNothingWasRecorded) {
  auto problems = provenance_mismatches(nlohmann::json{{"seed", 1}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("no input digests"), std::string::npos);
}

TEST(Provenance, PlacementPoliciesNameTheirRandomStreams) {
  Cluster c = unit::make_cluster({{{"V100", "V100"}, 8, 64}});
  std::vector<JobSpec> jobs;
  auto streams_of = [&](const std::string& name, nlohmann::json options) {
    ProblemList problems;
    OptionReader reader(options, "/placement", "unit-test", nullptr, problems);
    RunRecord record;
    PolicyArgs args{reader, 7, c, jobs, &record};
    EXPECT_TRUE(builtin_registries().placements.find(name)->make(args));
    return random_streams_json(7, record.streams());
  };
  nlohmann::json fgd = streams_of("fgd", nlohmann::json::object());
  EXPECT_EQ(fgd["run"], 7);
  ASSERT_EQ(fgd["streams"].size(), 2u);  // sorted by name
  EXPECT_EQ(fgd["streams"][0]["name"], "placement/fgd");
  EXPECT_EQ(fgd["streams"][0]["seed"], placement::stream_seed(7, "placement/fgd"));
  EXPECT_EQ(fgd["streams"][1]["name"], "placement/server-order");
  EXPECT_EQ(fgd["streams"][1]["seed"], placement::stream_seed(7, "placement/server-order"));
  // "first" tie-break draws no server order; first-fit draws nothing.
  EXPECT_EQ(streams_of("best-fit", {{"tie_break", "first"}})["streams"].size(), 1u);
  EXPECT_TRUE(streams_of("first-fit", nlohmann::json::object())["streams"].empty());
}

TEST(Provenance, TimestampsAreUtcWithMilliseconds) {
  std::chrono::system_clock::time_point t{std::chrono::milliseconds(1500)};
  EXPECT_EQ(utc_timestamp(t), "1970-01-01T00:00:01.500Z");
}

TEST(Provenance, MachineAndCommandLineAreRead) {
  nlohmann::json m = machine_json();
  for (const char* key : {"os", "kernel", "architecture", "cpu_model", "logical_cpus", "hostname"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_TRUE(m["logical_cpus"].is_number());
  auto args = process_command_line();
  ASSERT_FALSE(args.empty());
  EXPECT_NE(args[0].find("unit_tests"), std::string::npos) << args[0];
}
