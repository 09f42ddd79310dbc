// The entry point of one trace reader's fuzz target: AIDCSIM_FUZZ_FORMAT names the reader (a
// fuzz::TraceFormat), AIDCSIM_FUZZ_GZIP compresses the input first. The body is fuzz_trace.cpp's.
#include "tests/fuzz/fuzz_trace.hpp"

#ifndef AIDCSIM_FUZZ_FORMAT
#error "define AIDCSIM_FUZZ_FORMAT"
#endif
#ifndef AIDCSIM_FUZZ_GZIP
#define AIDCSIM_FUZZ_GZIP false
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return aidcsim::fuzz::trace_input(data, size, aidcsim::fuzz::TraceFormat::AIDCSIM_FUZZ_FORMAT, AIDCSIM_FUZZ_GZIP);
}
