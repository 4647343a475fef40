// The encoder-decoder commands end to end on the toy spelling task ("abc" -> "A B C"):
// attn train (model.type seq2seq), translate, g2p, evaluate, summary and viz, and their
// errors on bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

// The toy task's files, and one trained run (500 steps, about 2 s on one thread, 20 s
// under ASan) shared by the tests below and by their processes.
const Seq2SeqCliData& toy() {
  static const Seq2SeqCliData d = make_seq2seq_cli_data("s2s_cli", 500, 250);
  return d;
}

fs::path toy_run() {
  static const fs::path run = [] {
    const Seq2SeqCliData& data = toy();
    const std::string key = read_file(data.config) + read_file(data.train) + read_file(data.valid);
    return shared_cli_output(
               "s2s_cli", key,
               [&](const fs::path& dir) {
                 const auto r =
                     run_cli(fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' "
                                         "--threads 1",
                                         data.config.string(), data.train.string(),
                                         data.valid.string(), (dir / "run").string()));
                 EXPECT_EQ(r.exit_code, 0) << r.err;
                 EXPECT_NE(r.out.find("finished at step 500"), std::string::npos) << r.out;
                 return r.exit_code == 0;
               }) /
           "run";
  }();
  return run;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Seq2SeqCli, EvaluateScoresTheValidationSet) {
  const auto r = run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}' --json --threads 1",
                                     toy_run().string(), toy().valid.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["pairs"], 60);
  EXPECT_EQ(j["beam"], 2);  // the config's decoding.beam
  // A uniform guess would miss every word; 500 steps spell most of them right.
  EXPECT_LT(j["wer"].get<double>(), 30.0) << r.out;
  EXPECT_LT(j["per"].get<double>(), 10.0) << r.out;
  EXPECT_LT(j["loss"].get<double>(), 0.5) << r.out;
}

// translate reads the TSV's source column; its output is evaluate's hypotheses, in order.
TEST(Seq2SeqCli, TranslateWritesOneLinePerInputInOrder) {
  const fs::path hyp = toy().dir / "hyp.txt";
  const auto ev = run_cli(
      fmt::format("evaluate --checkpoint '{}' --data '{}' --beam 1 --hypotheses '{}' --threads 1",
                  toy_run().string(), toy().valid.string(), hyp.string()));
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto tr = run_cli(fmt::format("translate --checkpoint '{}' --input '{}' --beam 1",
                                      toy_run().string(), toy().valid.string()));
  ASSERT_EQ(tr.exit_code, 0) << tr.err;
  auto translated = lines_of(tr.out);
  auto evaluated = lines_of(read_file(hyp));
  // The validation set repeats one source; evaluate scores each distinct source once.
  ASSERT_EQ(translated.size(), 60u);
  ASSERT_EQ(evaluated.size(), 59u);
  std::size_t matches = 0;
  for (std::size_t i = 0; i < evaluated.size(); ++i)
    matches += std::find(translated.begin(), translated.end(), evaluated[i]) != translated.end();
  EXPECT_EQ(matches, evaluated.size());
  EXPECT_EQ(lines_of(run_cli(fmt::format("translate --checkpoint '{}' --input '{}' --beam 1",
                                         toy_run().string(), toy().valid.string()))
                         .out),
            translated);  // deterministic
}

TEST(Seq2SeqCli, G2pLowercasesWordsAndNbestRanksHypotheses) {
  const fs::path in = toy().dir / "words.txt";
  write_file(in, "bad\nBAD\n");
  const auto g = run_cli(fmt::format("g2p --checkpoint '{}' --input '{}' --threads 1",
                                     toy_run().string(), in.string()));
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const auto out = lines_of(g.out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], out[1]);
  EXPECT_EQ(out[0], "B A D");

  const auto n = run_cli(fmt::format("translate --checkpoint '{}' --input '{}' --beam 3 --nbest 3",
                                     toy_run().string(), in.string()));
  ASSERT_EQ(n.exit_code, 0) << n.err;
  const auto rows = lines_of(n.out);
  ASSERT_EQ(rows.size(), 6u) << n.out;  // "BAD" is not lower-cased by translate: unknown chars
  double last = 1.0;
  for (std::size_t k = 0; k < 3; ++k) {
    std::istringstream row(rows[k]);
    std::string index, rank, score;
    std::getline(row, index, '\t');
    std::getline(row, rank, '\t');
    std::getline(row, score, '\t');
    EXPECT_EQ(index, "1");
    EXPECT_EQ(rank, std::to_string(k + 1));
    EXPECT_LE(std::stod(score), last);
    last = std::stod(score);
  }
}

TEST(Seq2SeqCli, SummaryAndVizWork) {
  const auto s = run_cli(fmt::format("summary --checkpoint '{}'", toy_run().string()));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("decoder.layers.0 (TransformerDecoderLayer)"), std::string::npos) << s.out;
  const fs::path html = toy().dir / "viz.html";
  const fs::path png = toy().dir / "png";
  const auto v =
      run_cli(fmt::format("viz --checkpoint '{}' --text 'head' --out '{}' --png '{}' --threads 1",
                          toy_run().string(), html.string(), png.string()));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  // 1 encoder layer + 1 decoder layer (self and cross), 2 heads each; "head</s>" and
  // "<s>H E A D": 5 + 5 tokens.
  EXPECT_NE(v.out.find("(6 heads, 10 tokens)"), std::string::npos) << v.out;
  EXPECT_NE(read_file(html).find("cross"), std::string::npos);
  // One PNG per map and head, none overwriting another, plus the overview.
  EXPECT_NE(v.out.find("wrote 7 PNGs"), std::string::npos) << v.out;
  for (const char* f : {"layer0_encoder_self_head1.png", "layer0_decoder_self_head0.png",
                        "layer0_cross_head1.png", "overview.png"})
    EXPECT_TRUE(fs::exists(png / f)) << f;
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(png)) ++files;
  EXPECT_EQ(files, 7u);
}

// model.max_len is 16: a longer source is read as its first 15 tokens + EOS, as in training.
TEST(Seq2SeqCli, LongSourceIsCutLikeInTraining) {
  const fs::path in = toy().dir / "long.txt";
  write_file(in, std::string(40, 'a') + "\nbad\n");
  const auto r = run_cli(fmt::format("translate --checkpoint '{}' --input '{}' --beam 2",
                                     toy_run().string(), in.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
}

TEST(Seq2SeqCli, EmptyInputLineNamesTheLine) {
  const fs::path in = toy().dir / "empty_line.txt";
  write_file(in, "abc\n\nbad\n");
  const auto r = run_cli(
      fmt::format("translate --checkpoint '{}' --input '{}'", toy_run().string(), in.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty_line.txt:2"), std::string::npos) << r.err;
}

TEST(Seq2SeqCli, NbestAboveBeamIsAnError) {
  const auto r = run_cli(fmt::format("translate --checkpoint '{}' --input '{}' --beam 2 --nbest 3",
                                     toy_run().string(), toy().valid.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--nbest 3 exceeds the beam size 2"), std::string::npos) << r.err;
}

TEST(Seq2SeqCli, TranslateRefusesAnotherKindOfRun) {
  const TinyCorpus c = make_tiny_corpus("s2s_cli_classifier");
  const auto r = run_cli(
      fmt::format("translate --checkpoint '{}' --input '{}'", c.dir.string(), c.train.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not an encoder-decoder run"), std::string::npos) << r.err;
}

TEST(Seq2SeqCli, MissingInputFileIsNamed) {
  const auto r = run_cli(fmt::format("translate --checkpoint '{}' --input '{}'", toy_run().string(),
                                     (toy().dir / "nope.txt").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.txt: cannot open"), std::string::npos) << r.err;
}

TEST(Seq2SeqCli, TrainTargetOnAClassifierIsAnError) {
  const TinyCorpus c = make_tiny_corpus("s2s_cli_target");
  const auto r = run_cli(train_args(c, c.dir / "run", "--train-target " + c.train.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("encoder-decoder runs only"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test
