#pragma once
// Output files are written under a temporary name and renamed into place on commit(), so a killed
// or failed run never leaves a half-written file under a final name.
#include <fstream>
#include <string>

namespace aidcsim {

class AtomicFile {
 public:
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ostream& stream() { return out_; }
  // Rows are built in one string and written out in blocks of about 64 KiB (a stream write per row
  // costs more): writes and clears `rows` once it is that large.
  void write_when_full(std::string& rows) {
    if (rows.size() > (1 << 16) - 512) {
      out_ << rows;
      rows.clear();
    }
  }
  void commit();  // throws std::runtime_error on an I/O failure

 private:
  std::string final_path_;
  std::string temp_path_;
  std::ofstream out_;
  bool committed_ = false;
};

void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace aidcsim
