#include "mfrec/io/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mfrec/error.hpp"

namespace mfrec {

namespace {
std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
std::string base_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty() || path_.back() == '/') throw Error(ErrorKind::Create, "cannot create '" + path_ + "': not a file name");
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(ErrorKind::Create, "cannot create " + path_ + ": it is a directory");
  temp_path_ = directory_of(path_) + "/." + base_of(path_) + ".tmp-XXXXXX";
  std::vector<char> name(temp_path_.begin(), temp_path_.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw Error(ErrorKind::Create, "cannot create " + path_ + ": " + std::strerror(errno));
  temp_path_.assign(name.data());
  // mkstemp makes the file 0600; give it the permissions a plain create would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp_path_.c_str());
    throw Error(ErrorKind::Create, "cannot create " + path_ + ": " + std::strerror(err));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    if (file_) std::fclose(file_);
    ::unlink(temp_path_.c_str());
  }
}

void AtomicFile::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
    throw Error(ErrorKind::Io, "cannot write " + path_ + ": " + std::strerror(errno));
}

void AtomicFile::overwrite(std::uint64_t offset, std::string_view bytes) {
  if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 ||
      std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size() || std::fseek(file_, 0, SEEK_END) != 0)
    throw Error(ErrorKind::Io, "cannot write " + path_ + ": " + std::strerror(errno));
}

void AtomicFile::commit() {
  const bool flushed = std::fflush(file_) == 0 && !std::ferror(file_);
  const int flush_errno = errno;
  if (!flushed) throw Error(ErrorKind::Io, "cannot write " + path_ + ": " + std::strerror(flush_errno));
  if (::fsync(::fileno(file_)) != 0 && errno != EINVAL && errno != EROFS)
    throw Error(ErrorKind::Io, "cannot write " + path_ + ": " + std::strerror(errno));
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) throw Error(ErrorKind::Io, "cannot write " + path_ + ": " + std::strerror(errno));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    throw Error(ErrorKind::Create, "cannot create " + path_ + ": " + std::strerror(errno));
  committed_ = true;
}

}  // namespace mfrec
