#include "attn/data/fetch_util.h"

#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "attn/core/error.h"
#include "attn/data/spamassassin.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::string read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  ATTN_CHECK(in.good(), "{}: cannot open file for reading", path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  ATTN_CHECK(!in.bad(), "{}: read error", path.string());
  return ss.str();
}

std::string file_tail(const fs::path& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.size() > n) s = "..." + s.substr(s.size() - n);
  return s;
}

void make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create directory {}: {}", dir.string(), ec.message());
}

void write_atomically(const fs::path& path, std::string_view content) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail("cannot write {}: {}", tmp.string(), std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) fail("cannot write {}: {}", tmp.string(), std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail("cannot rename {} to {}: {}", tmp.string(), path.string(), ec.message());
}

std::string capture_output(const ProgramCommand& cmd, const fs::path& stderr_file) {
  const std::string command = cmd.command + " 2>" + shell_quote(stderr_file.string());
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) fail("cannot start `{}`: {}", cmd.command, std::strerror(errno));
  std::string out;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const bool read_error = std::ferror(pipe) != 0;
  const int rc = pclose(pipe);
  const std::string err = file_tail(stderr_file, 300);
  std::error_code ec;
  fs::remove(stderr_file, ec);
  if (rc == -1) fail("cannot wait for `{}`: {}", cmd.command, std::strerror(errno));
  const int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  if (status == 126 || status == 127) {
    fail("cannot run `{}` (exit status {}: {}); install Debian's {} (apt-get install {})",
         cmd.program, status, err.empty() ? "not found" : err, cmd.package, cmd.package);
  }
  if (status != 0) fail("`{}` failed with exit status {}: {}", cmd.command, status, err);
  if (read_error) fail("cannot read the output of `{}`", cmd.command);
  return out;
}

std::string shorten(std::string_view s) {
  return s.size() > 60 ? std::string(s.substr(0, 60)) + "..." : std::string(s);
}

}  // namespace attn
