// Hostile or broken inputs (issue 12): each ends as an input error (exit 2, `error: FILE[:LINE]: ...`)
// before anything is simulated, with no output left behind; none crashes, hangs or aborts.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

const char* kTrace = "job_id,submit_s,duration_s,gpus,tenant\na,0,10,1,x\nb,5,20,2,y\n";

const char* kScenario = R"({
  "name": "robust",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv" } }
})";

const char* kPlatformHead = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
)";
const char* kPlatformTail = "</zone>\n</platform>\n";
const char* kServer = R"(  <host id="srv0" speed="1Gf" core="8"><prop id="kind" value="server"/></host>
)";

struct Inputs : InputFolder {
  Inputs() : InputFolder("robust", kTrace, kScenario) {}
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void expect_input_error(const Inputs& in, const CliResult& r, const std::vector<std::string>& fragments) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(no_outputs_in(in.out)) << "a failed run left files in " << in.out;
  for (const auto& f : fragments) EXPECT_TRUE(contains(r.err, f)) << "stderr lacks \"" << f << "\":\n" << r.err;
  EXPECT_TRUE(r.err.rfind("error: ", 0) == 0) << "error lines start with \"error: \":\n" << r.err;
}

// Both `run` and `validate` reject the inputs with the same message.
void expect_rejected(const Inputs& in, const std::vector<std::string>& fragments) {
  expect_input_error(in, in.run(), fragments);
  expect_input_error(in, in.validate(), fragments);
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

TEST(InputRobustness, DeeplyNestedJsonIsRefusedNotACrash) {
  Inputs in;
  const std::string deep = std::string(40000, '[') + std::string(40000, ']');
  write_text(in.scenario, "{\n  \"platform\": \"platform.xml\",\n  \"description\": " + deep +
                              ",\n  \"workload\": { \"jobs\": { \"path\": \"trace.csv\" } }\n}\n");
  expect_rejected(in, {"error: " + in.scenario + ":3: invalid JSON: nested deeper than 100 levels"});

  // The same for a sweep file.
  std::string sweep = in.dir.write("sweep.json", "{ \"scenario\": \"scenario.json\",\n \"grid\": " + deep + " }\n");
  CliResult r = run_cli("sweep " + sweep + " --out " + in.out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "error: " + sweep + ":2: invalid JSON: nested deeper than 100 levels")) << r.err;
}

TEST(InputRobustness, NumberOutOfRangeNamesFileAndLine) {
  Inputs in;
  write_text(in.scenario, "{\n  \"platform\": \"platform.xml\",\n  \"seed\": 1e400,\n"
                          "  \"workload\": { \"jobs\": { \"path\": \"trace.csv\" } }\n}\n");
  expect_rejected(in, {"error: " + in.scenario + ":3: invalid JSON: the number 1e400 is out of range"});

  Inputs set;
  expect_input_error(set, set.run("--set horizon_s=1e400"),
                     {"error: --set: horizon_s: the number 1e400 is out of range"});

  std::string sweep = in.dir.write("sweep.json", "{ \"scenario\": \"scenario.json\",\n \"seeds\": 1e400 }\n");
  CliResult r = run_cli("sweep " + sweep + " --out " + in.out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "error: " + sweep + ":2: invalid JSON: the number 1e400 is out of range")) << r.err;
}

TEST(InputRobustness, TruncatedGzipTraceNamesTheFile) {
  Inputs in;
  std::string text = "job_id,submit_s,duration_s,gpus\n";
  for (int i = 0; i < 3000; ++i) text += "job" + std::to_string(i) + "," + std::to_string(i) + ",10,1\n";
  const std::string whole = gzip(text);
  write_bytes(in.trace, whole);
  ASSERT_EQ(in.validate().exit_code, 0) << "the whole gzip file reads";
  write_bytes(in.trace, whole.substr(0, whole.size() / 2));
  expect_rejected(in, {"error: " + in.trace + ": cannot read the file after line ", "truncated or corrupted gzip"});
  CliResult stats = run_cli("trace stats --format native " + in.trace);
  EXPECT_EQ(stats.exit_code, 2) << stats.err;
  EXPECT_TRUE(contains(stats.err, "error: " + in.trace + ": cannot read the file")) << stats.err;
}

TEST(InputRobustness, NulByteNamesItsLine) {
  Inputs in;
  write_bytes(in.trace, std::string("job_id,submit_s,duration_s,gpus,tenant\na,0,10,1,x\0\nb,5,10,1,y\n", 56));
  expect_rejected(in, {"error: " + in.trace + ":2: found a NUL byte at byte 11 of the line"});
}

TEST(InputRobustness, InvalidUtf8NamesLineAndColumnBeforeSimulating) {
  Inputs in;
  write_bytes(in.trace, "job_id,submit_s,duration_s,gpus,tenant\na,0,10,1,x\nb,5,10,1,\xff\n");
  expect_rejected(in, {"error: " + in.trace + ":3: tenant: byte 1 (0xFF) is not valid UTF-8"});
  // Philly's `cluster` column goes through the same row reader.
  write_bytes(in.trace,
              "timestamp,duration,num_gpus,cluster\n"
              "2017-10-03 10:00:00,100,1,ok\n2017-10-03 10:00:01,100,1,bad\xc3\x28\n");
  write_text(in.scenario, R"({ "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "format": "philly" } } })");
  CliResult r = in.run();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "error: " + in.trace + ":3: cluster: byte 4 (0xC3) is not valid UTF-8")) << r.err;
  EXPECT_TRUE(no_outputs_in(in.out));
}

TEST(InputRobustness, PlatformWithoutHosts) {
  Inputs in;
  write_text(in.platform, std::string(kPlatformHead) + kPlatformTail);
  expect_rejected(in, {"error: " + in.platform + ": platform: the platform has no host"});
  Inputs empty;
  write_text(empty.scenario, R"({
  "platform": "",
  "workload": { "jobs": { "path": "trace.csv" } }
})");
  expect_rejected(empty, {"error: " + empty.scenario + ":2: /platform: empty; expected the path"});
  Inputs null;
  expect_input_error(null, null.run("--set platform=null"), {"/platform: empty; expected the path"});
}

// SimGrid 3.32 aborts the process (exit 134) on each of these; aidcsim names the element first.
TEST(InputRobustness, PlatformsSimGridWouldAbortOn) {
  Inputs duplicate;
  write_text(duplicate.platform, std::string(kPlatformHead) + kServer +
                                     "  <link id=\"l0\" bandwidth=\"1GBps\" latency=\"0\"/>\n"
                                     "  <link id=\"l0\" bandwidth=\"1GBps\" latency=\"0\"/>\n" + kPlatformTail);
  expect_rejected(duplicate, {"error: " + duplicate.platform + ":7: l0: a second <link> with id \"l0\" (the first is on line 6)"});

  Inputs none;
  write_text(none.platform, std::string(kPlatformHead) + kServer +
                                "  <zone id=\"flat\" routing=\"None\">\n"
                                "    <host id=\"srv1\" speed=\"1Gf\"/>\n    <host id=\"srv2\" speed=\"1Gf\"/>\n"
                                "    <link id=\"l1\" bandwidth=\"1GBps\" latency=\"0\"/>\n"
                                "    <route src=\"srv1\" dst=\"srv2\"><link_ctn id=\"l1\"/></route>\n  </zone>\n" +
                                kPlatformTail);
  expect_rejected(none, {"error: " + none.platform + ":10: flat: <route> from \"srv1\" to \"srv2\" in a zone of routing \"None\""});

  Inputs cores;
  write_text(cores.platform, std::string(kPlatformHead) + "  <host id=\"srv0\" speed=\"1Gf\" core=\"0\"/>\n" + kPlatformTail);
  expect_rejected(cores, {"error: " + cores.platform + ":5: srv0: core is \"0\"; expected a whole number of cores >= 1"});
}

// These two loaded, passed `validate` and aborted in the middle of the run, leaving a temporary file.
TEST(InputRobustness, ZeroSpeedHostAndZeroBandwidthLink) {
  Inputs speed;
  write_text(speed.platform, std::string(kPlatformHead) + kServer +
                                 R"(  <host id="srv0-gpu0" speed="0f"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/></host>
)" + kPlatformTail);
  expect_rejected(speed, {"error: " + speed.platform + ": srv0-gpu0: speed is 0 flop/s; expected a speed > 0"});

  Inputs bandwidth;
  write_text(bandwidth.platform, std::string(kPlatformHead) + kServer +
                                     "  <host id=\"registry\" speed=\"1Gf\"><prop id=\"kind\" value=\"storage\"/></host>\n"
                                     "  <link id=\"pull\" bandwidth=\"0Bps\" latency=\"1ms\"/>\n"
                                     "  <route src=\"registry\" dst=\"srv0\"><link_ctn id=\"pull\"/></route>\n" +
                                     kPlatformTail);
  expect_rejected(bandwidth, {"error: " + bandwidth.platform + ": pull: link bandwidth is 0 B/s; expected a bandwidth > 0"});
}

TEST(InputRobustness, AbsurdTimesAreInputErrors) {
  Inputs in;
  write_text(in.trace, "job_id,submit_s,duration_s,gpus\na,0,10,1\nb,1e308,10,1\nc,0,2e9,1\n");
  expect_rejected(in, {"error: " + in.trace + ":3: submit_s: found \"1e308\", expected a number >= 0 and <= 1e9",
                       "error: " + in.trace + ":4: duration_s: found \"2e9\""});
  Inputs option;
  expect_input_error(option, option.run("--set virtualization.runtime=vm --set virtualization.vm.idle_timeout_s=1e12"),
                     {"/virtualization/vm/idle_timeout_s"});
  Inputs scaled;  // within bounds in the file, beyond them once time_scale stretches it
  write_text(scaled.trace, "job_id,submit_s,duration_s,gpus\na,0,10,1\nb,1e6,10,1\n");
  expect_input_error(scaled, scaled.run("--set workload.jobs.time_scale=1e6"),
                     {"error: " + scaled.trace + ": b: job \"b\" has submit_s 1000000000000"});
}

// monitoring.max_samples bounds timeseries.csv; the summary says when it cut sampling short.
TEST(InputRobustness, MonitoringStopsAfterMaxSamples) {
  Inputs in;
  write_text(in.trace, "job_id,submit_s,duration_s,gpus\na,0,100000,1\n");
  CliResult r = in.run("--set monitoring.interval_s=10 --set monitoring.max_samples=50");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> times;
  for (const auto& row : read_csv(in.out + "/timeseries.csv")) times.insert(row.at("time_s"));
  EXPECT_EQ(times.size(), 50u);
  nlohmann::json summary = read_json(in.out + "/summary.json");
  EXPECT_EQ(summary["monitoring"]["samples"], 50);
  EXPECT_EQ(summary["monitoring"]["stopped_at_s"], 490);
  EXPECT_EQ(summary["makespan_s"], 100000);
  // Without the cap the same run has no "monitoring" entry.
  Inputs plain;
  write_text(plain.trace, "job_id,submit_s,duration_s,gpus\na,0,100,1\n");
  ASSERT_EQ(plain.run().exit_code, 0);
  EXPECT_FALSE(read_json(plain.out + "/summary.json").contains("monitoring"));
}

TEST(InputRobustness, FilesThatAreNotRegularFiles) {
  Inputs in;
  expect_input_error(in, in.run("--set platform=" + in.dir.path()), {"/platform: is a directory; expected a file"});
  Inputs device;
  expect_input_error(device, device.run("--set workload.jobs.path=/dev/zero"),
                     {"/workload/jobs/path: is not a regular file"});
  expect_input_error(device, device.run("--set platform=/dev/zero"), {"/platform: is not a regular file"});
  Inputs long_name;
  expect_input_error(long_name, long_name.run("--set platform=/" + std::string(100000, 'x')),
                     {"/platform: cannot access the file: File name too long"});
}

TEST(InputRobustness, BadOutputDirectory) {
  Inputs in;
  write_text(in.out, "a file, not a folder\n");
  CliResult r = in.run();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "error: --out: \"" + in.out + "\" exists and is not a directory")) << r.err;
  EXPECT_EQ(read_text(in.out), "a file, not a folder\n");
  CliResult empty = run_cli("run " + in.scenario + " --quiet --out \"\"");
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_TRUE(contains(empty.err, "error: --out: empty; expected a directory")) << empty.err;
}
