// The whole-corpus round trip on real data: the King James Bible (Debian's
// bible-kjv, fetched by `attn data fetch kjv`), an 8000-piece BPE trained on
// train.txt by `attn tokenizer train`, and decode(encode(x)) == x on
// train.txt + valid.txt + test.txt, by `attn tokenizer check` and in process;
// and examples/kjv_bpe_lm.json trains with a 4000-piece BPE.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "attn/data/tokenizer.h"
#include "test_util.h"

namespace attn::test {
namespace {

namespace fs = std::filesystem;

TEST(KjvTokenizer, Bpe8000RoundTripsTheWholeCorpus) {
  const fs::path dir = make_temp_dir("kjv_bpe");
  const fs::path kjv = dir / "kjv", tok_dir = dir / "tok";
  const auto fetch = run_cli(fmt::format("data fetch kjv --out '{}'", kjv.string()));
  ASSERT_EQ(fetch.exit_code, 0) << fetch.err;

  const auto start = std::chrono::steady_clock::now();
  const auto train =
      run_cli(fmt::format("tokenizer train --input '{}' --vocab-size 8000 --model-type bpe "
                          "--out '{}' --threads 2",
                          (kjv / "train.txt").string(), tok_dir.string()));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(train.exit_code, 0) << train.err;
  std::cout << train.out << "attn tokenizer train (incl. encoding the input twice): " << seconds
            << " s\n";
  EXPECT_NE(train.out.find("bpe tokenizer: 8000 pieces"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("round trip exact"), std::string::npos) << train.out;
  EXPECT_LT(seconds, 60.0);

  const auto check = run_cli(fmt::format(
      "tokenizer check --tokenizer '{}' --input '{}' --input '{}' --input '{}'", tok_dir.string(),
      (kjv / "train.txt").string(), (kjv / "valid.txt").string(), (kjv / "test.txt").string()));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  std::cout << check.out;
  std::size_t exact = 0;
  for (std::size_t at = 0; (at = check.out.find("round trip exact", at)) != std::string::npos; ++at)
    ++exact;
  EXPECT_EQ(exact, 3u) << check.out;

  const auto tok =
      Tokenizer::from_json(nlohmann::json::parse(read_file(tok_dir / "tokenizer.json")));
  const std::string whole =
      read_file(kjv / "train.txt") + read_file(kjv / "valid.txt") + read_file(kjv / "test.txt");
  const std::vector<std::int32_t> ids = tok->encode(whole);
  ASSERT_EQ(tok->decode(ids), whole);
  // English prose at 8000 pieces: well over 3 characters per token (all ASCII here).
  EXPECT_GT(static_cast<double>(whole.size()) / static_cast<double>(ids.size()), 3.5);
  fs::remove_all(dir);
}

TEST(KjvTokenizer, BpeExampleConfigTrains) {
  // examples/kjv_bpe_lm.json names its tokenizer "../data/kjv_bpe": the same layout here.
  const fs::path root = make_temp_dir("kjv_bpe_example");
  fs::create_directories(root / "examples");
  fs::copy_file(source_dir() / "examples" / "kjv_bpe_lm.json",
                root / "examples" / "kjv_bpe_lm.json");
  const fs::path kjv = root / "data" / "kjv";
  ASSERT_EQ(run_cli(fmt::format("data fetch kjv --out '{}'", kjv.string())).exit_code, 0);
  const auto tok = run_cli(
      fmt::format("tokenizer train --input '{}' --vocab-size 4000 --model-type bpe --out '{}'",
                  (kjv / "train.txt").string(), (root / "data" / "kjv_bpe").string()));
  ASSERT_EQ(tok.exit_code, 0) << tok.err;
  const auto r = run_cli(fmt::format(
      "train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 2 --max-steps 2",
      (root / "examples" / "kjv_bpe_lm.json").string(), (kjv / "train.txt").string(),
      (kjv / "valid.txt").string(), (root / "run").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("stopped at step 2"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("vocabulary 4000"), std::string::npos) << r.err;
  const auto saved = nlohmann::json::parse(read_file(root / "run" / "tokenizer.json"));
  EXPECT_EQ(saved["type"], "sentencepiece");
  fs::remove_all(root);
}

}  // namespace
}  // namespace attn::test
