// The fuzz targets of the trace readers (fuzz_trace.hpp), compiled once for all of them. An input
// starting with "#options {...}\n" gives the reader's options (the workload.jobs object) on its first
// line. For alibaba-pai, the job table and the task table are separated by a line "--task-table--".
// With `compressed` the input is gzip-compressed before the reader sees it (the reader's gzip path on
// well-formed streams).
#include <zlib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"
#include "sim/core/cluster.hpp"
#include "sim/core/errors.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/fuzz/fuzz_trace.hpp"

namespace aidcsim::fuzz {
namespace {

// The readers' factories, named directly (not through the registries) so a trace target links only
// the trace readers.
using ReaderFactory = std::unique_ptr<TraceReader> (*)(PolicyArgs&);
ReaderFactory factory(TraceFormat format) {
  switch (format) {
    case TraceFormat::native: return make_native_reader;
    case TraceFormat::openb: return make_openb_reader;
    case TraceFormat::philly: return make_philly_reader;
    case TraceFormat::swf: return make_swf_reader;
    case TraceFormat::helios: return make_helios_reader;
    case TraceFormat::alibaba_pai: return make_alibaba_pai_reader;
    case TraceFormat::alibaba_dlrm: return make_alibaba_dlrm_reader;
    case TraceFormat::k8s: return make_k8s_reader;
  }
  std::abort();
}

std::string gzip(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

int trace_input(const std::uint8_t* data, std::size_t size, TraceFormat format, bool compressed) {
  std::string_view text = as_text(data, size);
  if (skip_known_defects() && (has_nul(text) || invalid_utf8(text) || gzip_magic(text)))
    return 0;
  nlohmann::json options = nlohmann::json::object();
  constexpr std::string_view kOptions = "#options ";
  if (text.starts_with(kOptions)) {
    auto end = text.find('\n');
    auto parsed = nlohmann::json::parse(text.substr(kOptions.size(), end == text.npos ? text.npos : end - kOptions.size()),
                                        nullptr, false);
    if (parsed.is_object() && (!skip_known_defects() || !huge_exponent(parsed.dump())))
      options = parsed;
    text = end == text.npos ? std::string_view() : text.substr(end + 1);
  }
  std::string_view trace = text, tasks;
  constexpr std::string_view kTaskTable = "\n--task-table--\n";
  if (auto at = text.find(kTaskTable); at != text.npos) {
    trace = text.substr(0, at + 1);
    tasks = text.substr(at + kTaskTable.size());
  }
  std::string path = compressed ? write_input("trace", gzip(trace)) : write_input("trace", trace);
  write_input("pai_task_table.csv", tasks);
  AIDCSIM_FUZZ_GUARD({
    ProblemList problems;
    OptionReader reader(options, "/workload/jobs", "scenario.json", nullptr, problems);
    Cluster cluster;
    std::vector<JobSpec> jobs;
    PolicyArgs args{reader, 1, cluster, jobs};
    auto trace_reader = factory(format)(args);
    if (trace_reader) (void)trace_reader->read(path, problems);
  })
  return 0;
}

}  // namespace aidcsim::fuzz
