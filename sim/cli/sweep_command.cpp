// `aidcsim sweep`: runs every point of a sweep file as its own `aidcsim run` process, either in a local
// process pool or as one Slurm job array, then collects OUT/results.csv (CONTRACT.md §6).
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "sim/cli/commands.hpp"
#include "sim/io/outputs.hpp"
#include "sim/experiments/sweep.hpp"

namespace aidcsim::cli {

namespace fs = std::filesystem;

namespace {

struct SweepArgs {
  std::string file;
  std::string out;
  std::string executor = "local";
  int jobs = 0;  // 0 = not given
  bool quiet = false;
  bool dry_run = false;
  bool collect = false;
  // Slurm flags (override the sweep file's "slurm" object)
  std::string partition, time, mem, account, qos, aidcsim;
  int cpus_per_task = 0;
  std::vector<std::string> sbatch_lines;
};

// ---------------------------------------------------------------------------------------------
// Interrupts: SIGINT/SIGTERM stop launching, stop the running points, write results.csv, exit 128+N.

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

class SignalGuard {
 public:
  SignalGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked waitpid returns EINTR
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

using Clock = std::chrono::steady_clock;

std::string human_seconds(double s) {
  if (s < 10) return fmt::format("{:.1f} s", std::max(0.0, s));
  if (s < 60) return fmt::format("{:.0f} s", s);
  if (s < 3600) return fmt::format("{} min {:02d} s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{} h {:02d} min", static_cast<int>(s) / 3600, (static_cast<int>(s) % 3600) / 60);
}

// Progress on stderr: one line per finished point, or one updated line on a terminal.
class Progress {
 public:
  Progress(std::size_t total, bool quiet) : total_(total), quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
  void start(std::size_t skipped, std::size_t to_run, const std::string& how) {
    skipped_ = skipped;
    done_ = skipped;
    started_ = Clock::now();
    if (quiet_) return;
    fmt::print(stderr, "sweep: {} point(s); {} already complete (skipped), {} to run {}\n", total_, skipped, to_run, how);
  }
  void finished(const std::string& id, bool ok, const std::string& error, int exit_code) {
    ++done_;
    if (!ok) ++failed_;
    if (quiet_) return;
    if (!ok) report_failure(id, error, exit_code);
    line(fmt::format("{} {}", ok ? "ok" : "FAILED", id));
  }
  void report_failure(const std::string& id, const std::string& error, int exit_code) {
    if (quiet_) return;
    clear_line();
    fmt::print(stderr, "sweep: point {} failed (exit {}): {}\n", id, exit_code, error);
  }
  void set_done(std::size_t done, std::size_t failed) {  // for executors that observe files
    if (done == done_ && failed == failed_) return;
    done_ = done;
    failed_ = failed;
    if (!quiet_) line("");
  }
  void end() {
    if (!quiet_ && tty_ && drew_) fmt::print(stderr, "\n");
  }
  std::size_t failed() const { return failed_; }

 private:
  void clear_line() {
    if (tty_ && drew_) fmt::print(stderr, "\r\033[K");
  }
  void line(const std::string& last) {
    double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    std::size_t ran = done_ - skipped_;
    std::string eta = ran == 0 ? "?" : human_seconds(elapsed / ran * (total_ - done_));
    std::string text = fmt::format("sweep: {}/{} done, {} failed, elapsed {}, ETA {}{}", done_, total_, failed_,
                                   human_seconds(elapsed), done_ == total_ ? "0 s" : eta,
                                   last.empty() ? "" : "  (" + last + ")");
    if (done_ == total_) text = fmt::format("sweep: {}/{} done, {} failed, elapsed {}{}", done_, total_, failed_,
                                            human_seconds(elapsed), last.empty() ? "" : "  (" + last + ")");
    if (tty_) {
      clear_line();
      fmt::print(stderr, "{}", text);
      drew_ = true;
    } else {
      fmt::print(stderr, "{}\n", text);
    }
  }
  std::size_t total_, done_ = 0, skipped_ = 0, failed_ = 0;
  bool quiet_, tty_, drew_ = false;
  Clock::time_point started_ = Clock::now();
};

std::string self_executable() { return fs::read_symlink("/proc/self/exe").string(); }

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Holds an exclusive lock on OUT/.sweep.lock for the lifetime of the sweep.
class OutLock {
 public:
  explicit OutLock(const fs::path& out) {
    std::string path = (out / ".sweep.lock").string();
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
      throw std::runtime_error(fmt::format("another sweep is running into {} (it holds {})", out.string(), path));
  }
  ~OutLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

// A clean directory for a point about to run: anything a killed or failed earlier attempt left goes.
void reset_point_dir(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Local executor: a pool of at most `jobs` child processes, each `aidcsim run` into OUT/<id>/.

void run_local(const SweepPlan& plan, const fs::path& out, int jobs, Progress& progress) {
  const std::string exe = self_executable();
  std::vector<std::size_t> pending;
  for (const auto& p : plan.points)
    if (!point_complete((out / p.id).string())) pending.push_back(p.index);
  progress.start(plan.points.size() - pending.size(), pending.size(),
                 fmt::format("with {} local process(es)", std::min<std::size_t>(jobs, std::max<std::size_t>(1, pending.size()))));

  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  bool stopping = false;
  auto spawn = [&](std::size_t index) {
    const SweepPoint& point = plan.points[index];
    fs::path dir = out / point.id;
    reset_point_dir(dir);
    std::string log = (dir / kRunLog).string();
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error(fmt::format("cannot create {}: {}", log, std::strerror(errno)));
    std::vector<std::string> args = point.run_args(plan.scenario, dir.string());
    args.insert(args.begin(), exe);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fd);
      throw std::runtime_error(fmt::format("fork failed: {}", std::strerror(errno)));
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a point never outlives a killed sweep
      if (::getppid() != parent) ::_exit(143);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
      ::execv(exe.c_str(), argv.data());
      dprintf(STDERR_FILENO, "error: cannot execute %s: %s\n", exe.c_str(), std::strerror(errno));
      ::_exit(127);
    }
    ::close(fd);
    running[pid] = index;
  };

  while (true) {
    if (g_signal && !stopping) {
      stopping = true;
      for (const auto& [pid, index] : running) ::kill(pid, SIGTERM);
    }
    while (!stopping && next < pending.size() && running.size() < static_cast<std::size_t>(jobs)) spawn(pending[next++]);
    if (running.empty()) break;
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("waitpid failed: {}", std::strerror(errno)));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const SweepPoint& point = plan.points[it->second];
    running.erase(it);
    fs::path dir = out / point.id;
    int code = exit_code_of(status);
    if (stopping && !point_complete(dir.string())) continue;  // interrupted: left as not-run
    write_file_atomically((dir / kExitCodeFile).string(), fmt::format("{}\n", code));
    PointOutcome o = collect_point(dir.string(), {});
    progress.finished(point.id, o.status == "ok", o.error, code);
  }
}

// ---------------------------------------------------------------------------------------------
// Slurm executor

struct CommandResult {
  int code = -1;
  std::string out, err;
};

// Runs a program (no shell) and captures its stdout and stderr.
CommandResult run_command(const std::vector<std::string>& command) {
  CommandResult r;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error(fmt::format("pipe failed: {}", std::strerror(errno)));
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::execvp(argv[0], argv.data());
    dprintf(STDERR_FILENO, "cannot execute %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_count = 2;
  char buffer[4096];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) sinks[i]->append(buffer, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.code = exit_code_of(status);
  return r;
}

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  std::string line = text.substr(0, end);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

SlurmSettings slurm_settings(const SweepPlan& plan, const SweepArgs& a) {
  SlurmSettings s = plan.slurm;
  if (!a.partition.empty()) s.partition = a.partition;
  if (!a.time.empty()) s.time = a.time;
  if (!a.mem.empty()) {
    s.mem = a.mem;
    s.mem_per_cpu.clear();
  }
  if (!a.account.empty()) s.account = a.account;
  if (!a.qos.empty()) s.qos = a.qos;
  if (!a.aidcsim.empty()) s.aidcsim = a.aidcsim;
  if (a.cpus_per_task > 0) s.cpus_per_task = a.cpus_per_task;
  s.extra.insert(s.extra.end(), a.sbatch_lines.begin(), a.sbatch_lines.end());
  if (a.jobs > 0) s.max_parallel = a.jobs;
  return s;
}

struct SlurmFiles {
  fs::path dir, script, points;
  std::vector<std::size_t> tasks;  // array index -> plan index
};

SlurmFiles write_slurm_files(const SweepPlan& plan, const fs::path& out, const SlurmSettings& s) {
  SlurmFiles f;
  f.dir = fs::absolute(out / "slurm").lexically_normal();
  f.script = f.dir / "sweep.sbatch";
  f.points = f.dir / "points.txt";
  fs::create_directories(f.dir);
  std::string lines;
  for (const auto& p : plan.points) {
    if (point_complete((out / p.id).string())) continue;
    f.tasks.push_back(p.index);
    std::string dir = (out / p.id).string();
    std::vector<std::string> args = p.run_args(plan.scenario, dir);
    lines += slurm_points_line(dir, args) + "\n";
  }
  SlurmScriptInputs in;
  in.binary = s.aidcsim.empty() ? self_executable() : s.aidcsim;
  in.points_file = f.points.string();
  in.log_dir = f.dir.string();
  in.workdir = fs::current_path().string();
  in.task_count = f.tasks.size();
  in.max_parallel = s.max_parallel;
  write_file_atomically(f.points.string(), lines);
  write_file_atomically(f.script.string(), slurm_script(plan, s, in));
  fs::permissions(f.script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);
  return f;
}

// Submits the array, follows it with squeue until it has left the queue, returns the job's state
// as a short note ("" when everything went as planned). Throws on submission failure.
std::string run_slurm(const SweepPlan& plan, const fs::path& out, const SlurmSettings& s, Progress& progress) {
  SlurmFiles f = write_slurm_files(plan, out, s);
  progress.start(plan.points.size() - f.tasks.size(), f.tasks.size(),
                 fmt::format("as a Slurm job array ({})", f.script.string()));
  if (f.tasks.empty()) return "";
  for (std::size_t index : f.tasks) reset_point_dir(out / plan.points[index].id);
  for (const auto& entry : fs::directory_iterator(f.dir)) {  // logs of an earlier submission
    std::string name = entry.path().filename().string();
    if (name.rfind("task-", 0) == 0 && entry.path().extension() == ".out") fs::remove(entry.path());
  }

  CommandResult submit = run_command({"sbatch", "--parsable", f.script.string()});
  std::string job_id = first_line(submit.out);
  job_id = job_id.substr(0, job_id.find(';'));
  if (submit.code != 0 || job_id.empty() || job_id.find_first_not_of("0123456789") != std::string::npos) {
    throw std::runtime_error(fmt::format("sbatch failed (exit {}): {}{}", submit.code,
                                         last_line(submit.err.empty() ? submit.out : submit.err),
                                         submit.code == 127 ? " (is Slurm's sbatch on PATH?)" : ""));
  }
  fmt::print(stderr, "sweep: submitted Slurm job {} ({} array task(s)); logs in {}/task-<i>.out\n", job_id,
             f.tasks.size(), f.dir.string());

  int squeue_errors = 0;
  std::string note;
  std::vector<bool> reported(plan.points.size(), false);
  while (true) {
    std::size_t done = plan.points.size() - f.tasks.size(), failed = 0;
    for (std::size_t index : f.tasks) {
      fs::path dir = out / plan.points[index].id;
      if (point_complete(dir.string())) ++done;
      else if (fs::exists(dir / kExitCodeFile)) {
        ++done;
        ++failed;
        if (!reported[index]) {
          reported[index] = true;
          PointOutcome o = collect_point(dir.string(), {});
          progress.report_failure(plan.points[index].id, o.error, o.exit_code.value_or(-1));
        }
      }
    }
    progress.set_done(done, failed);
    if (g_signal) {
      fmt::print(stderr, "\nsweep: interrupted; cancelling Slurm job {}\n", job_id);
      run_command({"scancel", job_id});
      note = "interrupted";
      break;
    }
    CommandResult q = run_command({"squeue", "-h", "-j", job_id, "-o", "%i %T %r"});
    if (q.code == 0 && first_line(q.out).empty()) break;  // no task pending or running any more
    // A task Slurm holds or cannot launch would keep the array in the queue for ever.
    if (std::string stuck = q.code == 0 ? slurm_stuck_reason(q.out) : ""; !stuck.empty()) {
      run_command({"scancel", job_id});
      throw std::runtime_error(fmt::format("Slurm job {} cannot finish: {}; cancelled it (see {}/task-<i>.out and "
                                           "Slurm's slurmd log)", job_id, stuck, f.dir.string()));
    }
    if (q.code != 0) {
      if (q.err.find("Invalid job id") != std::string::npos) break;  // already purged: finished
      if (++squeue_errors > 60) throw std::runtime_error(fmt::format("squeue keeps failing: {}", first_line(q.err)));
    } else {
      squeue_errors = 0;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return note;
}

// For a Slurm task that left no exit code: the reason from its Slurm log, if there is one.
void annotate_slurm_failures(const SweepPlan& plan, const fs::path& out, std::vector<PointOutcome>& outcomes) {
  fs::path dir = fs::absolute(out / "slurm");
  std::string points = read_text(dir / "points.txt");
  std::istringstream in(points);
  std::string line;
  std::map<std::string, std::size_t> task_of_dir;
  for (std::size_t t = 0; std::getline(in, line); ++t) {
    for (const auto& p : plan.points) {
      std::string quoted = slurm_points_line((out / p.id).string(), {});
      if (line.rfind(quoted + " ", 0) == 0) task_of_dir[p.id] = t;
    }
  }
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    if (outcomes[i].status != "not-run") continue;
    auto it = task_of_dir.find(plan.points[i].id);
    if (it == task_of_dir.end()) continue;
    std::string log = read_text(dir / fmt::format("task-{}.out", it->second));
    std::string reason = first_error_line(log);
    if (!reason.empty()) outcomes[i].error = reason;
  }
}

void print_plan(const SweepPlan& plan, const fs::path& out) {
  fmt::print("{} point(s) of {} into {}/:\n", plan.points.size(), plan.scenario, out.string());
  for (const auto& p : plan.points) {
    std::string line;
    for (const auto& a : p.run_args(plan.scenario, (out / p.id).string())) line += " " + shell_quote(a);
    fmt::print("  {}{}\n", fs::exists(out / p.id / "summary.json") ? "[done] " : "", "aidcsim" + line);
  }
}

int sweep_main(const SweepArgs& a) {
  if (a.jobs < 0) throw InputErrors({{"--jobs", 0, "", fmt::format("found {}, expected at least 1", a.jobs)}});
  SweepPlan plan = load_sweep(a.file);
  fs::path out = a.out.empty() ? fs::path(plan.default_out_dir()) : fs::path(a.out);
  fs::create_directories(out);
  OutLock lock(out);
  write_file_atomically((out / "sweep.json").string(), plan.to_json().dump(2) + "\n");
  SlurmSettings slurm = slurm_settings(plan, a);

  if (a.dry_run) {
    print_plan(plan, out);
    if (a.executor == "slurm") {
      SlurmFiles f = write_slurm_files(plan, out, slurm);
      fmt::print("Slurm script: {} ({} array task(s)); submit it with: sbatch {}\n", f.script.string(), f.tasks.size(),
                 f.script.string());
    }
    return 0;
  }

  int jobs = a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Progress progress(plan.points.size(), a.quiet);
  std::string failure;
  g_signal = 0;
  {
    SignalGuard guard;
    try {
      if (a.collect) {
        if (!a.quiet) fmt::print(stderr, "sweep: --collect: collecting results of {} point(s), running none\n", plan.points.size());
      } else if (a.executor == "slurm") {
        run_slurm(plan, out, slurm, progress);
      } else {
        run_local(plan, out, jobs, progress);
      }
    } catch (const std::runtime_error& e) {
      failure = e.what();
    }
    progress.end();
  }

  std::vector<PointOutcome> outcomes;
  for (const auto& p : plan.points) outcomes.push_back(collect_point((out / p.id).string(), plan.metrics));
  if (a.executor == "slurm") annotate_slurm_failures(plan, out, outcomes);
  write_file_atomically((out / "results.csv").string(), results_csv(plan, outcomes));
  write_file_atomically((out / "provenance.csv").string(), provenance_csv(plan, outcomes));

  std::size_t ok = 0, failed = 0, not_run = 0;
  for (const auto& o : outcomes) {
    if (o.status == "ok") ++ok;
    else if (o.status == "failed") ++failed;
    else ++not_run;
  }
  ProblemList metric_problems = check_metrics(plan, outcomes);
  for (const auto& p : metric_problems.items()) fmt::print(stderr, "{}\n", p.format());
  if (!failure.empty()) fmt::print(stderr, "error: {}\n", failure);
  if (!a.quiet) {
    fmt::print("sweep: {} point(s): {} ok, {} failed{}; results in {}\n", plan.points.size(), ok, failed,
               not_run ? fmt::format(", {} not run", not_run) : "", (out / "results.csv").string());
  }
  if (g_signal) {
    fmt::print(stderr, "sweep: interrupted by signal {}; {} point(s) not run; run the same command again to resume\n",
               static_cast<int>(g_signal), not_run);
    return 128 + g_signal;
  }
  return (failed || not_run || !metric_problems.empty() || !failure.empty()) ? 1 : 0;
}

}  // namespace

void add_sweep_command(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "run a parameter sweep: every point as its own run, locally or on Slurm");
  cmd->add_option("sweep", a->file, "sweep JSON file")->required();
  cmd->add_option("--jobs,-j", a->jobs,
                  "points run in parallel (local: processes, default the number of cores; slurm: the %P array "
                  "throttle)");
  cmd->add_option("--out", a->out, "output directory (default results/sweeps/<sweep file stem>)");
  cmd->add_option("--executor", a->executor, "where the points run (default local)")->check(CLI::IsMember({"local", "slurm"}));
  cmd->add_flag("--quiet", a->quiet, "no progress; only errors");
  cmd->add_flag("--dry-run", a->dry_run,
                "write sweep.json (and for slurm the sbatch script) and list the points; run nothing");
  cmd->add_flag("--collect", a->collect,
                "run nothing; only collect results.csv from the point directories (e.g. after submitting the "
                "--dry-run script yourself)");
  cmd->add_option("--partition", a->partition, "slurm: partition");
  cmd->add_option("--time", a->time, "slurm: time limit per task (sbatch --time)");
  cmd->add_option("--cpus-per-task", a->cpus_per_task, "slurm: CPUs per task (default 1)");
  cmd->add_option("--mem", a->mem, "slurm: memory per task (sbatch --mem, e.g. 4G)");
  cmd->add_option("--account", a->account, "slurm: account");
  cmd->add_option("--qos", a->qos, "slurm: QOS");
  cmd->add_option("--aidcsim", a->aidcsim, "slurm: path of the aidcsim binary on the compute nodes");
  cmd->add_option("--sbatch", a->sbatch_lines, "slurm: an extra #SBATCH option, e.g. --sbatch=--constraint=a100");
  cmd->callback([a, &action]() {
    action = [a]() { return sweep_main(*a); };
  });
}

}  // namespace aidcsim::cli
