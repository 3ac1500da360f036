#pragma once
// Writes a file all or nothing: data goes to a temporary file in the target's
// directory, which commit() flushes, syncs and renames over the target, and
// then syncs the directory, so that the rename lasts. If commit() is never
// reached (an error, an exception), the destructor removes the temporary file
// and any existing target stays untouched.
// Throws Error(Create) when the file cannot be created, Error(Io) when a
// write or a sync fails midway.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace mfrec {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  std::FILE* stream() { return file_; }
  void write(std::string_view bytes);
  // Rewrites bytes already written, at `offset` from the start (a header
  // whose contents are known last), and goes back to the end.
  void overwrite(std::uint64_t offset, std::string_view bytes);
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

}  // namespace mfrec
