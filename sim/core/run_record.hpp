#pragma once
// What a run read and which random streams it drew from, gathered while the run is prepared so that
// run.json can name them (docs/provenance.md). Whatever reads an input file adds it here (the
// scenario, the platform, the job trace; a concern that reads a table of its own adds that too,
// through PolicyArgs::record), and a policy that derives a random stream from the run seed names it.
#include <cstdint>
#include <string>
#include <vector>

namespace aidcsim {

struct InputFile {
  std::string role;  // "scenario", "platform", "trace", ... (what the file is to the run)
  std::string path;  // as the run opened it
};

struct RandomStream {
  std::string name;    // e.g. "placement/fgd"
  std::uint64_t seed;  // the stream's own seed, derived from the run seed
};

class RunRecord {
 public:
  // A file the run read. The same role and path twice count once.
  void read_file(const std::string& role, const std::string& path);
  // A random stream the run draws from. The same name twice counts once.
  void random_stream(const std::string& name, std::uint64_t seed);

  const std::vector<InputFile>& inputs() const { return inputs_; }
  const std::vector<RandomStream>& streams() const { return streams_; }

 private:
  std::vector<InputFile> inputs_;
  std::vector<RandomStream> streams_;
};

}  // namespace aidcsim
