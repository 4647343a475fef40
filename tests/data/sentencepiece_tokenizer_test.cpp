// SentencePiece tokenizers (BPE, unigram, char) trained in memory on a
// generated corpus: exact round trips (every line, the whole text, unseen
// characters, long lines), the id contract, JSON round trip, determinism, and
// one test per bad input (options, SentencePiece's own errors, damaged JSON,
// models that break the contract).
#include "attn/data/sentencepiece_tokenizer.h"

#include <gtest/gtest.h>
#include <sentencepiece_trainer.h>

#include <map>
#include <sstream>

#include "attn/core/rng.h"
#include "attn/data/base64.h"
#include "attn/data/sentencepiece_trainer.h"
#include "test_util.h"

namespace attn {
namespace {

using test::error_of;

// ~300 lines from word lists, seeded: accents, an em dash, emoji, tabs,
// leading / trailing / double spaces, empty lines, and a last line without "\n".
std::string make_corpus() {
  const std::vector<std::string> words = {
      "the",   "light", "of",    "day",  "café",   "naïve", "über",  "façade", "and",
      "river", "stone", "—",     "😀",    "garden", "night", "shall", "be",     "unto",
      "them",  "Ωmega", "voilà", "rôle", "coöp",   "1987",  "42",    "north",  "wind"};
  Rng rng(7);
  std::string text;
  for (int line = 0; line < 300; ++line) {
    const int n = 3 + static_cast<int>(rng.next_u64() % 9);
    if (line % 17 == 0) text += "  ";  // leading spaces
    for (int w = 0; w < n; ++w) {
      if (w > 0)
        text += (rng.next_u64() % 11 == 0) ? "  " : (rng.next_u64() % 13 == 0 ? "\t" : " ");
      text += words[rng.next_u64() % words.size()];
    }
    if (line % 7 == 0) text += ".";
    if (line % 19 == 0) text += " ";  // trailing space
    text += "\n";
    if (line % 23 == 0) text += "\n";  // empty line
  }
  return text + "last line without a newline";
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

SentencePieceTrainOptions options(const std::string& type, int vocab) {
  SentencePieceTrainOptions o;
  o.model_type = type;
  o.vocab_size = vocab;
  o.threads = 1;
  return o;
}

// Trained once per model type and shared by the tests below.
const SentencePieceTokenizer& trained(const std::string& type) {
  static std::map<std::string, SentencePieceTokenizer> cache;
  auto it = cache.find(type);
  if (it == cache.end())
    it = cache.emplace(type, train_sentencepiece({make_corpus()}, options(type, 330))).first;
  return it->second;
}

class SentencePieceModel : public ::testing::TestWithParam<std::string> {};

TEST_P(SentencePieceModel, RoundTripsEveryLineAndTheWholeText) {
  const SentencePieceTokenizer& tok = trained(GetParam());
  const std::string corpus = make_corpus();
  for (const std::string& line : split_lines(corpus))
    ASSERT_EQ(tok.decode(tok.encode(line)), line) << GetParam();
  const std::vector<std::int32_t> ids = tok.encode(corpus);
  EXPECT_EQ(tok.decode(ids), corpus);
  // Subwords: fewer tokens than characters (the char model has one per character).
  EXPECT_LT(ids.size(), corpus.size());
}

TEST_P(SentencePieceModel, UnseenCharactersRoundTripThroughBytes) {
  const SentencePieceTokenizer& tok = trained(GetParam());
  // CJK, a combining accent, a literal "▁" (SentencePiece's space symbol),
  // NUL, CR LF, and lone spaces around newlines.
  const std::string text = std::string(
      "漢字 e\xCC\x81 a\xE2\x96\x81"
      "b \xE2\x96\x81\n x\0y\r\n \n",
      24);
  const std::vector<std::int32_t> ids = tok.encode(text);
  EXPECT_EQ(tok.decode(ids), text);
  std::int64_t bytes = 0;
  for (std::int32_t id : ids) bytes += tok.is_byte(id) ? 1 : 0;
  EXPECT_GE(bytes, 6 + 2 + 6);  // 漢字, the combining accent, two "▁"
}

TEST_P(SentencePieceModel, IdContract) {
  const SentencePieceTokenizer& tok = trained(GetParam());
  EXPECT_EQ(tok.token(0), "<pad>");
  EXPECT_EQ(tok.token(1), "<unk>");
  EXPECT_EQ(tok.token(2), "\n");
  EXPECT_EQ(tok.token(3), "<0x00>");
  EXPECT_TRUE(tok.is_byte(3));
  EXPECT_EQ(tok.token(258), "<0xFF>");
  EXPECT_EQ(tok.encode("\n"), (std::vector<std::int32_t>{2}));
  EXPECT_EQ(tok.model_type(), GetParam());
  for (std::int32_t id : tok.encode(make_corpus())) {
    ASSERT_GE(id, 2);  // never padding, never unknown (byte fallback)
    ASSERT_LT(id, tok.vocab_size());
  }
  // Padding decodes to nothing; out-of-range ids are errors.
  const std::vector<std::int32_t> the = tok.encode("the");
  std::vector<std::int32_t> padded = {0};
  padded.insert(padded.end(), the.begin(), the.end());
  padded.push_back(0);
  EXPECT_EQ(tok.decode(padded), "the");
  EXPECT_THROW(tok.decode({tok.vocab_size()}), Error);
  EXPECT_THROW(tok.decode({-1}), Error);
  EXPECT_THROW(tok.token(tok.vocab_size()), Error);
}

TEST_P(SentencePieceModel, JsonRoundTripGivesIdenticalIds) {
  const SentencePieceTokenizer& tok = trained(GetParam());
  const nlohmann::json j = tok.to_json();
  EXPECT_EQ(j["type"], "sentencepiece");
  EXPECT_EQ(j["vocab_size"], tok.vocab_size());
  // Through text, as a checkpoint stores it, and through the generic factory.
  const auto back = Tokenizer::from_json(nlohmann::json::parse(j.dump()));
  const std::string corpus = make_corpus();
  EXPECT_EQ(back->encode(corpus), tok.encode(corpus));
  EXPECT_EQ(back->vocab_size(), tok.vocab_size());
  EXPECT_EQ(back->to_json(), j);
  for (std::int32_t id = 0; id < tok.vocab_size(); ++id) ASSERT_EQ(back->token(id), tok.token(id));
}

INSTANTIATE_TEST_SUITE_P(Types, SentencePieceModel, ::testing::Values("bpe", "unigram", "char"));

TEST(SentencePieceTrain, BpeAndUnigramHaveTheRequestedSize) {
  EXPECT_EQ(trained("bpe").vocab_size(), 330);
  EXPECT_EQ(trained("unigram").vocab_size(), 330);
  // char: the fixed pieces plus one per distinct character, fewer than asked.
  EXPECT_LT(trained("char").vocab_size(), 330);
  EXPECT_GT(trained("char").vocab_size(), kSentencePieceFixedPieces);
}

TEST(SentencePieceTrain, IsDeterministic) {
  const auto a = train_sentencepiece({make_corpus()}, options("unigram", 350));
  const auto b = train_sentencepiece({make_corpus()}, options("unigram", 350));
  EXPECT_EQ(a.model_proto(), b.model_proto());
  const auto c = train_sentencepiece({make_corpus()}, options("bpe", 350));
  const auto d = train_sentencepiece({make_corpus()}, options("bpe", 350));
  EXPECT_EQ(c.model_proto(), d.model_proto());
}

TEST(SentencePieceTrain, MaxSentencesSubsamplesTheInput) {
  SentencePieceTrainOptions o = options("bpe", 300);
  o.max_sentences = 40;
  const auto small = train_sentencepiece({make_corpus()}, o);
  EXPECT_EQ(small.vocab_size(), 300);
  EXPECT_NE(small.model_proto(),
            train_sentencepiece({make_corpus()}, options("bpe", 300)).model_proto());
  EXPECT_EQ(small.decode(small.encode(make_corpus())), make_corpus());
}

TEST(SentencePieceRuns, LongLinesAreCutBeforeASpace) {
  std::string line;
  while (line.size() < 3 * SentencePieceTokenizer::kMaxChunkBytes) line += "the river ";
  std::vector<std::string> runs;
  for_each_sentencepiece_run(
      line + "\nx", [&](std::string_view r) { runs.emplace_back(r); }, [](std::string_view) {});
  ASSERT_EQ(runs.size(), 5u);  // three or four pieces of the line, then "x"
  std::string joined;
  for (std::size_t i = 0; i + 1 < runs.size(); ++i) {
    EXPECT_LE(runs[i].size(), SentencePieceTokenizer::kMaxChunkBytes);
    if (i > 0) {
      EXPECT_EQ(runs[i][0], ' ');
    }
    joined += runs[i];
  }
  EXPECT_EQ(joined, line);
  EXPECT_EQ(runs.back(), "x");
  const SentencePieceTokenizer& tok = trained("unigram");
  EXPECT_EQ(tok.decode(tok.encode(line)), line);
}

TEST(SentencePieceRuns, LongRunsWithoutSpacesAreCutAtCharacterBoundaries) {
  std::string word;
  while (word.size() < 2 * SentencePieceTokenizer::kMaxChunkBytes) word += "é漢";  // 2 + 3 bytes
  std::size_t total = 0;
  for_each_sentencepiece_run(
      word,
      [&](std::string_view r) {
        EXPECT_LE(r.size(), SentencePieceTokenizer::kMaxChunkBytes);
        EXPECT_NE(static_cast<unsigned char>(r[0]) & 0xC0u, 0x80u);  // starts a character
        total += r.size();
      },
      [](std::string_view) { ADD_FAILURE() << "no separator in the text"; });
  EXPECT_EQ(total, word.size());
  const SentencePieceTokenizer& tok = trained("bpe");
  EXPECT_EQ(tok.decode(tok.encode(word)), word);
}

// --- bad input, one test each ---------------------------------------------

TEST(SentencePieceBadInput, UnknownModelType) {
  const std::string e =
      error_of([] { train_sentencepiece({make_corpus()}, options("word", 400)); });
  EXPECT_NE(e.find("\"word\""), std::string::npos) << e;
  EXPECT_NE(e.find("bpe, unigram, char"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, VocabularyBelowTheFixedPieces) {
  const std::string e = error_of([] { train_sentencepiece({make_corpus()}, options("bpe", 200)); });
  EXPECT_NE(e.find("200 is too small"), std::string::npos) << e;
  EXPECT_NE(e.find("259"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, VocabularySmallerThanTheCharacters) {
  // SentencePiece's own check (every character needs a piece), rethrown with context.
  const std::string e = error_of([] { train_sentencepiece({make_corpus()}, options("bpe", 270)); });
  EXPECT_NE(e.find("training a bpe model with 270 pieces"), std::string::npos) << e;
  EXPECT_NE(e.find("smaller than required_chars"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, VocabularyLargerThanTheTextAllows) {
  const std::string e =
      error_of([] { train_sentencepiece({"tiny text\n"}, options("unigram", 5000)); });
  EXPECT_NE(e.find("training a unigram model with 5000 pieces"), std::string::npos) << e;
  EXPECT_NE(e.find("Vocabulary size too high"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, TextWithOnlyNewlines) {
  const std::string e = error_of([] { train_sentencepiece({"\n\n\n"}, options("bpe", 400)); });
  EXPECT_NE(e.find("no characters"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, ModelProtoIsNotBase64) {
  nlohmann::json j = trained("bpe").to_json();
  j["model_proto"] = j["model_proto"].get<std::string>().replace(10, 1, "!");
  const std::string e = error_of([&] { Tokenizer::from_json(j); });
  EXPECT_NE(e.find("model_proto"), std::string::npos) << e;
  EXPECT_NE(e.find("'!' at offset 10"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, ModelProtoIsNotAModel) {
  nlohmann::json j = trained("bpe").to_json();
  j["model_proto"] = base64_encode("this is not a protobuf message at all");
  const std::string e = error_of([&] { Tokenizer::from_json(j); });
  EXPECT_NE(e.find("not a valid SentencePiece model"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, ModelProtoIsTruncated) {
  nlohmann::json j = trained("bpe").to_json();
  const std::string proto = trained("bpe").model_proto();
  j["model_proto"] = base64_encode(proto.substr(0, proto.size() / 2));
  const std::string e = error_of([&] { Tokenizer::from_json(j); });
  EXPECT_NE(e.find("not a valid SentencePiece model"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, MissingModelProto) {
  nlohmann::json j = trained("bpe").to_json();
  j.erase("model_proto");
  const std::string e = error_of([&] { Tokenizer::from_json(j); });
  EXPECT_NE(e.find("missing string field \"model_proto\""), std::string::npos) << e;
}

TEST(SentencePieceBadInput, VocabSizeDisagreesWithTheModel) {
  nlohmann::json j = trained("bpe").to_json();
  j["vocab_size"] = 401;
  const std::string e = error_of([&] { Tokenizer::from_json(j); });
  EXPECT_NE(e.find("\"vocab_size\" is 401 but model_proto has 330 pieces"), std::string::npos) << e;
}

// A model trained by SentencePiece with other settings than attn's.
std::string foreign_model(std::unordered_map<std::string, std::string> args) {
  args.emplace("model_type", "bpe");
  args.emplace("vocab_size", "300");
  args.emplace("byte_fallback", "true");
  args.emplace("minloglevel", "2");
  args.emplace("model_prefix", "");
  args.emplace("num_threads", "1");
  const std::vector<std::string> lines = split_lines(make_corpus());
  struct Lines : sentencepiece::SentenceIterator {
    explicit Lines(const std::vector<std::string>& v) : v_(v) {}
    bool done() const override { return i_ >= v_.size(); }
    void Next() override { ++i_; }
    const std::string& value() const override { return v_[i_]; }
    sentencepiece::util::Status status() const override { return {}; }
    const std::vector<std::string>& v_;
    std::size_t i_ = 0;
  } it(lines);
  std::string proto;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return proto;
}

TEST(SentencePieceBadInput, ModelWithDefaultIdsIsRejected) {
  // SentencePiece's defaults: <unk> 0, <s> 1, </s> 2, no padding.
  const std::string proto = foreign_model({});
  const std::string e =
      error_of([&] { SentencePieceTokenizer::from_model_proto(proto, "foreign.model"); });
  EXPECT_NE(e.find("foreign.model"), std::string::npos) << e;
  EXPECT_NE(e.find("pad_id -1 and unk_id 0"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, NormalisingModelIsRejected) {
  // Default normalisation (NFKC, dummy prefix, extra spaces removed) loses text.
  const std::string proto =
      foreign_model({{"pad_id", "0"}, {"unk_id", "1"}, {"bos_id", "-1"}, {"eos_id", "-1"}});
  const std::string e =
      error_of([&] { SentencePieceTokenizer::from_model_proto(proto, "foreign.model"); });
  EXPECT_NE(e.find("does not round-trip"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, ModelWithoutByteFallbackIsRejected) {
  const std::string proto = foreign_model({{"pad_id", "0"},
                                           {"unk_id", "1"},
                                           {"bos_id", "-1"},
                                           {"eos_id", "-1"},
                                           {"byte_fallback", "false"},
                                           {"vocab_size", "200"},
                                           {"normalization_rule_name", "identity"},
                                           {"add_dummy_prefix", "false"},
                                           {"remove_extra_whitespaces", "false"}});
  const std::string e =
      error_of([&] { SentencePieceTokenizer::from_model_proto(proto, "foreign.model"); });
  EXPECT_NE(e.find("no byte piece <0x00>"), std::string::npos) << e;
}

TEST(SentencePieceBadInput, ModelWithAttnSettingsIsAccepted) {
  // The counterpart of the three tests above: the same trainer, attn's settings.
  const std::string proto = foreign_model({{"pad_id", "0"},
                                           {"unk_id", "1"},
                                           {"bos_id", "-1"},
                                           {"eos_id", "-1"},
                                           {"normalization_rule_name", "identity"},
                                           {"add_dummy_prefix", "false"},
                                           {"remove_extra_whitespaces", "false"}});
  const auto tok = SentencePieceTokenizer::from_model_proto(proto, "foreign.model");
  EXPECT_EQ(tok.decode(tok.encode(make_corpus())), make_corpus());
  // Without a "\n" piece, newlines are the byte <0x0A>.
  EXPECT_EQ(tok.token(tok.encode("\n").at(0)), "<0x0A>");
}

}  // namespace
}  // namespace attn
