// Crash safety of `attn train`: SIGKILL at random moments (checkpoint writes
// included) never leaves the run without a loadable state, --resume then ends
// with the same weights as an uninterrupted run; a crash between the two
// renames of a state swap is repaired.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "attn/core/rng.h"
#include "attn/train/classifier_run.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> metric_losses(const fs::path& run) {
  std::vector<std::string> out;
  std::istringstream in(read_file(run / "metrics.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    out.push_back(j["train_loss"].dump() + " " + j["val_loss"].dump());
  }
  return out;
}

void expect_same_outcome(const fs::path& want, const fs::path& got) {
  for (const char* f :
       {"model.safetensors", "train_state/model.safetensors", "train_state/optimizer.safetensors"})
    EXPECT_TRUE(read_file(want / f) == read_file(got / f)) << f << " differs";
  EXPECT_EQ(metric_losses(want), metric_losses(got)) << "metrics.jsonl differs";
}

TEST(CrashSafety, SigkillAt30RandomMomentsThenResumeMatchesUninterrupted) {
  const TinyCorpus c = make_tiny_corpus("sigkill");
  // A state save after every step makes checkpoint writing a large share of the run.
  const std::string flags = "--epochs 12 --save-every 1";
  // The uninterrupted run, timed: until its first state exists (start-up) and in all.
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const int full_pid =
      spawn_cli(train_args(c, c.dir / "full", flags), c.dir / "out.txt", c.dir / "err.txt");
  while (!fs::exists(c.dir / "full" / "train_state") && ::waitpid(full_pid, nullptr, WNOHANG) == 0)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  const double startup_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  ASSERT_EQ(wait_cli(full_pid), 0) << read_file(c.dir / "err.txt");
  const double full_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

  const fs::path run = c.dir / "killed";
  const std::int64_t total_steps = 12 * 10;  // 160 examples / batch 16 per epoch
  Rng rng(20261125);
  // Kills land uniformly in [0, window). The window starts at start-up plus 1/30 of
  // the timed run and is then steered by the progress each kill allowed (towards 2
  // steps), so the kills spread over the run and never let it finish, however the
  // machine's load changes while the test runs.
  double window_ms = startup_ms + full_ms / 30;
  int killed = 0, with_state = 0, mid_save = 0;
  std::int64_t last_step = 0;
  for (int i = 0; i < 30; ++i) {
    const bool started = fs::exists(run / "config.json");
    const int pid = spawn_cli(train_args(c, run, started ? flags + " --resume" : flags),
                              c.dir / "out.txt", c.dir / "err.txt");
    const auto delay = std::chrono::duration<double, std::milli>(rng.uniform() * window_ms);
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    const int status = wait_cli(pid);
    ASSERT_TRUE(status == -SIGKILL || status == 0) << "run " << i << ": " << status << "\n"
                                                   << read_file(c.dir / "err.txt");
    killed += status == -SIGKILL;
    mid_save += fs::exists(run / "train_state.new") || fs::exists(run / "train_state.old");
    std::int64_t step = last_step;
    if (fs::exists(run / "train_state") || fs::exists(run / "train_state.old")) {
      ++with_state;
      // The state left behind loads exactly as --resume would load it.
      try {
        step = train::load_resumable_state(run).step;
      } catch (const Error& e) {
        ADD_FAILURE() << "after kill " << i << ": " << e.what();
      }
    }
    if (std::getenv("ATTN_TEST_VERBOSE"))
      std::printf("kill %d: %.1f of %.1f ms, status %d, step %lld\n", i, delay.count(), window_ms,
                  status, static_cast<long long>(step));
    const std::int64_t progress = step - last_step;
    last_step = step;
    // Steer towards total_steps / 60 steps per kill.
    const double target = static_cast<double>(total_steps) / 60;
    window_ms *=
        progress == 0 ? 1.25 : std::clamp(target / static_cast<double>(progress), 0.25, 1.25);
  }
  std::printf("kills: %d of 30 landed, %d left a state, %d during a state save\n", killed,
              with_state, mid_save);
  EXPECT_GE(killed, 25);
  EXPECT_GE(with_state, 8);
  const auto r = run_cli(train_args(c, run, flags + " --resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_outcome(c.dir / "full", run);
}

TEST(CrashSafety, KillBetweenTheTwoRenamesOfAStateSwapIsRepaired) {
  const TinyCorpus c = make_tiny_corpus("swap");
  const fs::path run = c.dir / "run";
  ASSERT_EQ(run_cli(train_args(c, run, "--max-steps 4")).exit_code, 0);
  // The moment after `train_state -> train_state.old`, with a half-written new state.
  fs::rename(run / "train_state", run / "train_state.old");
  fs::create_directories(run / "train_state.new");
  write_file(run / "train_state.new" / "model.safetensors", "partial");
  write_file(run / "metrics.jsonl.tmp.12345", "{");
  const train::TrainState s = train::load_resumable_state(run);
  EXPECT_EQ(s.step, 4);
  EXPECT_FALSE(fs::exists(run / "train_state.new"));
  EXPECT_FALSE(fs::exists(run / "train_state.old"));
  EXPECT_FALSE(fs::exists(run / "metrics.jsonl.tmp.12345"));
}

TEST(CrashSafety, ResumeOfARunKilledBeforeItsFirstSaveStartsIt) {
  const TinyCorpus c = make_tiny_corpus("nostate");
  ASSERT_EQ(run_cli(train_args(c, c.dir / "full", "")).exit_code, 0);
  const fs::path run = c.dir / "run";
  ASSERT_EQ(run_cli(train_args(c, run, "--max-steps 1")).exit_code, 0);
  fs::remove_all(run / "train_state");
  fs::remove(run / "metrics.jsonl");
  const auto r = run_cli(train_args(c, run, "--resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no saved state yet"), std::string::npos) << r.err;
  expect_same_outcome(c.dir / "full", run);
}

// SIGINT / SIGTERM: the state is saved, the exit code is 128 + signal, and the
// resumed run ends exactly where an uninterrupted one does.
void expect_graceful_stop(int sig, int want_exit) {
  const TinyCorpus c = make_tiny_corpus(fmt::format("signal{}", sig));
  const std::string flags = "--epochs 30";  // long enough that the signal lands mid-run
  ASSERT_EQ(run_cli(train_args(c, c.dir / "full", flags)).exit_code, 0);
  const fs::path run = c.dir / "run";
  const int pid = spawn_cli(train_args(c, run, flags), c.dir / "out.txt", c.dir / "err.txt");
  // Wait until training is under way (the first state exists), then signal.
  for (int i = 0; i < 400 && !fs::exists(run / "train_state" / "state.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(pid, sig);
  const int status = wait_cli(pid);
  const std::string out = read_file(c.dir / "out.txt");
  ASSERT_EQ(status, want_exit) << read_file(c.dir / "err.txt");
  EXPECT_NE(out.find("interrupted by signal"), std::string::npos) << out;
  const train::TrainState s = train::load_resumable_state(run);
  EXPECT_GT(s.step, 0);
  const auto r = run_cli(train_args(c, run, flags + " --resume"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_outcome(c.dir / "full", run);
}

TEST(Signals, SigintSavesTheStateAndExits130) { expect_graceful_stop(SIGINT, 130); }
TEST(Signals, SigtermSavesTheStateAndExits143) { expect_graceful_stop(SIGTERM, 143); }

}  // namespace
}  // namespace attn::test
