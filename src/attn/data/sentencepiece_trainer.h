#pragma once
// Training a SentencePiece model (BPE, unigram or char) in memory, with the
// settings that make SentencePieceTokenizer exact: identity normalisation, no
// dummy prefix, spaces kept, byte fallback, pad 0 / unk 1 / "\n" 2, no BOS/EOS.
#include <cstdint>
#include <string>
#include <vector>

#include "attn/data/sentencepiece_tokenizer.h"

namespace attn {

struct SentencePieceTrainOptions {
  std::string model_type = "bpe";  // bpe | unigram | char
  // Total pieces, including the 259 fixed ones (<pad>, <unk>, "\n", 256 bytes).
  // A char model has exactly one piece per character and may end up smaller.
  int vocab_size = 8000;
  // Fraction of the characters (by frequency) that get their own piece; the
  // rest are spelled in byte pieces. 1.0: every character seen.
  double character_coverage = 1.0;
  // Train on at most this many sentences (lines), evenly spaced over the input
  // so the choice is deterministic; 0 = all.
  std::int64_t max_sentences = 0;
  // 0 = all cores. Same text, options and threads: the same model; a unigram
  // model's scores (and so some pieces) change with the thread count, since
  // SentencePiece sums per-thread statistics; BPE pieces do not.
  int threads = 0;
};

inline constexpr int kSentencePieceFixedPieces = 259;

// texts: whole documents; they are cut into sentences exactly as encode() cuts
// them (for_each_sentencepiece_run). Throws attn::Error for a bad option, text
// with no sentence, or SentencePiece's own complaint (vocabulary too small for
// the characters, too large for the text), quoted with the settings.
SentencePieceTokenizer train_sentencepiece(const std::vector<std::string>& texts,
                                           const SentencePieceTrainOptions& opt);

}  // namespace attn
