#pragma once
// Subword tokenizer backed by SentencePiece (Debian's libsentencepiece): BPE,
// unigram or char models trained by train_sentencepiece
// (sentencepiece_trainer.h) or loaded from a serialized model proto.
//
// Ids are SentencePiece's own: training fixes 0 = <pad> (padding), 1 = <unk>,
// 2 = "\n", 3..258 = the 256 byte pieces <0x00>..<0xFF>, then the learned
// pieces; there is no BOS/EOS. decode(encode(x)) == x for all valid UTF-8 x:
//   - the model normalises nothing (identity rule, no dummy prefix, spaces
//     kept), so the only rewrite is ' ' <-> "▁" (U+2581);
//   - characters outside the vocabulary fall back to byte pieces;
//   - SentencePiece works on lines, so encode() splits the text at each "\n"
//     (which becomes the "\n" piece) and at each literal "▁", which would
//     otherwise decode as a space, and emits it as its three byte pieces;
//     runs longer than kMaxChunkBytes are split before a space.
// Invalid UTF-8 decodes as U+FFFD, as SentencePiece does.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "attn/data/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace attn {

class SentencePieceTokenizer : public Tokenizer {
 public:
  // Bounds the memory of one SentencePiece encode call (the unigram lattice
  // grows with the input length) and is the trainer's max_sentence_length.
  static constexpr std::size_t kMaxChunkBytes = 8192;

  // A serialized SentencePiece ModelProto (the bytes of a .model file).
  // Throws attn::Error naming `where` when it does not parse or breaks the
  // contract above (pad 0, unk 1, byte pieces present, exact round trip of a
  // probe text, which catches normalising models and dummy prefixes).
  // model_type is only recorded (the proto's trainer spec is not readable
  // without protobuf headers, which Debian does not ship).
  static SentencePieceTokenizer from_model_proto(std::string proto, const std::string& where,
                                                 std::string model_type = "");
  // {"type": "sentencepiece", "model_type": ..., "vocab_size": N, "model_proto": base64}
  static SentencePieceTokenizer from_json(const nlohmann::json& j);

  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;
  ~SentencePieceTokenizer() override;

  std::vector<std::int32_t> encode(std::string_view text) const override;
  // Padding is skipped; out-of-range ids throw attn::Error.
  std::string decode(const std::vector<std::int32_t>& ids) const override;
  // The piece, as SentencePiece spells it ("▁the", "<0x0A>", "\n").
  std::string token(std::int32_t id) const override;
  std::int32_t vocab_size() const override { return vocab_size_; }
  nlohmann::json to_json() const override;

  // "bpe", "unigram" or "char" (as recorded at training; "" if unknown).
  const std::string& model_type() const { return model_type_; }
  const std::string& model_proto() const { return proto_; }
  // The piece's score (log probability for unigram, minus the merge rank for BPE).
  float score(std::int32_t id) const;
  // Whether id is one of the 256 byte pieces (a character spelled in bytes).
  bool is_byte(std::int32_t id) const;

 private:
  SentencePieceTokenizer();
  void encode_run(std::string_view run, std::vector<std::int32_t>& ids) const;

  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  std::string proto_;
  std::string model_type_;
  std::int32_t vocab_size_ = 0;
  std::int32_t newline_id_ = 0;                     // the "\n" piece, else byte <0x0A>
  std::array<std::int32_t, 3> space_symbol_ids_{};  // byte pieces of a literal "▁"
};

// Calls fn on each run of `text` that SentencePiece sees as one sentence, in
// order: the text between separators ("\n" and "▁"), cut into pieces of at
// most SentencePieceTokenizer::kMaxChunkBytes (before a space when there is
// one, else at a character boundary). Separators go to on_separator with their
// bytes. Shared by encode() and training so both see the same sentences.
void for_each_sentencepiece_run(std::string_view text,
                                const std::function<void(std::string_view)>& on_run,
                                const std::function<void(std::string_view)>& on_separator);

}  // namespace attn
