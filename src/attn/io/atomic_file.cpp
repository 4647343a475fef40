#include "attn/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "attn/core/error.h"

namespace attn {
namespace {

std::string errno_str(int err) { return std::strerror(err); }

// Closes the descriptor on scope exit unless released; keeps error paths short.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports the close error (NFS may report write errors here).
  int close_checked() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Writes all bytes, retrying short writes and EINTR; returns 0 or an errno.
int write_all(int fd, std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return 0;
}

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

// fsync of the directory makes the rename itself durable. Some file systems
// cannot fsync a directory (EINVAL); the rename is then as durable as they allow.
void sync_dir(const std::filesystem::path& path) {
  const auto dir = parent_or_dot(path);
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    fail("cannot write {}: cannot open directory {} to sync it: {}", path.string(), dir.string(),
         errno_str(errno));
  }
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    fail("cannot write {}: fsync of directory {} failed: {}", path.string(), dir.string(),
         errno_str(errno));
  }
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  ATTN_CHECK(!path.empty() && path.has_filename(), "cannot write '{}': not a file path",
             path.string());
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      fail("cannot write {}: cannot create temp file {}: {}", path.string(), tmp.string(),
           errno_str(errno));
    }
    // From here on the temp file exists, so every failure must remove it.
    int err = write_all(fd.get(), bytes);
    const char* step = "write";
    if (err == 0 && ::fsync(fd.get()) != 0) {
      err = errno;
      step = "fsync";
    }
    if (err == 0) {
      err = fd.close_checked();
      step = "close";
    }
    if (err != 0) {
      ::unlink(tmp.c_str());
      fail("cannot write {}: {} of temp file {} failed: {}", path.string(), step, tmp.string(),
           errno_str(err));
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot write {}: rename from {} failed: {}", path.string(), tmp.string(), errno_str(err));
  }
  sync_dir(path);
}

void sync_directory(const std::filesystem::path& dir) { sync_dir(dir / "."); }

std::string read_file_bytes(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot read {}: {}", path.string(), errno_str(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail("cannot read {}: {}", path.string(), errno_str(errno));
  if (S_ISDIR(st.st_mode)) fail("cannot read {}: {}", path.string(), errno_str(EISDIR));
  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
  // Read until EOF rather than trusting st_size: pipes and /proc files report 0.
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read {}: {}", path.string(), errno_str(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

void ensure_writable_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("cannot create directory {}: {}", dir.string(), ec.message());
  if (!std::filesystem::is_directory(dir, ec)) {
    fail("cannot use {} as a directory: it exists and is not a directory", dir.string());
  }
  // Permission bits do not tell the whole story (read-only mounts, root, ACLs):
  // the only reliable check is to create a file.
  const auto probe = dir / (".attn_write_probe." + std::to_string(::getpid()));
  Fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    fail("directory {} is not writable: {}", dir.string(), errno_str(errno));
  }
  fd.close_checked();
  ::unlink(probe.c_str());
}

}  // namespace attn
