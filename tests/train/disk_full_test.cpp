// A save that runs out of space (here: a file-size limit, `ulimit -f`, which
// fails writes with EFBIG like a full disk fails them with ENOSPC) ends with a
// clear error naming the file, and the previous state stays intact and resumable.
#include <sys/wait.h>

#include <cstdlib>

#include "attn/train/classifier_run.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

TEST(DiskFull, FailedSaveIsReportedAndThePreviousStateIsKept) {
  const TinyCorpus c = make_tiny_corpus("diskfull");
  const fs::path run = c.dir / "run";
  ASSERT_EQ(run_cli(train_args(c, run, "--max-steps 3")).exit_code, 0);
  const std::vector<std::string> files{"train_state/model.safetensors",
                                       "train_state/optimizer.safetensors",
                                       "train_state/state.json"};
  std::vector<std::string> before;
  for (const auto& f : files) before.push_back(read_file(run / f));
  ASSERT_GT(before[0].size(), 8u * 1024u);

  // 8 blocks (4 or 8 KiB): the next weights file cannot be written.
  const std::string cmd = fmt::format("ulimit -f 8; exec '{}' {} >'{}' 2>'{}' </dev/null",
                                      ATTN_CLI_PATH, train_args(c, run, "--resume --save-every 1"),
                                      (c.dir / "out").string(), (c.dir / "err").string());
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "killed instead of reporting the error";
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = read_file(c.dir / "err");
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
  EXPECT_NE(err.find("model.safetensors"), std::string::npos) << err;

  for (std::size_t i = 0; i < files.size(); ++i)
    EXPECT_TRUE(read_file(run / files[i]) == before[i]) << files[i] << " changed";
  EXPECT_EQ(train::load_resumable_state(run).step, 3);
  EXPECT_FALSE(fs::exists(run / "train_state.new"));  // the half-written state is gone

  // With space again, the run finishes exactly like an uninterrupted one.
  ASSERT_EQ(run_cli(train_args(c, run, "--resume")).exit_code, 0);
  ASSERT_EQ(run_cli(train_args(c, c.dir / "full", "")).exit_code, 0);
  EXPECT_TRUE(read_file(run / "model.safetensors") == read_file(c.dir / "full/model.safetensors"));
}

}  // namespace
}  // namespace attn::test
