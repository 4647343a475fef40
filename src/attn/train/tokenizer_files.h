#pragma once
// The folder of a trained SentencePiece tokenizer, the library side of
// `attn tokenizer train` and `attn tokenizer check`:
//   tokenizer.json   attn's tokenizer JSON ("type": "sentencepiece", the model
//                    proto embedded as base64), what LM configs point at
//   tokenizer.model  the same model as SentencePiece's own file (spm_encode)
//   tokenizer.vocab  one "piece<TAB>score" line per id, control characters
//                    escaped ("\n" is written as \n)
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/data/sentencepiece_trainer.h"

namespace attn::train {

// How a tokenizer encodes a text.
struct TextTokenStats {
  std::int64_t characters = 0;   // code points
  std::int64_t tokens = 0;       // encode(text).size()
  std::int64_t byte_tokens = 0;  // tokens that are byte pieces (characters spelled in bytes)
  bool round_trip = true;        // decode(encode(text)) == text
  std::size_t mismatch_at = 0;   // first differing byte when !round_trip
  double chars_per_token() const;
};
TextTokenStats measure_tokenizer(const SentencePieceTokenizer& tok, std::string_view text);

// A non-empty input file's bytes; the error names the file when it is missing,
// unreadable or empty.
std::string read_tokenizer_input(const std::filesystem::path& file);

struct TokenizerTrainOptions {
  std::vector<std::filesystem::path> inputs;  // UTF-8 text files
  std::filesystem::path out;                  // folder, created if missing
  SentencePieceTrainOptions sentencepiece;
};

struct TokenizerTrainReport {
  std::string model_type;
  std::int32_t vocab_size = 0;
  double train_seconds = 0;
  TextTokenStats input;       // all inputs together (mismatch_at: in mismatch_file)
  std::string mismatch_file;  // the first input that does not round-trip
  // One line: "bpe tokenizer: 8000 pieces; inputs: 3937849 characters -> 889068 tokens ..."
  std::string summary() const;
};

// Reads the inputs, trains, measures the encoding of (and the round trip on)
// every input and writes the folder.
TokenizerTrainReport train_tokenizer(const TokenizerTrainOptions& opt);

// A SentencePiece tokenizer from `path`: a folder written by train_tokenizer,
// a tokenizer.json of type "sentencepiece", or a SentencePiece .model file.
// `where` starts error messages (e.g. "lm.json: tokenizer.model").
SentencePieceTokenizer load_sentencepiece_tokenizer(const std::filesystem::path& path,
                                                    const std::string& where);

}  // namespace attn::train
