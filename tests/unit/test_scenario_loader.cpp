// The scenario loader (sim/config/scenario.cpp): every problem reported at once, each with FILE:LINE and
// its JSON path; did-you-mean hints; valid names listed; --set overrides parsed as JSON or as text.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "sim/config/concerns.hpp"
#include "sim/config/scenario.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::TempDir;

namespace {

// A folder holding a platform file and a trace that exist (the loader only checks existence).
struct Files {
  TempDir dir{"scenario"};
  Files() {
    dir.write("p.xml", "<platform/>\n");
    dir.write("t.csv", "job_id,submit_s,duration_s,gpus\nj,0,1,1\n");
  }
  std::string scenario(const std::string& text, const std::string& name = "s.json") { return dir.write(name, text); }
};

const char* kMinimal = R"({
  "platform": "p.xml",
  "workload": { "jobs": { "path": "t.csv" } }
})";

struct Loaded {
  Scenario scenario;
  std::vector<InputProblem> problems;
};

Loaded load(const std::string& path, const std::vector<Override>& overrides = {},
            std::optional<std::uint64_t> seed = std::nullopt) {
  ProblemList problems;
  Scenario s = load_scenario(path, overrides, seed, builtin_registries(), problems);
  return {std::move(s), problems.items()};
}

std::string dump(const std::vector<InputProblem>& problems) {
  std::string s;
  for (const auto& p : problems) s += p.format() + "\n";
  return s;
}

// The one problem at `where`; fails the test when there is not exactly one.
InputProblem problem_at(const std::vector<InputProblem>& problems, const std::string& where) {
  std::vector<InputProblem> found;
  for (const auto& p : problems)
    if (p.where == where) found.push_back(p);
  EXPECT_EQ(found.size(), 1u) << "problems at " << where << " in:\n" << dump(problems);
  return found.empty() ? InputProblem{} : found.front();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(ScenarioLoader, MinimalScenarioTakesTheDocumentedDefaults) {
  Files f;
  std::string path = f.scenario(kMinimal, "my-run.json");
  Loaded l = load(path);
  ASSERT_TRUE(l.problems.empty()) << dump(l.problems);
  const Scenario& s = l.scenario;
  EXPECT_EQ(s.name, "my-run");  // the file's stem
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.platform_path, f.dir.file("p.xml"));  // relative to the scenario file
  EXPECT_EQ(s.jobs.path, f.dir.file("t.csv"));
  EXPECT_EQ(s.jobs.format, "native");
  EXPECT_EQ(s.jobs.limit, -1);
  EXPECT_EQ(s.scheduler.policy, "fifo");
  EXPECT_EQ(s.placement.policy, "first-fit");
  EXPECT_EQ(s.runtime, "bare-metal");
  EXPECT_EQ(s.gpu_sharing, "exclusive");
  EXPECT_EQ(s.monitoring_interval_s, 60);
  EXPECT_FALSE(s.horizon_s.has_value());
  EXPECT_FALSE(s.always_simgrid_activities);
  // Every concern of the table has its choice; the cost concern's default without a cost section.
  for (const ConcernDecl& c : concern_table()) EXPECT_EQ(s.choice(c.choice_path), c.default_choice) << c.choice_path;
  EXPECT_EQ(s.choice("cost.preset"), "none");
}

// The table tells prepare() where each implementation's options are and which keys of that section
// are not its own: a runtime's section is named after it, and the virtualization section's own keys
// include every runtime's name.
TEST(ConcernTable, SectionsAndSharedKeys) {
  const Registries& r = builtin_registries();
  EXPECT_EQ(concern("scheduler.policy").section_of("fifo"), "/scheduler");
  EXPECT_EQ(concern("virtualization.runtime").section_of("container"), "/virtualization/container");
  std::vector<std::string> keys = concern("virtualization.gpu_sharing").known_keys(r);
  for (const char* key : {"runtime", "gpu_sharing", "bare-metal", "container", "vm"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
  EXPECT_EQ(concern("cost.preset").made_when, MadeWhen::set);
  // The trace reader and the workload model read one section; so do the monitoring policy and the scraper.
  EXPECT_EQ(concern("workload.jobs.format").section, concern("workload.jobs.model").section);
  EXPECT_EQ(concern("monitoring.policy").section, concern("monitoring.alerts").section);
  EXPECT_FALSE(concern("workload.services").chosen);
  EXPECT_EQ(concern("workload.services").presence_pointer(), "/workload/services");
  EXPECT_EQ(concern("failures").presence_pointer(), "/failures");
  for (const ConcernDecl& c : concern_table()) {
    EXPECT_TRUE(c.section.empty() || c.section.front() == '/') << c.choice_path;
    for (const auto& key : c.known_keys(r)) EXPECT_FALSE(key.empty()) << c.choice_path;
  }
}

TEST(ScenarioLoader, ContractExampleLoadsCleanly) {
  Files f;
  std::string path = f.scenario(R"({
  "name": "quickstart",
  "seed": 1,
  "platform": "p.xml",
  "workload": {
    "jobs": { "path": "t.csv", "format": "native" },
    "services": []
  },
  "scheduler": { "policy": "fifo" },
  "placement": { "policy": "first-fit" },
  "virtualization": { "runtime": "bare-metal", "gpu_sharing": "exclusive" },
  "quota": null,
  "autoscaling": null,
  "monitoring": { "interval_s": 60 },
  "horizon_s": null
})");
  Loaded l = load(path);
  EXPECT_TRUE(l.problems.empty()) << dump(l.problems);
  EXPECT_EQ(l.scenario.name, "quickstart");
}

TEST(ScenarioLoader, EveryProblemAtOnceWithFileLineAndPath) {
  Files f;
  // Line numbers matter here: each problem must point at the line of its value.
  std::string path = f.scenario(
      "{\n"                                                                              // 1
      "  \"name\": \"all-wrong\",\n"                                                     // 2
      "  \"seed\": \"one\",\n"                                                           // 3
      "  \"platfrom\": \"p.xml\",\n"                                                     // 4
      "  \"workload\": {\n"                                                              // 5
      "    \"jobs\": { \"path\": \"missing.csv\", \"format\": \"natve\", \"limit\": 1.5 },\n"  // 6
      "    \"services\": []\n"                                                           // 7
      "  },\n"                                                                           // 8
      "  \"scheduler\": { \"policy\": \"fifoo\" },\n"                                    // 9
      "  \"placement\": {\n"                                                             // 10
      "    \"policy\": \"first_fit\"\n"                                                  // 11
      "  },\n"                                                                           // 12
      "  \"virtualization\": { \"runtime\": \"bare-metal\", \"gpu_shareing\": \"exclusive\" },\n"  // 13
      "  \"monitoring\": { \"interval_s\": -1 },\n"                                      // 14
      "  \"horizon_s\": \"never\",\n"                                                    // 15
      "  \"quota\": { \"policy\": \"keueu\" }\n"                                           // 16
      "}\n");
  Loaded l = load(path);
  std::set<std::tuple<std::string, int, std::string>> got;
  for (const auto& p : l.problems) got.emplace(p.file, p.line, p.where);
  std::set<std::tuple<std::string, int, std::string>> expected{
      {path, 3, "/seed"},
      {path, 4, "/platfrom"},
      {path, 1, "/platform"},  // absent: the line of the enclosing object
      {path, 6, "/workload/jobs/path"},
      {path, 6, "/workload/jobs/format"},
      {path, 6, "/workload/jobs/limit"},
      {path, 9, "/scheduler/policy"},
      {path, 11, "/placement/policy"},
      {path, 13, "/virtualization/gpu_shareing"},
      {path, 14, "/monitoring/interval_s"},
      {path, 15, "/horizon_s"},
      {path, 16, "/quota/policy"},
  };
  EXPECT_EQ(got, expected) << dump(l.problems);
  EXPECT_EQ(l.problems.size(), expected.size()) << "each problem once:\n" << dump(l.problems);

  EXPECT_TRUE(contains(problem_at(l.problems, "/seed").what, "found \"one\", expected a number"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/platfrom").what, "unknown key \"platfrom\" (did you mean \"platform\"?)"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/platform").what, "missing"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/workload/jobs/path").what, "file not found"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/workload/jobs/path").what, f.dir.file("missing.csv")));
  EXPECT_TRUE(contains(problem_at(l.problems, "/workload/jobs/format").what, "(did you mean \"native\"?)"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/workload/jobs/limit").what, "found 1.5, expected an integer"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/scheduler/policy").what, "(did you mean \"fifo\"?)"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/placement/policy").what, "(did you mean \"first-fit\"?)"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/virtualization/gpu_shareing").what,
                       "unknown key \"gpu_shareing\" (did you mean \"gpu_sharing\"?)"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/monitoring/interval_s").what, "found -1"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/horizon_s").what, "found \"never\", expected a number"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/quota/policy").what, "(did you mean \"kueue\"?)"));

  // The formatted line is what the CLI prints: error: FILE:LINE: WHERE: WHAT.
  EXPECT_EQ(problem_at(l.problems, "/scheduler/policy").format().rfind("error: " + path + ":9: /scheduler/policy: found \"fifoo\"", 0),
            0u);
}

TEST(ScenarioLoader, UnknownPolicyListsEveryValidName) {
  Files f;
  std::string path = f.scenario(R"({
  "platform": "p.xml",
  "workload": { "jobs": { "path": "t.csv" } },
  "scheduler": { "policy": "round-robin" },
  "placement": { "policy": "anywhere" },
  "virtualization": { "runtime": "vmware", "gpu_sharing": "sliced" }
})");
  Loaded l = load(path);
  ASSERT_EQ(l.problems.size(), 4u) << dump(l.problems);
  const Registries& r = builtin_registries();
  struct Case {
    const char* where;
    const char* found;
    std::vector<std::string> valid;
    int line;
  };
  for (const Case& c : {Case{"/scheduler/policy", "round-robin", r.schedulers.names(), 4},
                        Case{"/placement/policy", "anywhere", r.placements.names(), 5},
                        Case{"/virtualization/runtime", "vmware", r.runtimes.names(), 6},
                        Case{"/virtualization/gpu_sharing", "sliced", r.gpu_sharing.names(), 6}}) {
    InputProblem p = problem_at(l.problems, c.where);
    EXPECT_EQ(p.line, c.line) << p.format();
    EXPECT_TRUE(contains(p.what, std::string("found \"") + c.found + "\", expected one of: ")) << p.format();
    ASSERT_FALSE(c.valid.empty());
    EXPECT_TRUE(contains(p.what, join_names(c.valid))) << p.format();
    EXPECT_FALSE(contains(p.what, "did you mean")) << "nothing is close: " << p.format();
  }
}

TEST(ScenarioLoader, UnknownKeysEverywhereHaveHints) {
  Files f;
  std::string path = f.scenario(R"({
  "platform": "p.xml",
  "workload": { "jobs": { "path": "t.csv" }, "service": [] },
  "schedular": { "policy": "fifo" },
  "engine": { "activites": "always" },
  "zzzzzzzzzz": 1
})");
  Loaded l = load(path);
  ASSERT_EQ(l.problems.size(), 4u) << dump(l.problems);
  InputProblem service = problem_at(l.problems, "/workload/service");
  EXPECT_EQ(service.line, 3);
  EXPECT_TRUE(contains(service.what, "(did you mean \"services\"?)")) << service.format();
  InputProblem schedular = problem_at(l.problems, "/schedular");
  EXPECT_EQ(schedular.line, 4);
  EXPECT_TRUE(contains(schedular.what, "(did you mean \"scheduler\"?)")) << schedular.format();
  InputProblem activity = problem_at(l.problems, "/engine/activites");
  EXPECT_EQ(activity.line, 5);
  EXPECT_TRUE(contains(activity.what, "(did you mean \"activities\"?)")) << activity.format();
  InputProblem junk = problem_at(l.problems, "/zzzzzzzzzz");
  EXPECT_EQ(junk.line, 6);
  EXPECT_FALSE(contains(junk.what, "did you mean")) << junk.format();
  EXPECT_TRUE(contains(junk.what, "valid keys here:")) << junk.format();
  EXPECT_TRUE(contains(junk.what, "platform")) << junk.format();
  EXPECT_TRUE(contains(junk.what, "workload")) << junk.format();
}

TEST(ScenarioLoader, WrongTypes) {
  Files f;
  std::string path = f.scenario(R"({
  "name": 7,
  "seed": 1.5,
  "platform": ["p.xml"],
  "workload": { "jobs": { "path": "t.csv", "time_window": [5], "time_scale": "fast" } },
  "scheduler": "fifo",
  "virtualization": { "gpu_sharing": 1 },
  "engine": { "activities": true },
  "monitoring": { "interval_s": "1m" }
})");
  Loaded l = load(path);
  struct Case {
    const char* where;
    int line;
    const char* what;
  };
  std::vector<Case> cases{
      {"/name", 2, "found 7, expected a string"},
      {"/seed", 3, "expected a non-negative integer"},
      {"/platform", 4, "found [\"p.xml\"], expected a string"},
      {"/workload/jobs/time_window", 5, "expected [start_s, end_s]"},
      {"/workload/jobs/time_scale", 5, "found \"fast\", expected a number"},
      {"/scheduler", 6, "found \"fifo\", expected an object"},
      {"/virtualization/gpu_sharing", 7, "found 1, expected a string"},
      {"/engine/activities", 8, "found true, expected a string"},
      {"/monitoring/interval_s", 9, "found \"1m\", expected a number"},
  };
  for (const auto& c : cases) {
    InputProblem p = problem_at(l.problems, c.where);
    EXPECT_EQ(p.line, c.line) << p.format();
    EXPECT_TRUE(contains(p.what, c.what)) << p.format();
  }
  EXPECT_EQ(l.problems.size(), cases.size()) << dump(l.problems);
}

TEST(ScenarioLoader, MissingPlatformAndWorkload) {
  Files f;
  Loaded l = load(f.scenario("{\n  \"name\": \"empty\"\n}\n"));
  InputProblem platform = problem_at(l.problems, "/platform");
  EXPECT_TRUE(contains(platform.what, "missing")) << platform.format();
  EXPECT_EQ(platform.line, 1);
  InputProblem workload = problem_at(l.problems, "/workload");
  EXPECT_TRUE(contains(workload.what, "missing")) << workload.format();

  Loaded no_jobs = load(f.scenario(R"({ "platform": "p.xml", "workload": { "services": [] } })"));
  ASSERT_EQ(no_jobs.problems.size(), 1u) << dump(no_jobs.problems);
  EXPECT_EQ(no_jobs.problems[0].where, "/workload/jobs");
  EXPECT_TRUE(contains(no_jobs.problems[0].what, "missing"));

  Loaded absent_file = load(f.scenario(R"({
  "platform": "nowhere/p.xml",
  "workload": { "jobs": { "path": "t.csv" } }
})"));
  ASSERT_EQ(absent_file.problems.size(), 1u) << dump(absent_file.problems);
  EXPECT_EQ(absent_file.problems[0].where, "/platform");
  EXPECT_EQ(absent_file.problems[0].line, 2);
  EXPECT_TRUE(contains(absent_file.problems[0].what, "file not found: " + f.dir.file("nowhere/p.xml")));
}

TEST(ScenarioLoader, InvalidJsonNamesTheLine) {
  Files f;
  std::string path = f.scenario("{\n  \"platform\": \"p.xml\",\n  \"seed\": 1,,\n}\n");
  try {
    load(path);
    FAIL() << "expected InputErrors";
  } catch (const InputErrors& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].file, path);
    EXPECT_EQ(e.problems()[0].line, 3);
    EXPECT_TRUE(contains(e.problems()[0].what, "invalid JSON")) << e.what();
  }
}

TEST(ScenarioLoader, NonObjectRootIsAnError) {
  Files f;
  std::string path = f.scenario("[1, 2]\n");
  try {
    load(path);
    FAIL() << "expected InputErrors";
  } catch (const InputErrors& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_TRUE(contains(e.problems()[0].what, "must be a JSON object")) << e.what();
  }
}

TEST(ScenarioLoader, MissingScenarioFile) {
  Files f;
  try {
    load(f.dir.file("absent.json"));
    FAIL() << "expected InputErrors";
  } catch (const InputErrors& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].file, f.dir.file("absent.json"));
    EXPECT_TRUE(contains(e.problems()[0].what, "cannot open")) << e.what();
  }
}

TEST(ParseOverride, SplitsAtTheFirstEquals) {
  Override o = parse_override("scheduler.policy=sjf");
  EXPECT_EQ(o.path, "scheduler.policy");
  EXPECT_EQ(o.value, "sjf");
  Override eq = parse_override("name=a=b");
  EXPECT_EQ(eq.path, "name");
  EXPECT_EQ(eq.value, "a=b");
  Override empty = parse_override("name=");
  EXPECT_EQ(empty.path, "name");
  EXPECT_EQ(empty.value, "");
}

TEST(ParseOverride, MalformedFlagsNameTheFlag) {
  for (const char* text : {"scheduler.policy", "=sjf", ""}) {
    try {
      parse_override(text);
      FAIL() << "expected InputErrors for \"" << text << "\"";
    } catch (const InputErrors& e) {
      ASSERT_EQ(e.problems().size(), 1u);
      EXPECT_EQ(e.problems()[0].file, "--set");
      EXPECT_EQ(e.problems()[0].where, text);
      EXPECT_TRUE(contains(e.problems()[0].what, "KEY=VALUE")) << e.what();
    }
  }
}

TEST(SetOverrides, ValueIsJsonWhenItParsesElseAString) {
  Files f;
  std::string path = f.scenario(kMinimal);
  Loaded l = load(path, {parse_override("horizon_s=3600"), parse_override("workload.jobs.limit=10"),
                         parse_override("name=my-sweep-point"), parse_override("monitoring={\"interval_s\": 5}"),
                         parse_override("engine.activities=always"), parse_override("scheduler.policy=fifo")});
  ASSERT_TRUE(l.problems.empty()) << dump(l.problems);
  const Scenario& s = l.scenario;
  ASSERT_TRUE(s.horizon_s.has_value());
  EXPECT_EQ(*s.horizon_s, 3600);
  EXPECT_TRUE(s.resolved["horizon_s"].is_number());
  EXPECT_EQ(s.jobs.limit, 10);
  EXPECT_EQ(s.name, "my-sweep-point");
  EXPECT_TRUE(s.resolved["name"].is_string());
  EXPECT_EQ(s.monitoring_interval_s, 5);
  EXPECT_TRUE(s.always_simgrid_activities);
  EXPECT_EQ(s.resolved["scheduler"], nlohmann::json({{"policy", "fifo"}}));  // created where absent
  // The resolved scenario (what run.json records) keeps the untouched values.
  EXPECT_EQ(s.resolved["platform"], "p.xml");
}

TEST(SetOverrides, JsonNumberWhereAStringIsExpectedIsReported) {
  Files f;
  Loaded l = load(f.scenario(kMinimal), {parse_override("name=123")});
  InputProblem p = problem_at(l.problems, "/name");
  EXPECT_TRUE(contains(p.what, "found 123, expected a string")) << p.format();
  // Quoted, it is the string.
  Loaded quoted = load(f.scenario(kMinimal), {parse_override("name=\"123\"")});
  EXPECT_TRUE(quoted.problems.empty()) << dump(quoted.problems);
  EXPECT_EQ(quoted.scenario.name, "123");
}

TEST(SetOverrides, BadValuesAreValidatedLikeFileValues) {
  Files f;
  Loaded l = load(f.scenario(kMinimal), {parse_override("scheduler.policy=fifoo"), parse_override("engine.activities=sometimes"),
                                         parse_override("schedular.policy=fifo")});
  ASSERT_EQ(l.problems.size(), 3u) << dump(l.problems);
  EXPECT_TRUE(contains(problem_at(l.problems, "/scheduler/policy").what, "(did you mean \"fifo\"?)"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/engine/activities").what, "expected one of: shared, always"));
  EXPECT_TRUE(contains(problem_at(l.problems, "/schedular").what, "(did you mean \"scheduler\"?)"));
}

TEST(SetOverrides, LaterOverridesWinAndSeedWinsOverAll) {
  Files f;
  Loaded l = load(f.scenario(kMinimal), {parse_override("name=a"), parse_override("name=b"), parse_override("seed=3")},
                  std::uint64_t{7});
  ASSERT_TRUE(l.problems.empty()) << dump(l.problems);
  EXPECT_EQ(l.scenario.name, "b");
  EXPECT_EQ(l.scenario.seed, 7u);
  EXPECT_EQ(l.scenario.resolved["seed"], 7);
  Loaded set_seed = load(f.scenario(kMinimal), {parse_override("seed=3")});
  EXPECT_EQ(set_seed.scenario.seed, 3u);
}

TEST(SetOverrides, PathsThatCannotBeSetAreInputErrors) {
  Files f;
  std::string path = f.scenario(kMinimal);
  for (const char* text : {"platform.file=x", "workload..jobs=1", "workload.jobs.path.x=1"}) {
    try {
      load(path, {parse_override(text)});
      FAIL() << "expected InputErrors for --set " << text;
    } catch (const InputErrors& e) {
      ASSERT_EQ(e.problems().size(), 1u) << e.what();
      EXPECT_EQ(e.problems()[0].file, "--set");
      EXPECT_FALSE(e.problems()[0].what.empty());
    }
  }
}
