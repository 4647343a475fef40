#pragma once
// Text <-> ids for an encoder-decoder run. Each side has its own tokenizer (or one joint
// tokenizer); the model's vocabularies are the tokenizer's plus two ids at the end, BOS
// and EOS, which no tokenizer produces:
//   source ids = encode(source) + [EOS], the text's first max_len - 1 tokens when longer, so
//   training and decoding see the same input and every source ends in EOS
//   decoder input = [BOS] + encode(target), decoder output = encode(target) + [EOS]
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attn/data/tokenizer.h"
#include "attn/train/seq2seq_config.h"

namespace attn::train {

struct Seq2SeqVocab {
  std::shared_ptr<const Tokenizer> source, target;  // the same object when joint
  std::int64_t source_size() const { return source->vocab_size() + 2; }
  std::int64_t target_size() const { return target->vocab_size() + 2; }
  std::int32_t source_eos() const { return source->vocab_size() + 1; }
  std::int32_t bos() const { return target->vocab_size(); }
  std::int32_t eos() const { return target->vocab_size() + 1; }

  // + EOS, at most max_len ids in all (longer texts keep their first max_len - 1 tokens).
  // truncated (optional) is set to whether the text was cut.
  std::vector<std::int32_t> encode_source(const std::string& text, std::int64_t max_len,
                                          bool* truncated = nullptr) const;
  std::vector<std::int32_t> encode_target(const std::string& text) const;  // no BOS/EOS
  // Target ids (BOS/EOS/padding dropped) -> text.
  std::string decode_target(const std::vector<std::int32_t>& ids) const;
};

// A new run's tokenizers, built from the training pairs (or loaded from the file a
// sentencepiece config names). `config` names the config file in errors.
Seq2SeqVocab build_seq2seq_vocab(const Seq2SeqTokenizerConfig& cfg,
                                 const std::vector<std::string>& sources,
                                 const std::vector<std::string>& targets, int threads,
                                 const std::string& config);

// RUN/source_tokenizer.json and RUN/target_tokenizer.json (one file, source_tokenizer.json,
// when joint).
void save_seq2seq_vocab(const std::filesystem::path& run, const Seq2SeqVocab& v);
Seq2SeqVocab load_seq2seq_vocab(const std::filesystem::path& run, bool joint);

}  // namespace attn::train
