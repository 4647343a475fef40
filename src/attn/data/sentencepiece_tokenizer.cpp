#include "attn/data/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

#include "attn/core/error.h"
#include "attn/data/base64.h"

namespace attn {

namespace {

// SentencePiece's whitespace stand-in, U+2581 LOWER ONE EIGHTH BLOCK.
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";

// Cuts a separator-free run into pieces of at most max bytes, each cut before
// a space (so no word is split) or, with no space, at a character boundary.
void cut_run(std::string_view run, std::size_t max,
             const std::function<void(std::string_view)>& on_run) {
  while (run.size() > max) {
    std::size_t cut = run.rfind(' ', max);
    if (cut == std::string_view::npos || cut == 0) {
      cut = max;
      while (cut > 0 && (static_cast<unsigned char>(run[cut]) & 0xC0u) == 0x80u) --cut;
      if (cut == 0) cut = max;  // not UTF-8: any cut will do
    }
    on_run(run.substr(0, cut));
    run.remove_prefix(cut);
  }
  if (!run.empty()) on_run(run);
}

}  // namespace

void for_each_sentencepiece_run(std::string_view text,
                                const std::function<void(std::string_view)>& on_run,
                                const std::function<void(std::string_view)>& on_separator) {
  const std::size_t max = SentencePieceTokenizer::kMaxChunkBytes;
  std::size_t start = 0, i = 0;
  while (i < text.size()) {
    std::size_t sep = 0;
    if (text[i] == '\n') {
      sep = 1;
    } else if (text.compare(i, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
      sep = kSpaceSymbol.size();
    }
    if (sep == 0) {
      ++i;
      continue;
    }
    cut_run(text.substr(start, i - start), max, on_run);
    on_separator(text.substr(i, sep));
    i += sep;
    start = i;
  }
  cut_run(text.substr(start), max, on_run);
}

SentencePieceTokenizer::SentencePieceTokenizer()
    : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept = default;
SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&&) noexcept =
    default;
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

SentencePieceTokenizer SentencePieceTokenizer::from_model_proto(std::string proto,
                                                                const std::string& where,
                                                                std::string model_type) {
  SentencePieceTokenizer tok;
  tok.model_type_ = std::move(model_type);
  const auto status = tok.sp_->LoadFromSerializedProto(proto);
  ATTN_CHECK(status.ok(), "{}: not a valid SentencePiece model ({} bytes): {}", where, proto.size(),
             status.ToString());
  const sentencepiece::SentencePieceProcessor& sp = *tok.sp_;
  tok.vocab_size_ = sp.GetPieceSize();
  ATTN_CHECK(sp.pad_id() == kPadId && sp.unk_id() == kUnkId,
             "{}: attn needs padding at id 0 and the unknown piece at id 1, the model has pad_id "
             "{} and unk_id {} (train with pad_id=0 unk_id=1)",
             where, sp.pad_id(), sp.unk_id());
  for (int b = 0; b < 256; ++b) {
    const int id = sp.PieceToId(fmt::format("<0x{:02X}>", b));
    ATTN_CHECK(sp.IsByte(id),
               "{}: the model has no byte piece <0x{:02X}> (train with byte_fallback=true so "
               "every character can be encoded)",
               where, b);
  }
  const int newline = sp.PieceToId("\n");
  tok.newline_id_ = newline != sp.unk_id() ? newline : sp.PieceToId("<0x0A>");
  for (std::size_t k = 0; k < kSpaceSymbol.size(); ++k)
    tok.space_symbol_ids_[k] =
        sp.PieceToId(fmt::format("<0x{:02X}>", static_cast<unsigned char>(kSpaceSymbol[k])));
  tok.proto_ = std::move(proto);
  // What a normalising model, a dummy prefix or dropped spaces would change.
  const std::string probe =
      " a  b\t\xF0\x9D\x84\x9E\xEF\xAC\x81\n\nc \xE2\x96\x81"
      "d \n";
  const std::string back = tok.decode(tok.encode(probe));
  auto quoted = [](const std::string& t) {
    return nlohmann::json(t).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  ATTN_CHECK(back == probe,
             "{}: the model does not round-trip text exactly ({} came back as {}); train it with "
             "normalization_rule_name=identity, add_dummy_prefix=false, "
             "remove_extra_whitespaces=false",
             where, quoted(probe), quoted(back));
  return tok;
}

void SentencePieceTokenizer::encode_run(std::string_view run,
                                        std::vector<std::int32_t>& ids) const {
  std::vector<int> piece_ids;
  const auto status = sp_->Encode(run, &piece_ids);
  ATTN_CHECK(status.ok(), "sentencepiece tokenizer: cannot encode a run of {} bytes: {}",
             run.size(), status.ToString());
  ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
}

std::vector<std::int32_t> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 3);
  for_each_sentencepiece_run(
      text, [&](std::string_view run) { encode_run(run, ids); },
      [&](std::string_view sep) {
        if (sep == "\n") {
          ids.push_back(newline_id_);
        } else {
          ids.insert(ids.end(), space_symbol_ids_.begin(), space_symbol_ids_.end());
        }
      });
  return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::vector<int> kept;
  kept.reserve(ids.size());
  for (std::int32_t id : ids) {
    check_token_id(id, vocab_size_);
    if (id != kPadId) kept.push_back(id);
  }
  std::string text;
  const auto status = sp_->Decode(kept, &text);
  ATTN_CHECK(status.ok(), "sentencepiece tokenizer: cannot decode {} ids: {}", kept.size(),
             status.ToString());
  return text;
}

std::string SentencePieceTokenizer::token(std::int32_t id) const {
  check_token_id(id, vocab_size_);
  return sp_->IdToPiece(id);
}

float SentencePieceTokenizer::score(std::int32_t id) const {
  check_token_id(id, vocab_size_);
  return sp_->GetScore(id);
}

bool SentencePieceTokenizer::is_byte(std::int32_t id) const {
  check_token_id(id, vocab_size_);
  return sp_->IsByte(id);
}

nlohmann::json SentencePieceTokenizer::to_json() const {
  return {{"type", "sentencepiece"},
          {"model_type", model_type_},
          {"vocab_size", vocab_size_},
          {"model_proto", base64_encode(proto_)}};
}

SentencePieceTokenizer SentencePieceTokenizer::from_json(const nlohmann::json& j) {
  ATTN_CHECK(j.is_object() && j.value("type", "") == "sentencepiece",
             "sentencepiece tokenizer: expected an object with \"type\": \"sentencepiece\"");
  const auto proto = j.find("model_proto");
  ATTN_CHECK(proto != j.end() && proto->is_string(),
             "sentencepiece tokenizer: missing string field \"model_proto\" (the base64 of the "
             "SentencePiece model)");
  const auto type = j.find("model_type");
  ATTN_CHECK(type == j.end() || type->is_string(),
             "sentencepiece tokenizer: \"model_type\" must be a string, got a {}",
             type->type_name());
  SentencePieceTokenizer tok = from_model_proto(
      base64_decode(proto->get_ref<const std::string&>(), "sentencepiece tokenizer: model_proto"),
      "sentencepiece tokenizer: model_proto", type != j.end() ? type->get<std::string>() : "");
  const int vocab = int_from_json(j, "vocab_size", tok.vocab_size_, 1, "sentencepiece");
  ATTN_CHECK(vocab == tok.vocab_size_,
             "sentencepiece tokenizer: \"vocab_size\" is {} but model_proto has {} pieces", vocab,
             tok.vocab_size_);
  return tok;
}

}  // namespace attn
