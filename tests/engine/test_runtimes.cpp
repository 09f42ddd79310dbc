// Runtimes on tiny scenarios with hand-computed times (docs/runtimes.md): container image pulls as
// SimGrid transfers over a 1.25 GB/s link with a per-server cache, VM boots and reuse, and the
// errors a runtime's options can give.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

// Two servers of one GPU (1 TFLOP/s) and an image registry, each server 1.25 GB/s and
// `latency` from the registry (CM02 network model: no bandwidth or latency correction factors).
// Full-duplex links: SimGrid's cross-traffic (the TCP acknowledgements, 5% of the bytes, sent back)
// would otherwise share the link with the image and stretch 8 s to 8.4 s.
std::string registry_platform(const std::string& latency) {
  return fmt::format(R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="registry" speed="1Gf"><prop id="kind" value="storage"/></host>
  <host id="srv0" speed="1Gf" core="64"><prop id="memory" value="512GiB"/></host>
  <host id="srv1" speed="1Gf" core="64"><prop id="memory" value="512GiB"/></host>
  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/></host>
  <host id="srv1-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv1"/><prop id="gpu_model" value="A100-80GB"/></host>
  <link id="up0" bandwidth="1.25GBps" latency="{0}" sharing_policy="SPLITDUPLEX"/>
  <link id="up1" bandwidth="1.25GBps" latency="{0}" sharing_policy="SPLITDUPLEX"/>
  <link id="pcie0" bandwidth="32GBps" latency="0"/>
  <link id="pcie1" bandwidth="32GBps" latency="0"/>
  <route src="registry" dst="srv0"><link_ctn id="up0" direction="UP"/></route>
  <route src="registry" dst="srv1"><link_ctn id="up1" direction="UP"/></route>
  <route src="srv0" dst="srv1"><link_ctn id="up0" direction="DOWN"/><link_ctn id="up1" direction="UP"/></route>
  <route src="srv0-gpu0" dst="srv0"><link_ctn id="pcie0"/></route>
  <route src="srv1-gpu0" dst="srv1"><link_ctn id="pcie1"/></route>
</zone>
</platform>
)",
                     latency);
}

struct RuntimeRun {
  TempFolder dir{"runtimes"};
  std::string scenario;
  RuntimeRun(const std::string& trace, const std::string& virtualization, const std::string& latency = "0",
             const std::string& placement = "first-fit", const std::string& scheduler = "fifo") {
    dir.write("platform.xml", registry_platform(latency));
    dir.write("trace.csv", trace);
    scenario = dir.write("scenario.json", R"({
  "name": "runtimes",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "format": "native" } },
  "scheduler": { "policy": ")" + scheduler + R"(" },
  "placement": { "policy": ")" + placement + R"(" },
  "virtualization": )" + virtualization + R"(,
  "engine": { "network_model": "CM02" },
  "monitoring": { "interval_s": 1000 }
})");
  }
  std::map<std::string, std::map<std::string, std::string>> run(const std::string& extra = "") {
    std::string out = dir / "out";
    CliResult r = run_cli("run " + scenario + " --out " + out + " --quiet " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return rows_by_id(out + "/jobs.csv");
  }
};

const char* kContainer = R"({"runtime": "container", "container": {"image_bytes": 10e9}})";

}  // namespace

// A 10 GB image over a 1.25 GB/s link: 8 s. a (0-10 s of work) pulls it to srv0: starts work at 8,
// ends 18. b, submitted at 20, lands on srv0 again (first-fit) and finds the image there: ends 30.
TEST(Runtimes, ContainerPullsTheImageOnceAndCachesIt) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\nb,20,10,1\n", kContainer);
  auto rows = run.run();
  EXPECT_EQ(rows["a"]["start_s"], "0");
  EXPECT_NEAR(num(rows["a"]["end_s"]), 18, 1e-6);
  EXPECT_NEAR(num(rows["a"]["startup_s"]), 8, 1e-6);
  EXPECT_NEAR(num(rows["a"]["run_s"]), 18, 1e-6);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 30, 1e-6);
  EXPECT_EQ(rows["b"]["startup_s"], "0");
}

// The link's latency is paid once per transfer: 8 s + 1 ms. (A much longer latency would also cap
// the rate at SimGrid's TCP window over the round trip, network/TCP-gamma / (2 x latency).)
TEST(Runtimes, ContainerPullPaysTheLinkLatency) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\n", kContainer, "1ms");
  auto rows = run.run();
  EXPECT_NEAR(num(rows["a"]["startup_s"]), 8.001, 1e-6);
  EXPECT_NEAR(num(rows["a"]["end_s"]), 18.001, 1e-6);
}

// Two jobs start together on the two servers: each pulls over its own link, in parallel (8 s each).
// c arrives at 4 with no GPU free, starts on srv0 when a ends at 18 and finds the image there.
TEST(Runtimes, ContainerPullsToTwoServersInParallel) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\nb,0,10,1\nc,4,10,1\n", kContainer);
  auto rows = run.run();
  EXPECT_NEAR(num(rows["a"]["end_s"]), 18, 1e-6);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 18, 1e-6);
  EXPECT_NEAR(num(rows["c"]["start_s"]), 18, 1e-6);
  EXPECT_NEAR(num(rows["c"]["end_s"]), 28, 1e-6);
}

// A cache of 10 GB holds one 10 GB image: tenant B's image evicts A's, so A's next job pulls again.
TEST(Runtimes, ContainerCacheEvictsTheLeastRecentlyUsedImage) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus,tenant\nA1,0,10,1,A\nB1,20,10,1,B\nA2,40,10,1,A\n",
                 R"({"runtime": "container", "container": {"image_bytes": 10e9, "cache_bytes": 10e9}})");
  auto rows = run.run();
  EXPECT_NEAR(num(rows["A1"]["startup_s"]), 8, 1e-6);
  EXPECT_NEAR(num(rows["B1"]["startup_s"]), 8, 1e-6);
  EXPECT_NEAR(num(rows["A2"]["startup_s"]), 8, 1e-6);
  EXPECT_NEAR(num(rows["A2"]["end_s"]), 58, 1e-6);
}

// A VM boot (boot_s 30) delays the first job; the second job of the same tenant reuses the idle VM
// and starts at once. With no overheads the work takes duration_s.
TEST(Runtimes, VmBootDelaysTheFirstJobOnly) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\nb,50,10,1\n",
                 R"({"runtime": "vm", "vm": {"boot_s": 30, "gpu_overhead": 0, "cpu_overhead": 0}})");
  auto rows = run.run();
  EXPECT_NEAR(num(rows["a"]["startup_s"]), 30, 1e-9);
  EXPECT_NEAR(num(rows["a"]["end_s"]), 40, 1e-9);
  EXPECT_EQ(rows["b"]["startup_s"], "0");
  EXPECT_NEAR(num(rows["b"]["end_s"]), 60, 1e-9);
  EXPECT_EQ(rows["b"]["hosts"], rows["a"]["hosts"]);
}

// An idle VM shuts down after idle_timeout_s (then the next job boots a new one); another tenant's
// job cannot use an idle VM's GPU until it is shut down. GPU passthrough overhead 10%: 10 s -> 11 s.
TEST(Runtimes, VmIdleTimeoutAndOverhead) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus,tenant\na,0,10,1,A\nb,0,10,1,A\nc,45,10,1,B\nd,200,10,1,A\n",
                 R"({"runtime": "vm", "vm": {"boot_s": 30, "idle_timeout_s": 60, "gpu_overhead": 0.1}})");
  auto rows = run.run();
  // a and b boot VMs on both servers at 0: work 30-41. Both VMs idle from 41.
  EXPECT_NEAR(num(rows["a"]["end_s"]), 41, 1e-9);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 41, 1e-9);
  // c (tenant B) waits for a VM of A to shut down at 101, boots its own: 101 + 30 + 11 = 142.
  EXPECT_NEAR(num(rows["c"]["start_s"]), 101, 1e-9);
  EXPECT_NEAR(num(rows["c"]["end_s"]), 142, 1e-9);
  // d (tenant A) at 200: A's VMs are gone; B's VM on srv0 is idle until 202; srv1 is free: a new
  // VM boots there, 200 + 30 + 11 = 241.
  EXPECT_NEAR(num(rows["d"]["startup_s"]), 30, 1e-9);
  EXPECT_NEAR(num(rows["d"]["end_s"]), 241, 1e-9);
}

// Resources also come back without a completion: tenant A's idle VMs shut down at 10 + 60 = 70, and
// tenant B's c, waiting since 5, starts then under every scheduler (SJF, backfill, DRF and priority
// once looked again only after a completion or an arrival, and c never started).
TEST(Runtimes, AJobWaitingForAnIdleVmToShutDownStartsThen) {
  for (const char* scheduler : {"fifo", "sjf", "backfill", "drf", "priority", "las"}) {
    RuntimeRun run("job_id,submit_s,duration_s,gpus,tenant\na,0,10,1,A\nb,0,10,1,A\nc,5,10,1,B\n",
                   R"({"runtime": "vm", "vm": {"boot_s": 0, "idle_timeout_s": 60, "gpu_overhead": 0}})", "0",
                   "first-fit", scheduler);
    auto rows = run.run();
    EXPECT_EQ(rows["c"]["state"], "completed") << scheduler;
    EXPECT_NEAR(num(rows["c"]["start_s"]), 70, 1e-9) << scheduler;
  }
}

// A registry with no path to a server would make SimGrid abort the pull: an input error instead.
TEST(Runtimes, NoPathFromTheRegistryIsAnInputError) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\nb,0,10,1\n", kContainer);
  std::string platform = registry_platform("0");
  const std::string route = R"(  <route src="registry" dst="srv1"><link_ctn id="up1" direction="UP"/></route>
)";
  ASSERT_NE(platform.find(route), std::string::npos);
  platform.erase(platform.find(route), route.size());
  run.dir.write("platform.xml", platform);
  std::string out = run.dir / "out";
  CliResult r = run_cli("run " + run.scenario + " --out " + out + " --quiet");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no network path from host 'registry' to host 'srv1', which an image pull from the registry needs"),
            std::string::npos) << r.err;
  EXPECT_TRUE(no_outputs_in(out));
}

// A VM lives on one server: spreading a job's GPUs over servers cannot hold one.
TEST(Runtimes, VmWithSpreadPlacementIsAnInputError) {
  RuntimeRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\n", R"({"runtime": "vm"})");
  std::string out = run.dir / "out";
  CliResult r = run_cli("run " + run.scenario + " --out " + out + " --quiet --set placement.multi_gpu=spread");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("/placement/multi_gpu: runtime \"vm\" places each VM on one server"), std::string::npos) << r.err;
  EXPECT_TRUE(no_outputs_in(out));
}

TEST(Runtimes, OptionErrorsNameThePath) {
  RuntimeRun bad("job_id,submit_s,duration_s,gpus\na,0,10,1\n",
                 R"({"runtime": "container", "container": {"registry": "nowhere", "image_byte": 1}})");
  std::string out = bad.dir / "out";
  CliResult r = run_cli("run " + bad.scenario + " --out " + out + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/virtualization/container/registry"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("image_byte"), std::string::npos) << r.err;
  RuntimeRun mismatch("job_id,submit_s,duration_s,gpus\na,0,10,1\n",
                      R"({"runtime": "container", "gpu_sharing": "mps", "vm": {"boot_s": 1}})");
  r = run_cli("run " + mismatch.scenario + " --out " + out + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/virtualization/vm"), std::string::npos) << r.err;
  RuntimeRun vm_mps("job_id,submit_s,duration_s,gpus\na,0,10,1\n", R"({"runtime": "vm", "gpu_sharing": "mps"})");
  r = run_cli("run " + vm_mps.scenario + " --out " + out + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exclusive"), std::string::npos) << r.err;
}
