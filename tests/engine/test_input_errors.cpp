// Bad input exits with code 2, leaves no output at all in --out, and says on stderr which file and
// which line, JSON path or XML element is wrong (CONTRACT.md §1).
#include <gtest/gtest.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

const char* kTrace = "job_id,submit_s,duration_s,gpus\na,0,10,1\nb,5,20,2\n";

const char* kScenario = R"({
  "name": "errors",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv" } },
  "scheduler": { "policy": "fifo" },
  "placement": { "policy": "first-fit" }
})";

const char* kPlatformHead = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="srv0" speed="1Gf" core="8"><prop id="kind" value="server"/></host>
)";
const char* kPlatformTail = "</zone>\n</platform>\n";

// A folder with a valid platform, trace and scenario; each test breaks one (or several) of them.
struct Inputs : InputFolder {
  Inputs() : InputFolder("errors", kTrace, kScenario) {}
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Exit code 2, nothing in the output folder, and every expected fragment on stderr.
void expect_input_error(const Inputs& in, const CliResult& r, const std::vector<std::string>& fragments) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(no_outputs_in(in.out)) << "a failed run left files in " << in.out;
  for (const auto& f : fragments) EXPECT_TRUE(contains(r.err, f)) << "stderr lacks \"" << f << "\":\n" << r.err;
  EXPECT_TRUE(r.err.rfind("error: ", 0) == 0) << "error lines start with \"error: \":\n" << r.err;
}

}  // namespace

TEST(InputErrors, TheUnbrokenInputsRun) {
  Inputs in;
  CliResult r = in.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(in.out + "/jobs.csv"));
}

TEST(InputErrors, MalformedTraceNamesFileLineAndColumn) {
  Inputs in;
  write_text(in.trace, "job_id,submit_s,duration_s,gpus\na,0,10,1\nb,5,-20,2\nc,x,1,1\n");
  CliResult r = in.run();
  expect_input_error(in, r,
                     {"error: " + in.trace + ":3: duration_s: found \"-20\", expected a number > 0",
                      "error: " + in.trace + ":4: submit_s: found \"x\""});
}

TEST(InputErrors, TraceWithoutARequiredColumn) {
  Inputs in;
  write_text(in.trace, "job_id,submit_s,gpus\na,0,1\n");
  expect_input_error(in, in.run(), {"error: " + in.trace + ":1: duration_s: missing required column"});
}

TEST(InputErrors, UnknownPolicyListsTheValidNames) {
  Inputs in;
  CliResult r = in.run("--set scheduler.policy=fifoo");
  expect_input_error(in, r, {"error: " + in.scenario + ":5: /scheduler/policy: found \"fifoo\", expected one of: ",
                             "fifo", "(did you mean \"fifo\"?)"});
  Inputs placement;
  write_text(placement.scenario, std::string(kScenario).replace(std::string(kScenario).find("first-fit"), 9, "worst-fit"));
  expect_input_error(placement, placement.run(),
                     {"error: " + placement.scenario + ":6: /placement/policy: found \"worst-fit\", expected one of: ",
                      "first-fit"});
}

TEST(InputErrors, UnknownPolicyOptionKey) {
  Inputs in;
  write_text(in.scenario, R"({
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "limt": 5 } },
  "scheduler": { "policy": "fifo",
                 "depth": 3 }
})");
  expect_input_error(in, in.run(),
                     {"error: " + in.scenario + ":5: /scheduler/depth: unknown key \"depth\"",
                      "error: " + in.scenario + ":3: /workload/jobs/limt: unknown key \"limt\" (did you mean \"limit\"?)"});
}

// Concerns that share a section read it through one reader (sim/run/concern_sections.hpp): the monitoring
// policy's and the scraper's keys are both known at /monitoring, the trace reader's and the workload
// model's at /workload/jobs, and a key nobody knows is reported once.
TEST(InputErrors, ASharedSectionReportsAnUnknownKeyOnce) {
  Inputs in;
  write_text(in.scenario, R"({
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "model": "trace", "limit": 5, "bogus_jobs": 1 } },
  "monitoring": { "policy": "periodic", "interval_s": 30, "scrape_interval_s": 15, "bogus_monitoring": 1 }
})");
  CliResult r = in.run();
  expect_input_error(in, r,
                     {"error: " + in.scenario + ":3: /workload/jobs/bogus_jobs: unknown key",
                      "error: " + in.scenario + ":4: /monitoring/bogus_monitoring: unknown key"});
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = r.err.find(what); at != std::string::npos; at = r.err.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("bogus_jobs: unknown key"), 1u) << r.err;
  EXPECT_EQ(count("bogus_monitoring: unknown key"), 1u) << r.err;
  EXPECT_EQ(count("unknown key"), 2u) << r.err;  // model, limit, interval_s, scrape_interval_s are known
}

TEST(InputErrors, MissingPlatform) {
  Inputs in;
  write_text(in.scenario, R"({
  "workload": { "jobs": { "path": "trace.csv" } }
})");
  expect_input_error(in, in.run(), {"error: " + in.scenario + ":1: /platform: missing"});
}

TEST(InputErrors, PlatformFileNotFound) {
  Inputs in;
  std::filesystem::remove(in.platform);
  expect_input_error(in, in.run(), {"error: " + in.scenario + ":3: /platform: file not found: " + in.platform});
}

TEST(InputErrors, MissingWorkloadAndTrace) {
  Inputs in;
  write_text(in.scenario, R"({
  "platform": "platform.xml"
})");
  expect_input_error(in, in.run(), {"/workload: missing"});
  std::filesystem::remove(in.trace);
  write_text(in.scenario, kScenario);
  expect_input_error(in, in.run(), {"error: " + in.scenario + ":4: /workload/jobs/path: file not found: " + in.trace});
}

TEST(InputErrors, GpuWithoutServerProp) {
  Inputs in;
  write_text(in.platform, std::string(kPlatformHead) +
                              R"(  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/></host>
  <host id="srv0-gpu1" speed="1Tf"><prop id="kind" value="gpu"/><prop id="gpu_model" value="A100-80GB"/></host>
)" + kPlatformTail);
  expect_input_error(in, in.run(), {"error: " + in.platform + ": srv0-gpu1: GPU host has no prop 'server'"});
}

TEST(InputErrors, GpuWhoseServerIsNoServer) {
  Inputs in;
  write_text(in.platform, std::string(kPlatformHead) +
                              R"(  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv9"/><prop id="gpu_model" value="A100-80GB"/></host>
  <host id="srv0-gpu1" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0-gpu0"/><prop id="gpu_model" value="A100-80GB"/></host>
)" + kPlatformTail);
  expect_input_error(in, in.run(),
                     {"error: " + in.platform + ": srv0-gpu0: prop 'server' is 'srv9', which is not a server host",
                      "error: " + in.platform + ": srv0-gpu1: prop 'server' is 'srv0-gpu0', which is not a server host"});
}

TEST(InputErrors, GpuWithoutModel) {
  Inputs in;
  write_text(in.platform, std::string(kPlatformHead) +
                              R"(  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/></host>
)" + kPlatformTail);
  expect_input_error(in, in.run(), {"error: " + in.platform + ": srv0-gpu0: GPU host has no prop 'gpu_model'"});
}

TEST(InputErrors, UnknownHostKind) {
  Inputs in;
  write_text(in.platform, std::string(kPlatformHead) +
                              R"(  <host id="tpu0" speed="1Tf"><prop id="kind" value="tpu"/></host>
)" + kPlatformTail);
  expect_input_error(in, in.run(),
                     {"error: " + in.platform + ": tpu0: prop 'kind' is 'tpu', expected one of: server, gpu, storage"});
}

TEST(InputErrors, PlatformThatSimGridRejects) {
  Inputs in;
  write_text(in.platform, std::string(kPlatformHead) + "  <host id=\"broken\" speed=\"1Gf\">\n" + kPlatformTail);
  // SimGrid's parser names the line: the <host> opened on line 6 is not closed before </zone> on line 7.
  expect_input_error(in, in.run(),
                     {"error: " + in.platform + ": SimGrid could not parse the platform", in.platform + ":7"});
}

// SimGrid would abort the process on a zone routing it does not know; aidcsim checks it first.
TEST(InputErrors, UnknownZoneRouting) {
  Inputs in;
  std::string head = kPlatformHead;
  head.replace(head.find("routing=\"Full\""), 14, "routing=\"Fulll\"");
  write_text(in.platform, head + kPlatformTail);
  expect_input_error(in, in.run(),
                     {"error: " + in.platform + ":4: routing: zone routing \"Fulll\" is not one SimGrid 3.32 knows",
                      "(did you mean \"Full\"?)"});
}

TEST(InputErrors, MalformedSetFlag) {
  Inputs in;
  expect_input_error(in, in.run("--set scheduler.policy"), {"error: --set: scheduler.policy: expected KEY=VALUE"});
  expect_input_error(in, in.run("--set platform.x=1"), {"error: --set: platform.x: cannot set"});
}

TEST(InputErrors, InvalidScenarioJson) {
  Inputs in;
  write_text(in.scenario, "{\n  \"platform\": \"platform.xml\",\n  \"workload\": {\n}\n");
  CliResult r = in.run();
  expect_input_error(in, r, {"error: " + in.scenario + ":", "invalid JSON"});
}

TEST(InputErrors, EveryProblemOfEveryFileInOneRun) {
  Inputs in;
  write_text(in.trace, "job_id,submit_s,duration_s,gpus\na,0,0,1\n");
  write_text(in.platform, std::string(kPlatformHead) +
                              R"(  <host id="tpu0" speed="1Tf"><prop id="kind" value="tpu"/></host>
)" + kPlatformTail);
  write_text(in.scenario, std::string(kScenario).replace(std::string(kScenario).find("\"fifo\""), 6, "\"lifo\""));
  for (const char* command : {"run", "validate"}) {
    CliResult r = run_cli(std::string(command) + " " + in.scenario + (std::string(command) == "run" ? " --out " + in.out : ""));
    expect_input_error(in, r,
                       {"error: " + in.trace + ":2: duration_s:", "error: " + in.platform + ": tpu0: prop 'kind'",
                        "error: " + in.scenario + ":5: /scheduler/policy: found \"lifo\""});
  }
}

TEST(InputErrors, ValidateAcceptsTheUnbrokenInputs) {
  Inputs in;
  CliResult r = run_cli("validate " + in.scenario);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "ok (2 jobs, 1 servers, 4 GPUs")) << r.out;
}
