// Sweeps: the Slurm job array's points file and sbatch script (split from sweep.cpp).
#include "sim/experiments/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace aidcsim {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Slurm

std::string shell_quote(const std::string& word) {
  bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./=:,+-@%").find(c) != std::string_view::npos;
  });
  if (safe) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string slurm_points_line(const std::string& point_dir, const std::vector<std::string>& args) {
  std::string line = shell_quote(point_dir);
  for (const auto& a : args) (line += ' ') += shell_quote(a);
  return line;
}

std::string slurm_stuck_reason(const std::string& squeue_lines) {
  std::istringstream in(squeue_lines);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, state, reason;
    fields >> id >> state;
    std::getline(fields >> std::ws, reason);
    std::string lower = reason;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    bool held = lower.rfind("jobheld", 0) == 0 || lower.find("held") != std::string::npos ||
                lower.find("launch failed") != std::string::npos;
    if (held || state == "NODE_FAIL" || state == "BOOT_FAIL")
      return fmt::format("task {} is {} ({})", id, state, reason.empty() ? "no reason given" : reason);
  }
  return "";
}

std::string slurm_script(const SweepPlan& plan, const SlurmSettings& s, const SlurmScriptInputs& in) {
  std::string job_name = s.job_name.empty() ? "aidcsim-" + fs::path(plan.file).stem().string() : s.job_name;
  std::string out;
  out += "#!/bin/bash\n";
  out += fmt::format("# Written by `aidcsim sweep {} --executor slurm`: {} point(s) of {} as one job array.\n",
                     plan.file, in.task_count, plan.scenario);
  out += "# Task i runs line i+1 of the points file: the point's directory, then its aidcsim arguments.\n";
  out += fmt::format("#SBATCH --job-name={}\n", job_name);
  std::string array = fmt::format("0-{}", in.task_count == 0 ? 0 : in.task_count - 1);
  if (in.max_parallel > 0) array += fmt::format("%{}", in.max_parallel);
  out += fmt::format("#SBATCH --array={}\n", array);
  out += fmt::format("#SBATCH --output={}/task-%a.out\n", in.log_dir);
  out += fmt::format("#SBATCH --chdir={}\n", in.workdir);
  out += "#SBATCH --ntasks=1\n";
  out += fmt::format("#SBATCH --cpus-per-task={}\n", s.cpus_per_task);
  if (!s.partition.empty()) out += fmt::format("#SBATCH --partition={}\n", s.partition);
  if (!s.time.empty()) out += fmt::format("#SBATCH --time={}\n", s.time);
  if (!s.mem.empty()) out += fmt::format("#SBATCH --mem={}\n", s.mem);
  if (!s.mem_per_cpu.empty()) out += fmt::format("#SBATCH --mem-per-cpu={}\n", s.mem_per_cpu);
  if (!s.account.empty()) out += fmt::format("#SBATCH --account={}\n", s.account);
  if (!s.qos.empty()) out += fmt::format("#SBATCH --qos={}\n", s.qos);
  for (const auto& e : s.extra) {
    std::string line = e;
    if (line.rfind("#SBATCH", 0) == 0) line = line.substr(7);
    while (!line.empty() && line.front() == ' ') line.erase(0, 1);
    out += fmt::format("#SBATCH {}\n", line);
  }
  out += "\n";
  for (const auto& line : s.setup) out += line + "\n";
  out += "set -u\n";
  out += fmt::format("AIDCSIM={}\n", shell_quote(in.binary));
  out += fmt::format("POINTS={}\n", shell_quote(in.points_file));
  out += R"(line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$POINTS")
if [ -z "$line" ]; then
  echo "aidcsim sweep: no point for array task $SLURM_ARRAY_TASK_ID in $POINTS" >&2
  exit 2
fi
eval "set -- $line"
dir=$1
shift
mkdir -p -- "$dir" || exit 1
"$AIDCSIM" "$@" >"$dir/run.log" 2>&1
rc=$?
# The sweep reads the exit code from here (no accounting database needed); written then renamed.
printf '%s\n' "$rc" >"$dir/exit_code.tmp.$$" && mv -f -- "$dir/exit_code.tmp.$$" "$dir/exit_code"
exit "$rc"
)";
  return out;
}

}  // namespace aidcsim
