#include "attn/train/seq2seq_data.h"

#include <algorithm>

#include "attn/data/char_tokenizer.h"
#include "attn/data/sentencepiece_trainer.h"
#include "attn/data/word_tokenizer.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_reader.h"
#include "attn/train/tokenizer_files.h"

namespace attn::train {

namespace fs = std::filesystem;

std::vector<std::int32_t> Seq2SeqVocab::encode_source(const std::string& text, std::int64_t max_len,
                                                      bool* truncated) const {
  std::vector<std::int32_t> ids = source->encode(text);
  const bool cut = static_cast<std::int64_t>(ids.size()) >= max_len;
  if (cut) ids.resize(static_cast<std::size_t>(std::max<std::int64_t>(0, max_len - 1)));
  if (truncated) *truncated = cut;
  ids.push_back(source_eos());
  return ids;
}

std::vector<std::int32_t> Seq2SeqVocab::encode_target(const std::string& text) const {
  return target->encode(text);
}

std::string Seq2SeqVocab::decode_target(const std::vector<std::int32_t>& ids) const {
  std::vector<std::int32_t> plain;
  plain.reserve(ids.size());
  for (std::int32_t id : ids)
    if (id >= 0 && id < target->vocab_size()) plain.push_back(id);
  return target->decode(plain);
}

namespace {

std::unique_ptr<Tokenizer> build_side(const SideTokenizerConfig& c,
                                      const std::vector<std::string>& texts, int threads,
                                      const std::string& what) {
  if (c.type == "char") {
    auto tok = std::make_unique<CharTokenizer>();
    tok->build(texts, static_cast<int>(c.max_tokens));
    return tok;
  }
  if (c.type == "word") {
    // Case and punctuation are kept: the tokens are symbols (phonemes), not words to clean.
    WordTokenizerOptions o;
    o.standardize = Standardize::none;
    auto tok = std::make_unique<WordTokenizer>(o);
    tok->build(texts, static_cast<int>(c.max_tokens));
    return tok;
  }
  if (!c.model.empty())
    return std::make_unique<SentencePieceTokenizer>(
        load_sentencepiece_tokenizer(c.model, what + ": tokenizer.model"));
  SentencePieceTrainOptions o;
  o.model_type = c.model_type;
  o.vocab_size = static_cast<int>(c.vocab_size);
  o.threads = threads;
  // One sentence per line: the pairs are joined so SentencePiece sees each as a sentence.
  std::string joined;
  for (const auto& t : texts) {
    joined += t;
    joined += '\n';
  }
  return std::make_unique<SentencePieceTokenizer>(train_sentencepiece({joined}, o));
}

}  // namespace

Seq2SeqVocab build_seq2seq_vocab(const Seq2SeqTokenizerConfig& cfg,
                                 const std::vector<std::string>& sources,
                                 const std::vector<std::string>& targets, int threads,
                                 const std::string& config) {
  Seq2SeqVocab v;
  if (cfg.joint) {
    std::vector<std::string> both = sources;
    both.insert(both.end(), targets.begin(), targets.end());
    v.source = build_side(cfg.source, both, threads, config + ": tokenizer.source");
    v.target = v.source;
    return v;
  }
  v.source = build_side(cfg.source, sources, threads, config + ": tokenizer.source");
  v.target = build_side(cfg.target, targets, threads, config + ": tokenizer.target");
  return v;
}

void save_seq2seq_vocab(const fs::path& run, const Seq2SeqVocab& v) {
  write_file_atomic(run / "source_tokenizer.json", v.source->to_json().dump() + "\n");
  if (v.target != v.source)
    write_file_atomic(run / "target_tokenizer.json", v.target->to_json().dump() + "\n");
}

Seq2SeqVocab load_seq2seq_vocab(const fs::path& run, bool joint) {
  Seq2SeqVocab v;
  v.source = Tokenizer::from_json(read_json_file(run / "source_tokenizer.json"));
  v.target = joint ? v.source : Tokenizer::from_json(read_json_file(run / "target_tokenizer.json"));
  return v;
}

}  // namespace attn::train
