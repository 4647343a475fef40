#include "attn/train/tokenizer_files.h"

#include <chrono>
#include <fstream>

#include "attn/core/error.h"
#include "attn/data/utf8.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_reader.h"

namespace attn::train {

namespace fs = std::filesystem;

namespace {

// A piece for a one-line listing: control characters as C escapes, the rest as is.
std::string escape_piece(const std::string& piece) {
  std::string out;
  for (const char c : piece) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::size_t first_difference(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

double TextTokenStats::chars_per_token() const {
  return tokens > 0 ? static_cast<double>(characters) / static_cast<double>(tokens) : 0.0;
}

TextTokenStats measure_tokenizer(const SentencePieceTokenizer& tok, std::string_view text) {
  TextTokenStats s;
  const std::vector<std::int32_t> ids = tok.encode(text);
  s.tokens = static_cast<std::int64_t>(ids.size());
  for (const std::int32_t id : ids) s.byte_tokens += tok.is_byte(id) ? 1 : 0;
  for_each_code_point(text, [&](char32_t, std::string_view) { ++s.characters; });
  const std::string back = tok.decode(ids);
  s.round_trip = back == text;
  if (!s.round_trip) s.mismatch_at = first_difference(back, text);
  return s;
}

std::string read_tokenizer_input(const fs::path& file) {
  ATTN_CHECK(fs::exists(file), "{}: no such input file", file.string());
  ATTN_CHECK(!fs::is_directory(file), "{}: is a folder, expected a text file", file.string());
  std::ifstream in(file, std::ios::binary);
  ATTN_CHECK(in.good(), "{}: cannot open the input file for reading", file.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ATTN_CHECK(!in.bad(), "{}: read error", file.string());
  ATTN_CHECK(!text.empty(), "{}: the input file is empty", file.string());
  return text;
}

std::string TokenizerTrainReport::summary() const {
  return fmt::format(
      "{} tokenizer: {} pieces, trained in {:.2f} s; inputs: {} characters -> {} tokens ({:.3f} "
      "chars/token, {} byte tokens); round trip {}",
      model_type, vocab_size, train_seconds, input.characters, input.tokens,
      input.chars_per_token(), input.byte_tokens,
      input.round_trip ? "exact"
                       : fmt::format("differs: {} byte {}", mismatch_file, input.mismatch_at));
}

TokenizerTrainReport train_tokenizer(const TokenizerTrainOptions& opt) {
  ATTN_CHECK(!opt.inputs.empty(), "tokenizer train: no input files");
  std::vector<std::string> texts;
  for (const fs::path& f : opt.inputs) texts.push_back(read_tokenizer_input(f));
  ensure_writable_dir(opt.out);

  TokenizerTrainReport r;
  const auto start = std::chrono::steady_clock::now();
  const SentencePieceTokenizer tok = train_sentencepiece(texts, opt.sentencepiece);
  r.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.model_type = tok.model_type();
  r.vocab_size = tok.vocab_size();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const TextTokenStats s = measure_tokenizer(tok, texts[i]);
    r.input.characters += s.characters;
    r.input.tokens += s.tokens;
    r.input.byte_tokens += s.byte_tokens;
    if (r.input.round_trip && !s.round_trip) {
      r.input.round_trip = false;
      r.input.mismatch_at = s.mismatch_at;
      r.mismatch_file = opt.inputs[i].string();
    }
  }

  std::string vocab;
  for (std::int32_t id = 0; id < tok.vocab_size(); ++id)
    vocab += fmt::format("{}\t{}\n", escape_piece(tok.token(id)), tok.score(id));
  write_file_atomic(opt.out / "tokenizer.model", tok.model_proto());
  write_file_atomic(opt.out / "tokenizer.vocab", vocab);
  write_file_atomic(opt.out / "tokenizer.json", tok.to_json().dump() + "\n");
  return r;
}

SentencePieceTokenizer load_sentencepiece_tokenizer(const fs::path& path,
                                                    const std::string& where) {
  ATTN_CHECK(fs::exists(path),
             "{}: {} does not exist (write one with `attn tokenizer train --out DIR`)", where,
             path.string());
  const fs::path file = fs::is_directory(path) ? path / "tokenizer.json" : path;
  ATTN_CHECK(fs::is_regular_file(file), "{}: {} has no tokenizer.json", where, path.string());
  if (file.extension() != ".json")
    return SentencePieceTokenizer::from_model_proto(read_file_bytes(file),
                                                    fmt::format("{}: {}", where, file.string()));
  const nlohmann::json j = read_json_file(file);
  try {
    return SentencePieceTokenizer::from_json(j);
  } catch (const Error& e) {
    fail("{}: {}: {}", where, file.string(), e.what());
  }
}

}  // namespace attn::train
