#include "attn/data/sentencepiece_trainer.h"

#include <sentencepiece_trainer.h>

#include <string_view>
#include <unordered_map>

#include "attn/core/error.h"
#include "attn/core/thread_pool.h"

namespace attn {

namespace {

// Feeds the chosen sentences to SentencePiece without copying them all.
class RunIterator : public sentencepiece::SentenceIterator {
 public:
  explicit RunIterator(const std::vector<std::string_view>& runs) : runs_(runs) { load(); }
  bool done() const override { return i_ >= runs_.size(); }
  void Next() override {
    ++i_;
    load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void load() {
    if (!done()) value_.assign(runs_[i_]);
  }
  const std::vector<std::string_view>& runs_;
  std::size_t i_ = 0;
  std::string value_;
};

// n evenly spaced elements of v (all when n is 0 or at least v.size()).
std::vector<std::string_view> evenly_spaced(const std::vector<std::string_view>& v,
                                            std::int64_t n) {
  if (n <= 0 || static_cast<std::size_t>(n) >= v.size()) return v;
  std::vector<std::string_view> out;
  out.reserve(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k)
    out.push_back(v[static_cast<std::size_t>(k) * v.size() / static_cast<std::size_t>(n)]);
  return out;
}

}  // namespace

SentencePieceTokenizer train_sentencepiece(const std::vector<std::string>& texts,
                                           const SentencePieceTrainOptions& opt) {
  ATTN_CHECK(opt.model_type == "bpe" || opt.model_type == "unigram" || opt.model_type == "char",
             "sentencepiece: model type \"{}\" is not one of bpe, unigram, char", opt.model_type);
  ATTN_CHECK(opt.vocab_size > kSentencePieceFixedPieces,
             "sentencepiece: vocabulary size {} is too small: {} pieces are fixed (<pad>, <unk>, "
             "\"\\n\" and the 256 byte pieces), plus one per distinct character",
             opt.vocab_size, kSentencePieceFixedPieces);
  ATTN_CHECK(opt.character_coverage > 0.0 && opt.character_coverage <= 1.0,
             "sentencepiece: character coverage {} is not in (0, 1]", opt.character_coverage);
  ATTN_CHECK(opt.max_sentences >= 0, "sentencepiece: max sentences {} is negative",
             opt.max_sentences);
  std::vector<std::string_view> runs;
  for (const std::string& text : texts)
    for_each_sentencepiece_run(
        text, [&](std::string_view run) { runs.push_back(run); }, [](std::string_view) {});
  ATTN_CHECK(!runs.empty(), "sentencepiece: the training text has no characters besides newlines");
  const std::vector<std::string_view> chosen = evenly_spaced(runs, opt.max_sentences);

  const int threads = opt.threads > 0 ? opt.threads : ThreadPool::default_threads();
  const std::unordered_map<std::string, std::string> args{
      {"model_type", opt.model_type},
      {"vocab_size", std::to_string(opt.vocab_size)},
      {"character_coverage", fmt::format("{}", opt.character_coverage)},
      {"normalization_rule_name", "identity"},
      {"add_dummy_prefix", "false"},
      {"remove_extra_whitespaces", "false"},
      {"byte_fallback", "true"},
      {"pad_id", "0"},
      {"unk_id", "1"},
      {"bos_id", "-1"},
      {"eos_id", "-1"},
      {"user_defined_symbols", "\n"},
      {"unk_surface", "\xEF\xBF\xBD"},  // U+FFFD, as the char tokenizer decodes [UNK]
      {"max_sentence_length", std::to_string(SentencePieceTokenizer::kMaxChunkBytes)},
      {"num_threads", std::to_string(threads)},
      {"minloglevel", "1"},  // warnings and errors only
      {"model_prefix", ""},  // the model comes back in memory
  };
  RunIterator it(chosen);
  std::string proto;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
  ATTN_CHECK(status.ok(),
             "sentencepiece: training a {} model with {} pieces on {} sentences failed: {}",
             opt.model_type, opt.vocab_size, chosen.size(), status.ToString());
  return SentencePieceTokenizer::from_model_proto(std::move(proto), "sentencepiece: trained model",
                                                  opt.model_type);
}

}  // namespace attn
