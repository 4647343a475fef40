// write_file_atomic / read_file_bytes / ensure_writable_dir. Tests run as root,
// so unwritable targets are made real with paths whose parent is a regular
// file, a missing directory, a directory standing where the file should go,
// or a file-size limit that makes write() fail mid-file.
#include "attn/io/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace attn {
namespace {

// Every name in dir; the temp files must not survive a failed write.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

using test::error_of;

TEST(AtomicFile, WritesNewFileAndReplacesOldOne) {
  const auto dir = test::make_temp_dir("atomic");
  const auto p = dir / "out.bin";
  write_file_atomic(p, std::string("first\0bytes", 11));
  EXPECT_EQ(read_file_bytes(p), std::string("first\0bytes", 11));
  write_file_atomic(p, "second");
  EXPECT_EQ(read_file_bytes(p), "second");
  write_file_atomic(p, "");
  EXPECT_EQ(read_file_bytes(p), "");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.bin"});
  fs::remove_all(dir);
}

TEST(AtomicFile, LargeWriteRoundTrips) {
  const auto dir = test::make_temp_dir("atomic");
  std::string big(3 * 1000 * 1000 + 7, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  write_file_atomic(dir / "big", big);
  EXPECT_EQ(read_file_bytes(dir / "big"), big);
  fs::remove_all(dir);
}

TEST(AtomicFile, ParentIsRegularFileFailsWithPathAndReason) {
  const auto dir = test::make_temp_dir("atomic");
  test::write_file(dir / "plain", "old");
  const auto target = dir / "plain" / "model.safetensors";
  const std::string msg = error_of([&] { write_file_atomic(target, "new"); });
  EXPECT_NE(msg.find(target.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("Not a directory"), std::string::npos) << msg;
  EXPECT_EQ(read_file_bytes(dir / "plain"), "old");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"plain"});
  fs::remove_all(dir);
}

TEST(AtomicFile, MissingDirectoryFails) {
  const auto dir = test::make_temp_dir("atomic");
  const auto target = dir / "no_such_dir" / "x.json";
  const std::string msg = error_of([&] { write_file_atomic(target, "x"); });
  EXPECT_NE(msg.find(target.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  EXPECT_TRUE(names_in(dir).empty());
  fs::remove_all(dir);
}

// The temp file is fully written before rename fails, so this checks cleanup.
TEST(AtomicFile, RenameFailureRemovesTempAndKeepsOldContent) {
  const auto dir = test::make_temp_dir("atomic");
  const auto target = dir / "ckpt";
  fs::create_directories(target);
  test::write_file(target / "inside", "old");
  const std::string msg = error_of([&] { write_file_atomic(target, "new content"); });
  EXPECT_NE(msg.find(target.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("rename"), std::string::npos) << msg;
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"ckpt"});
  EXPECT_EQ(read_file_bytes(target / "inside"), "old");
  fs::remove_all(dir);
}

// A file-size limit makes write() fail with EFBIG after part of the data is
// written: the old file must keep its bytes and the partial temp must go.
TEST(AtomicFile, FailedWriteKeepsOldFileIntact) {
  const auto dir = test::make_temp_dir("atomic");
  const auto target = dir / "model.safetensors";
  write_file_atomic(target, "old weights");
  rlimit old_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string msg;
  try {
    write_file_atomic(target, std::string(100000, 'n'));
  } catch (const Error& e) {
    msg = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, old_handler);
  EXPECT_NE(msg.find(target.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("File too large"), std::string::npos) << msg;
  EXPECT_EQ(read_file_bytes(target), "old weights");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"model.safetensors"});
  fs::remove_all(dir);
}

TEST(ReadFileBytes, MissingFileNamesPathAndReason) {
  const auto dir = test::make_temp_dir("atomic");
  const auto p = dir / "missing.json";
  const std::string msg = error_of([&] { read_file_bytes(p); });
  EXPECT_EQ(msg, "cannot read " + p.string() + ": No such file or directory");
  fs::remove_all(dir);
}

TEST(ReadFileBytes, DirectoryIsNotReadable) {
  const auto dir = test::make_temp_dir("atomic");
  const std::string msg = error_of([&] { read_file_bytes(dir); });
  EXPECT_EQ(msg, "cannot read " + dir.string() + ": Is a directory");
  fs::remove_all(dir);
}

TEST(EnsureWritableDir, CreatesNestedDirectoriesAndLeavesNoProbe) {
  const auto dir = test::make_temp_dir("atomic");
  const auto nested = dir / "a" / "b";
  ensure_writable_dir(nested);
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_TRUE(names_in(nested).empty());
  ensure_writable_dir(nested);  // existing directory is fine
  fs::remove_all(dir);
}

TEST(EnsureWritableDir, RegularFileInTheWayIsAnError) {
  const auto dir = test::make_temp_dir("atomic");
  test::write_file(dir / "f", "x");
  const std::string msg1 = error_of([&] { ensure_writable_dir(dir / "f"); });
  EXPECT_NE(msg1.find((dir / "f").string()), std::string::npos) << msg1;
  const std::string msg2 = error_of([&] { ensure_writable_dir(dir / "f" / "sub"); });
  EXPECT_NE(msg2.find((dir / "f" / "sub").string()), std::string::npos) << msg2;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace attn
