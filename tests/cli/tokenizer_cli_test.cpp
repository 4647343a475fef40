// `attn tokenizer train` / `attn tokenizer check` end to end, a decoder LM
// trained with the result via a {"type": "sentencepiece"} tokenizer section,
// then evaluated and sampled from its self-contained run directory; one test
// per bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "attn/data/tokenizer.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

// Lines of varied words with accents, an em dash, emoji and double spaces.
std::string cli_corpus(int lines, int offset) {
  const std::vector<std::string> words = {"in",    "the",   "beginning", "was",  "word",
                                          "light", "café",  "—",         "😀",    "and",
                                          "river", "stone", "night",     "über", "shall"};
  std::string text;
  for (int i = 0; i < lines; ++i) {
    const int n = 4 + (i * 7 + offset) % 6;
    for (int w = 0; w < n; ++w) {
      if (w > 0) text += (i + w) % 9 == 0 ? "  " : " ";
      text += words[static_cast<std::size_t>((i * 13 + w * 5 + offset) % 15)];
    }
    text += "\n";
  }
  return text;
}

struct TokCliData {
  fs::path dir, a, b;
};

TokCliData make_data(const std::string& tag) {
  TokCliData d;
  d.dir = make_temp_dir(tag);
  d.a = d.dir / "a.txt";
  d.b = d.dir / "b.txt";
  write_file(d.a, cli_corpus(120, 0));
  write_file(d.b, cli_corpus(60, 3));
  return d;
}

std::string train_args(const TokCliData& d, const fs::path& out, const std::string& extra) {
  return fmt::format("tokenizer train --input '{}' --input '{}' --out '{}' --threads 1 {}",
                     d.a.string(), d.b.string(), out.string(), extra);
}

TEST(TokenizerCli, TrainWritesTheFolderAndASummary) {
  const TokCliData d = make_data("tok_cli_train");
  const fs::path out = d.dir / "tok";
  const auto r = run_cli(train_args(d, out, "--vocab-size 300 --model-type bpe"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("bpe tokenizer: 300 pieces"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chars/token"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("round trip exact"), std::string::npos) << r.out;
  for (const char* f : {"tokenizer.json", "tokenizer.model", "tokenizer.vocab"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const std::string vocab = read_file(out / "tokenizer.vocab");
  EXPECT_EQ(std::count(vocab.begin(), vocab.end(), '\n'), 300);
  EXPECT_EQ(vocab.substr(0, 6), "<pad>\t");
  EXPECT_NE(vocab.find("\n\\n\t"), std::string::npos);  // the "\n" piece, escaped

  const auto tok = Tokenizer::from_json(nlohmann::json::parse(read_file(out / "tokenizer.json")));
  EXPECT_EQ(tok->vocab_size(), 300);
  const std::string text = read_file(d.a) + read_file(d.b);
  EXPECT_EQ(tok->decode(tok->encode(text)), text);

  const auto check = run_cli(
      fmt::format("tokenizer check --tokenizer '{}' --input '{}'", out.string(), d.b.string()));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("round trip exact"), std::string::npos) << check.out;
}

TEST(TokenizerCli, UnigramAndCharModels) {
  const TokCliData d = make_data("tok_cli_types");
  for (const char* type : {"unigram", "char"}) {
    const auto r =
        run_cli(train_args(d, d.dir / type, fmt::format("--vocab-size 285 --model-type {}", type)));
    ASSERT_EQ(r.exit_code, 0) << type << r.err;
    EXPECT_NE(r.out.find(fmt::format("{} tokenizer:", type)), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("round trip exact"), std::string::npos) << r.out;
  }
}

// A decoder LM config whose tokenizer section points at `model` (as written).
fs::path write_lm_config(const fs::path& dir, const std::string& model, int vocab_size) {
  const nlohmann::json cfg{
      {"name", "tiny_bpe_lm"},
      {"tokenizer", {{"type", "sentencepiece"}, {"model", model}}},
      {"model",
       {{"type", "decoder_lm"},
        {"vocab_size", vocab_size},
        {"block_size", 16},
        {"d_model", 16},
        {"num_layers", 1},
        {"num_heads", 2}}},
      {"training", {{"batch_size", 4}, {"max_steps", 3}, {"warmup_steps", 1}, {"eval_every", 3}}}};
  const fs::path file = dir / "lm.json";
  write_file(file, cfg.dump(2));
  return file;
}

std::string lm_train_args(const TokCliData& d, const fs::path& config, const fs::path& run) {
  return fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 1",
                     config.string(), d.a.string(), d.b.string(), run.string());
}

TEST(TokenizerCli, LanguageModelTrainsEvaluatesAndGeneratesWithIt) {
  const TokCliData d = make_data("tok_cli_lm");
  const auto tr = run_cli(train_args(d, d.dir / "tok", "--vocab-size 300 --model-type bpe"));
  ASSERT_EQ(tr.exit_code, 0) << tr.err;
  const fs::path run = d.dir / "run";
  // The model path is relative to the config file's folder.
  const auto r = run_cli(lm_train_args(d, write_lm_config(d.dir, "tok", 320), run));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("finished at step 3"), std::string::npos) << r.out;
  // val_bpc is per character: a BPE token spans several.
  const auto metrics = nlohmann::json::parse(read_file(run / "metrics.jsonl"));
  EXPECT_LT(metrics["val_bpc"].get<double>() * 1.5,
            metrics["val_loss"].get<double>() / std::log(2.0));

  const auto saved = nlohmann::json::parse(read_file(run / "tokenizer.json"));
  EXPECT_EQ(saved["type"], "sentencepiece");
  EXPECT_EQ(saved["vocab_size"], 300);
  EXPECT_TRUE(saved["model_proto"].is_string());
  const auto config = nlohmann::json::parse(read_file(run / "config.json"));
  EXPECT_EQ(config["tokenizer"]["type"], "sentencepiece");
  EXPECT_EQ(fs::path(config["tokenizer"]["model"].get<std::string>()), d.dir / "tok");

  // The run needs nothing outside itself.
  fs::remove_all(d.dir / "tok");
  const auto ev = run_cli(fmt::format("evaluate --checkpoint '{}' --data '{}' --json --threads 1",
                                      run.string(), d.b.string()));
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const auto j = nlohmann::json::parse(ev.out);
  const auto tok = Tokenizer::from_json(saved);
  const std::string valid = read_file(d.b);
  EXPECT_EQ(j["tokens"], tok->encode(valid).size());
  EXPECT_LT(j["tokens"].get<std::int64_t>(), j["characters"].get<std::int64_t>());
  EXPECT_EQ(j["unknown"], 0);
  EXPECT_GT(j["bits_per_char"].get<double>(), 0.0);

  const auto gen = run_cli(fmt::format(
      "generate --checkpoint '{}' --prompt 'in the' --max-new-tokens 8 --seed 3 --threads 1",
      run.string()));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_EQ(gen.out.rfind("in the", 0), 0u) << gen.out;
  EXPECT_GT(gen.out.size(), std::string("in the\n").size()) << gen.out;
}

// --- bad input, one test each ---------------------------------------------

TEST(TokenizerCliBadInput, MissingInputFileIsNamed) {
  const TokCliData d = make_data("tok_cli_missing");
  const auto r =
      run_cli(fmt::format("tokenizer train --input '{}' --input '{}' --vocab-size 300 --out '{}'",
                          d.a.string(), (d.dir / "nope.txt").string(), (d.dir / "tok").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.txt: no such input file"), std::string::npos) << r.err;
}

TEST(TokenizerCliBadInput, UnreadableInputIsNamed) {
  const TokCliData d = make_data("tok_cli_unreadable");
  // A folder where a file is expected cannot be read as text, even by root.
  const auto r = run_cli(fmt::format("tokenizer train --input '{}' --vocab-size 300 --out '{}'",
                                     d.dir.string(), (d.dir / "tok").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(d.dir.string() + ": is a folder, expected a text file"), std::string::npos)
      << r.err;
}

TEST(TokenizerCliBadInput, VocabularyTooSmallForTheCharacters) {
  const TokCliData d = make_data("tok_cli_small");
  const auto r = run_cli(train_args(d, d.dir / "tok", "--vocab-size 262"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("attn: error: sentencepiece: training a bpe model with 262 pieces"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Increase vocab_size"), std::string::npos) << r.err;
}

TEST(TokenizerCliBadInput, VocabularyTooLargeForTheText) {
  const TokCliData d = make_data("tok_cli_large");
  const auto r = run_cli(train_args(d, d.dir / "tok", "--vocab-size 50000 --model-type bpe"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("Vocabulary size too high (50000)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d.dir / "tok" / "tokenizer.json"));
}

TEST(TokenizerCliBadInput, UnknownModelType) {
  const TokCliData d = make_data("tok_cli_type");
  const auto r = run_cli(train_args(d, d.dir / "tok", "--vocab-size 300 --model-type word"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--model-type"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("word"), std::string::npos) << r.err;
}

TEST(TokenizerCliBadInput, CorruptModelProtoInTokenizerJson) {
  const TokCliData d = make_data("tok_cli_corrupt");
  const fs::path out = d.dir / "tok";
  ASSERT_EQ(run_cli(train_args(d, out, "--vocab-size 300")).exit_code, 0);
  auto j = nlohmann::json::parse(read_file(out / "tokenizer.json"));
  std::string proto = j["model_proto"];
  proto.resize(proto.size() / 2);  // a truncated model: still base64
  j["model_proto"] = proto.substr(0, proto.size() / 4 * 4);
  write_file(out / "tokenizer.json", j.dump());
  const auto r = run_cli(
      fmt::format("tokenizer check --tokenizer '{}' --input '{}'", out.string(), d.a.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tokenizer.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a valid SentencePiece model"), std::string::npos) << r.err;
}

TEST(TokenizerCliBadInput, ConfigNamesAMissingTokenizer) {
  const TokCliData d = make_data("tok_cli_nomodel");
  const fs::path config = write_lm_config(d.dir, "no_such_tok", 320);
  const auto r = run_cli(lm_train_args(d, config, d.dir / "run"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lm.json: tokenizer.model"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((d.dir / "no_such_tok").string() + " does not exist"), std::string::npos)
      << r.err;
}

TEST(TokenizerCliBadInput, ModelVocabularySmallerThanTheTokenizer) {
  const TokCliData d = make_data("tok_cli_vocab");
  ASSERT_EQ(run_cli(train_args(d, d.dir / "tok", "--vocab-size 300")).exit_code, 0);
  const fs::path config = write_lm_config(d.dir, (d.dir / "tok").string(), 299);
  const auto r = run_cli(lm_train_args(d, config, d.dir / "run"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has 300 pieces but model.vocab_size is 299"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace attn::test
