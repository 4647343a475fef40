// One test per bad input to the CLI: exit code 2, one "attn: error:" line that
// names the file and the line/offset or key, and nothing half-written.
#include <sys/stat.h>

#include <fstream>
#include <limits>

#include "attn/io/safetensors.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

CliResult train_with(const TinyCorpus&, const fs::path& train, const fs::path& valid,
                     const fs::path& config, const fs::path& out) {
  return run_cli(fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 1",
                             config.string(), train.string(), valid.string(), out.string()));
}

void expect_error(const CliResult& r, const std::vector<std::string>& needles) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("attn: error: ", 0), 0u) << r.err;
  for (const auto& n : needles)
    EXPECT_NE(r.err.find(n), std::string::npos) << "want " << n << " in: " << r.err;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { c = make_tiny_corpus("bad"); }
  CliResult train_data(const fs::path& train) {
    return train_with(c, train, c.valid, c.config, c.dir / "run");
  }
  CliResult train_config(const std::string& json) {
    const auto cfg = c.dir / "bad_config.json";
    write_file(cfg, json);
    return train_with(c, c.train, c.valid, cfg, c.dir / "run");
  }
  TinyCorpus c;
};

TEST_F(BadInput, MissingFile) {
  expect_error(train_data(c.dir / "nope.jsonl"), {"nope.jsonl"});
  EXPECT_FALSE(fs::exists(c.dir / "run/config.json"));
}

TEST_F(BadInput, EmptyFile) {
  write_file(c.dir / "empty.jsonl", "");
  expect_error(train_data(c.dir / "empty.jsonl"), {"empty.jsonl"});
}

TEST_F(BadInput, UnreadableFile) {
  // A directory where a file is expected cannot be read as one (tests run as root,
  // so permission bits alone would not stop the read).
  fs::create_directories(c.dir / "dir.jsonl");
  const auto r = train_data(c.dir / "dir.jsonl");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("dir.jsonl"), std::string::npos) << r.err;
}

TEST_F(BadInput, MalformedJsonlLine) {
  write_file(
      c.dir / "bad.jsonl",
      "{\"text\": \"a\", \"label\": \"spam\"}\n{\"text\": \"b\", \"label\": \"ham\"}\n{oops\n");
  expect_error(train_data(c.dir / "bad.jsonl"), {"bad.jsonl:3"});
}

TEST_F(BadInput, UnknownLabelInValidation) {
  write_file(c.dir / "valid2.jsonl",
             "{\"text\": \"a\", \"label\": \"spam\"}\n"
             "{\"text\": \"b\", \"label\": \"eggs\"}\n");
  const auto r = train_with(c, c.train, c.dir / "valid2.jsonl", c.config, c.dir / "run");
  expect_error(r, {"valid2.jsonl:2", "eggs"});
}

TEST_F(BadInput, InvalidUtf8IsReplacedAndCountedWithAWarning) {
  std::string data = read_file(c.train);
  data += "{\"text\": \"caf\xE9 ok\", \"label\": \"ham\"}\n";
  write_file(c.dir / "latin1.jsonl", data);
  const auto r = train_with(c, c.dir / "latin1.jsonl", c.valid, c.config, c.dir / "run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("latin1.jsonl"), std::string::npos) << r.err;
}

TEST_F(BadInput, ConfigUnknownKey) {
  expect_error(train_config(R"({"model": {"d_modell": 16}})"),
               {"bad_config.json", "d_modell", "d_model"});
}

TEST_F(BadInput, ConfigWrongType) {
  expect_error(train_config(R"({"model": {"d_model": "big"}})"), {"bad_config.json", "d_model"});
}

TEST_F(BadInput, ConfigNegativeSize) {
  expect_error(train_config(R"({"model": {"num_heads": -2}})"), {"bad_config.json", "num_heads"});
}

TEST_F(BadInput, ConfigSyntaxError) {
  expect_error(train_config("{\n  \"model\": {\n    \"d_model\": 16,,\n  }\n}"),
               {"bad_config.json:3"});
}

class BadCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    c = make_tiny_corpus("badckpt");
    run = c.dir / "run";
    const auto r = run_cli(fmt::format(
        "train --config '{}' --train '{}' --valid '{}' --out '{}' --epochs 1 --threads 1",
        c.config.string(), c.train.string(), c.valid.string(), run.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    weights = read_file(run / "model.safetensors");
  }
  CliResult evaluate() {
    return run_cli(
        fmt::format("evaluate --checkpoint '{}' --data '{}'", run.string(), c.test.string()));
  }
  void corrupt(const std::string& bytes) { write_file(run / "model.safetensors", bytes); }
  TinyCorpus c;
  fs::path run;
  std::string weights;
};

TEST_F(BadCheckpoint, TruncatedSafetensors) {
  corrupt(weights.substr(0, weights.size() / 2));
  expect_error(evaluate(), {"model.safetensors"});
}

TEST_F(BadCheckpoint, HeaderSizePastEnd) {
  std::string w = weights;
  w[5] = '\x7f';  // header length becomes enormous
  corrupt(w);
  expect_error(evaluate(), {"model.safetensors", "header"});
}

TEST_F(BadCheckpoint, WrongDtype) {
  std::string w = weights;
  const auto pos = w.find("\"F32\"");
  ASSERT_NE(pos, std::string::npos);
  w.replace(pos, 5, "\"I32\"");
  corrupt(w);
  expect_error(evaluate(), {"model.safetensors"});
}

TEST_F(BadCheckpoint, OverlappingOffsets) {
  std::string w = weights;
  // Point the second tensor's offsets at the first one's bytes.
  const auto first = w.find("\"data_offsets\":[0,");
  ASSERT_NE(first, std::string::npos) << w.substr(0, 200);
  const auto second = w.find("\"data_offsets\":[", first + 10);
  ASSERT_NE(second, std::string::npos);
  const auto open = second + 16;
  w[open] = '0';
  w.replace(open + 1, w.find(',', open) - open - 1, std::string(w.find(',', open) - open - 1, ' '));
  corrupt(w);
  expect_error(evaluate(), {"model.safetensors"});
}

TEST_F(BadCheckpoint, ShapesDoNotMatchConfig) {
  // Same checkpoint, config edited to a different d_model.
  std::string cfg = read_file(run / "config.json");
  const auto pos = cfg.find("\"d_model\": 16");
  ASSERT_NE(pos, std::string::npos) << cfg;
  cfg.replace(pos, 13, "\"d_model\": 32");
  write_file(run / "config.json", cfg);
  expect_error(evaluate(), {"model.safetensors", "shape"});
}

TEST_F(BadCheckpoint, NonFiniteWeight) {
  SafetensorsData data = load_safetensors(run / "model.safetensors");
  data.tensors.at("head.weight").data()[3] = std::numeric_limits<float>::quiet_NaN();
  save_safetensors(run / "model.safetensors", data.tensors, data.metadata);
  expect_error(evaluate(), {"model.safetensors", "head.weight", "non-finite", "index 3"});
}

TEST_F(BadCheckpoint, NotACheckpointDirectory) {
  expect_error(run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}'", c.dir.string(),
                                   c.test.string())),
               {"config.json"});
}

TEST(BadOutput, OutputDirectoryCannotBeWritten) {
  const TinyCorpus c = make_tiny_corpus("badout");
  write_file(c.dir / "plainfile", "x");
  const auto r = train_with(c, c.train, c.valid, c.config, c.dir / "plainfile/run");
  expect_error(r, {"plainfile"});
}

}  // namespace
}  // namespace attn::test
