// The native CSV trace reader (CONTRACT.md §3): every malformed row is reported with its file, line
// and column, all of them in one pass, and a valid file reads to the expected JobSpecs.
#include <gtest/gtest.h>
#include <zlib.h>

#include "sim/policy/trace_reader.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::TempDir;

namespace {

struct Read {
  std::string path;
  std::vector<JobSpec> jobs;
  std::vector<InputProblem> problems;
};

Read read_file(const std::string& path) {
  auto reader = unit::make_policy(builtin_registries().trace_readers, "native");
  EXPECT_NE(reader, nullptr);
  ProblemList problems;
  TraceReadResult result = reader->read(path, problems);
  return {path, std::move(result.jobs), problems.items()};
}

Read read_text(const std::string& text) {
  static TempDir dir("native");
  static int counter = 0;
  return read_file(dir.write("trace" + std::to_string(counter++) + ".csv", text));
}

std::string dump(const std::vector<InputProblem>& problems) {
  std::string s;
  for (const auto& p : problems) s += p.format() + "\n";
  return s;
}

// The one problem at (line, column); fails the test when there is not exactly one.
InputProblem problem_at(const Read& r, int line, const std::string& column) {
  std::vector<InputProblem> found;
  for (const auto& p : r.problems)
    if (p.line == line && p.where == column) found.push_back(p);
  EXPECT_EQ(found.size(), 1u) << "problems at line " << line << " column " << column << " in:\n" << dump(r.problems);
  return found.empty() ? InputProblem{} : found.front();
}

constexpr const char* kHeader = "job_id,submit_s,duration_s,gpus\n";

// One malformed row after a valid one: exactly one problem, on line 3, in `column`, whose message
// contains `expected_text`; the valid row is still read.
void expect_single_row_problem(const std::string& bad_row, const std::string& column, const std::string& expected_text) {
  Read r = read_text(std::string(kHeader) + "ok,0,10,1\n" + bad_row + "\n");
  ASSERT_EQ(r.problems.size(), 1u) << "row: " << bad_row << "\n" << dump(r.problems);
  const InputProblem& p = r.problems.front();
  EXPECT_EQ(p.file, r.path);
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.where, column);
  EXPECT_NE(p.what.find(expected_text), std::string::npos) << p.format();
  EXPECT_EQ(p.format().rfind("error: " + r.path + ":3: " + column + ": ", 0), 0u) << p.format();
  ASSERT_EQ(r.jobs.size(), 1u) << "the malformed row must not be read, the valid one must";
  EXPECT_EQ(r.jobs[0].job_id, "ok");
}

}  // namespace

TEST(NativeReader, MissingRequiredColumnsAreAllNamedOnTheHeaderLine) {
  Read r = read_text("job_id,submit_s,gpu\nj1,0,1\n");
  ASSERT_EQ(r.problems.size(), 2u) << dump(r.problems);
  for (const char* column : {"duration_s", "gpus"}) {
    InputProblem p = problem_at(r, 1, column);
    EXPECT_NE(p.what.find(std::string("missing required column \"") + column + "\""), std::string::npos) << p.format();
    EXPECT_NE(p.what.find("job_id, submit_s, gpu"), std::string::npos) << "the message shows the header: " << p.format();
  }
  EXPECT_TRUE(r.jobs.empty());
}

TEST(NativeReader, NonNumericValues) {
  expect_single_row_problem("j2,soon,10,1", "submit_s", "found \"soon\", expected a number >= 0");
  expect_single_row_problem("j2,0,ten,1", "duration_s", "found \"ten\", expected a number > 0");
  expect_single_row_problem("j2,0,10,two", "gpus", "found \"two\", expected an integer >= 0");
  expect_single_row_problem("j2,0,10,1.5", "gpus", "found \"1.5\", expected an integer >= 0");
  expect_single_row_problem("j2,0,10,-1", "gpus", "found \"-1\", expected an integer >= 0");
  expect_single_row_problem("j2,0,10,1 GPU", "gpus", "found \"1 GPU\"");
  expect_single_row_problem("j2,12abc,10,1", "submit_s", "found \"12abc\"");
  expect_single_row_problem("j2,nan,10,1", "submit_s", "found \"nan\"");
  expect_single_row_problem("j2,0,inf,1", "duration_s", "found \"inf\"");
}

TEST(NativeReader, NegativeOrZeroDuration) {
  expect_single_row_problem("j2,0,-5,1", "duration_s", "found \"-5\", expected a number > 0");
  expect_single_row_problem("j2,0,0,1", "duration_s", "found \"0\", expected a number > 0");
  expect_single_row_problem("j2,0,0.0,1", "duration_s", "found \"0.0\", expected a number > 0");
}

TEST(NativeReader, NegativeSubmit) {
  expect_single_row_problem("j2,-0.5,10,1", "submit_s", "found \"-0.5\", expected a number >= 0");
}

TEST(NativeReader, GpuMilliOutOfRange) {
  const std::string header = "job_id,submit_s,duration_s,gpus,gpu_milli\n";
  Read r = read_text(header + "a,0,10,1,0\nb,0,10,1,1001\nc,0,10,1,-3\nd,0,10,1,half\ne,0,10,1,1\nf,0,10,1,1000\n");
  ASSERT_EQ(r.problems.size(), 4u) << dump(r.problems);
  EXPECT_NE(problem_at(r, 2, "gpu_milli").what.find("found \"0\", expected an integer in 1..1000"), std::string::npos);
  EXPECT_NE(problem_at(r, 3, "gpu_milli").what.find("found \"1001\", expected an integer in 1..1000"), std::string::npos);
  EXPECT_NE(problem_at(r, 4, "gpu_milli").what.find("found \"-3\""), std::string::npos);
  EXPECT_NE(problem_at(r, 5, "gpu_milli").what.find("found \"half\""), std::string::npos);
  ASSERT_EQ(r.jobs.size(), 2u);  // the bounds themselves are valid
  EXPECT_EQ(r.jobs[0].gpu_milli, 1);
  EXPECT_EQ(r.jobs[1].gpu_milli, 1000);
}

TEST(NativeReader, DuplicateJobIdNamesTheId) {
  Read r = read_text(std::string(kHeader) + "a,0,10,1\nb,1,10,1\na,2,10,1\n");
  ASSERT_EQ(r.problems.size(), 1u) << dump(r.problems);
  InputProblem p = problem_at(r, 4, "job_id");
  EXPECT_NE(p.what.find("duplicate job_id \"a\""), std::string::npos) << p.format();
  ASSERT_EQ(r.jobs.size(), 2u);  // the first "a" is kept, the duplicate is not
  EXPECT_EQ(r.jobs[0].job_id, "a");
  EXPECT_EQ(r.jobs[0].submit_s, 0);
  EXPECT_EQ(r.jobs[1].job_id, "b");
}

TEST(NativeReader, ShortRowNamesTheMissingColumns) {
  Read r = read_text(std::string(kHeader) + "ok,0,10,1\nj2,5\n");
  ASSERT_FALSE(r.problems.empty());
  // Every required column the row lacks is reported, each on line 3 with the field counts.
  for (const char* column : {"duration_s", "gpus"}) {
    InputProblem p = problem_at(r, 3, column);
    EXPECT_NE(p.what.find("row has 2 fields, the header has 4"), std::string::npos) << p.format();
  }
  EXPECT_EQ(r.problems.size(), 2u) << dump(r.problems);
  ASSERT_EQ(r.jobs.size(), 1u);
}

TEST(NativeReader, EmptyRequiredFields) {
  expect_single_row_problem(",0,10,1", "job_id", "empty job_id");
  expect_single_row_problem("j2,,10,1", "submit_s", "empty value; expected a number >= 0");
  expect_single_row_problem("j2,0,,1", "duration_s", "empty value; expected a number > 0");
  expect_single_row_problem("j2,0,10,", "gpus", "empty value; expected an integer >= 0");
}

TEST(NativeReader, EmptyOptionalFieldsTakeTheirDefaults) {
  Read r = read_text(
      "job_id,submit_s,duration_s,gpus,gpu_milli,cpus,mem_gib,tenant,gpu_model,priority\n"
      "j1,1,2,1,,,,,,\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  ASSERT_EQ(r.jobs.size(), 1u);
  const JobSpec& j = r.jobs[0];
  EXPECT_EQ(j.gpu_milli, 1000);
  EXPECT_EQ(j.cpus, 0);
  EXPECT_EQ(j.mem_gib, 0);
  EXPECT_EQ(j.tenant, "default");
  EXPECT_TRUE(j.gpu_models.empty());
  EXPECT_EQ(j.priority, 0);
}

TEST(NativeReader, OptionalNumericColumnsAreChecked) {
  const std::string header = "job_id,submit_s,duration_s,gpus,cpus,mem_gib,priority\n";
  Read r = read_text(header + "a,0,10,1,-1,0,0\nb,0,10,1,0,lots,0\nc,0,10,1,0,0,high\nd,0,10,1,0.5,1.5,-7\n");
  ASSERT_EQ(r.problems.size(), 3u) << dump(r.problems);
  EXPECT_NE(problem_at(r, 2, "cpus").what.find("found \"-1\", expected a number >= 0"), std::string::npos);
  EXPECT_NE(problem_at(r, 3, "mem_gib").what.find("found \"lots\""), std::string::npos);
  EXPECT_NE(problem_at(r, 4, "priority").what.find("found \"high\", expected an integer"), std::string::npos);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].cpus, 0.5);
  EXPECT_EQ(r.jobs[0].mem_gib, 1.5);
  EXPECT_EQ(r.jobs[0].priority, -7);
}

TEST(NativeReader, EveryProblemOfEveryRowIsReportedInOnePass) {
  Read r = read_text(
      "job_id,submit_s,duration_s,gpus,gpu_milli\n"  // 1
      "a,0,10,1,500\n"                                // 2 ok
      "b,-1,0,x,2000\n"                               // 3: four problems in one row
      "\n"                                            // 4: blank, skipped but counted
      "a,1,10,1,\n"                                   // 5: duplicate
      "c,2,10,2,1000\n");                             // 6 ok
  EXPECT_EQ(r.problems.size(), 5u) << dump(r.problems);
  problem_at(r, 3, "submit_s");
  problem_at(r, 3, "duration_s");
  problem_at(r, 3, "gpus");
  problem_at(r, 3, "gpu_milli");
  problem_at(r, 5, "job_id");
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].job_id, "a");
  EXPECT_EQ(r.jobs[1].job_id, "c");
}

TEST(NativeReader, ValidFileReadsToTheExpectedJobs) {
  Read r = read_text(
      "job_id,submit_s,duration_s,gpus,gpu_milli,cpus,mem_gib,tenant,gpu_model,priority,comment\r\n"
      "train-1,0,3600,8,1000,32,256,vision,A100-80GB|H100-80GB,2,first\r\n"
      "\"inf,2\",12.5,60.25,1,250,4,16.5,\"speech\",,0,\"quoted, with comma\"\r\n"
      "cpu-only,100,7,0,1000,2,0,,,-1,\r\n"
      "tail,1e3,1.5e2,+4,1000,0,0,recsys,V100,0,x\r\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  ASSERT_EQ(r.jobs.size(), 4u);

  const JobSpec& a = r.jobs[0];
  EXPECT_EQ(a.job_id, "train-1");
  EXPECT_EQ(a.submit_s, 0);
  EXPECT_EQ(a.duration_s, 3600);
  EXPECT_EQ(a.gpus, 8);
  EXPECT_EQ(a.gpu_milli, 1000);
  EXPECT_EQ(a.cpus, 32);
  EXPECT_EQ(a.mem_gib, 256);
  EXPECT_EQ(a.tenant, "vision");
  EXPECT_EQ(a.gpu_models, (std::vector<std::string>{"A100-80GB", "H100-80GB"}));
  EXPECT_EQ(a.priority, 2);
  EXPECT_LT(a.estimate_s, 0);

  const JobSpec& b = r.jobs[1];
  EXPECT_EQ(b.job_id, "inf,2");
  EXPECT_EQ(b.submit_s, 12.5);
  EXPECT_EQ(b.duration_s, 60.25);
  EXPECT_EQ(b.gpus, 1);
  EXPECT_EQ(b.gpu_milli, 250);
  EXPECT_EQ(b.cpus, 4);
  EXPECT_EQ(b.mem_gib, 16.5);
  EXPECT_EQ(b.tenant, "speech");
  EXPECT_TRUE(b.gpu_models.empty());

  const JobSpec& c = r.jobs[2];
  EXPECT_EQ(c.job_id, "cpu-only");
  EXPECT_EQ(c.gpus, 0);
  EXPECT_EQ(c.tenant, "default");
  EXPECT_EQ(c.priority, -1);

  const JobSpec& d = r.jobs[3];
  EXPECT_EQ(d.submit_s, 1000);
  EXPECT_EQ(d.duration_s, 150);
  EXPECT_EQ(d.gpus, 4);
  EXPECT_EQ(d.gpu_models, std::vector<std::string>{"V100"});
}

TEST(NativeReader, ColumnsMayComeInAnyOrder) {
  Read r = read_text("gpus,duration_s,job_id,submit_s\n2,30,x,5\n");
  ASSERT_TRUE(r.problems.empty()) << dump(r.problems);
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].job_id, "x");
  EXPECT_EQ(r.jobs[0].submit_s, 5);
  EXPECT_EQ(r.jobs[0].duration_s, 30);
  EXPECT_EQ(r.jobs[0].gpus, 2);
}

TEST(NativeReader, GzipFileReadsLikeThePlainOne) {
  TempDir dir("native-gz");
  const std::string text = std::string(kHeader) + "a,0,10,1\nb,1,20,2\nc,-1,5,1\n";
  std::string path = dir.file("trace.csv.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  Read r = read_file(path);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r.problems);
  problem_at(r, 4, "submit_s");
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[1].duration_s, 20);
  EXPECT_EQ(r.jobs[1].gpus, 2);
}

TEST(NativeReader, MissingOrEmptyFile) {
  TempDir dir("native-missing");
  Read missing = read_file(dir.file("nope.csv"));
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].file, dir.file("nope.csv"));
  EXPECT_NE(missing.problems[0].what.find("cannot open"), std::string::npos);
  Read empty = read_text("");
  ASSERT_EQ(empty.problems.size(), 1u);
  EXPECT_NE(empty.problems[0].what.find("empty file"), std::string::npos);
  Read header_only = read_text(kHeader);
  EXPECT_TRUE(header_only.problems.empty());
  EXPECT_TRUE(header_only.jobs.empty());
}
