#include "mfrec/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

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

// Creates `prefix` + six letters, a name no one else has, for writing, with
// the permissions a plain create gives (0666 less the umask, or the
// directory's default ACL). Written by hand because mkstemp always makes
// 0600 and no libc call takes a mode, and learning the umask means setting
// it, process-wide, under the other threads' feet. O_EXCL does the checking,
// so the letters need only make a clash unlikely, as mkstemp's do. Returns
// the descriptor and sets `path`, or -1 with errno.
int create_unique(const std::string& prefix, std::string& path) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static std::atomic<std::uint64_t> calls{0};
  const auto clock = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::uint64_t state = clock ^ (static_cast<std::uint64_t>(::getpid()) << 40);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    // splitmix64 over the clock, the process and a count of calls.
    std::uint64_t x = (state += 0x9E3779B97F4A7C15ull * (calls.fetch_add(1, std::memory_order_relaxed) + 1));
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    path = prefix;
    for (int i = 0; i < 6; ++i, x /= 62) path += kLetters[x % 62];
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;  // errno is EEXIST
}
}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty() || path_.back() == '/') throw Error(ErrorKind::Create, "cannot create '" + path_ + "': not a file name");
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(ErrorKind::Create, "cannot create " + path_ + ": it is a directory");
  const int fd = create_unique(directory_of(path_) + "/." + base_of(path_) + ".tmp-", temp_path_);
  if (fd < 0) throw Error(ErrorKind::Create, "cannot create " + path_ + ": " + std::strerror(errno));
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
  // The rename is only durable once the directory is synced too. Opened
  // before the rename, so that a directory we cannot open leaves the target
  // as it was.
  const std::string directory = directory_of(path_);
  const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) throw Error(ErrorKind::Io, "cannot sync " + directory + " for " + path_ + ": " + std::strerror(errno));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::close(dir);
    throw Error(ErrorKind::Create, "cannot create " + path_ + ": " + std::strerror(err));
  }
  committed_ = true;
  const bool synced = ::fsync(dir) == 0 || errno == EINVAL || errno == EROFS;
  const int sync_errno = errno;
  ::close(dir);
  if (!synced) throw Error(ErrorKind::Io, "cannot sync " + directory + " for " + path_ + ": " + std::strerror(sync_errno));
}

}  // namespace mfrec
