#pragma once
// The trace readers' fuzz targets share one body (fuzz_trace.cpp, compiled once); each target is a
// one-line entry point (fuzz_trace_target.cpp) that names its reader.
#include <cstddef>
#include <cstdint>

namespace aidcsim::fuzz {

enum class TraceFormat { native, openb, philly, swf, helios, alibaba_pai, alibaba_dlrm, k8s };

// One input for the reader of `format`; with `compressed`, gzip-compressed first.
int trace_input(const std::uint8_t* data, std::size_t size, TraceFormat format, bool compressed);

}  // namespace aidcsim::fuzz
