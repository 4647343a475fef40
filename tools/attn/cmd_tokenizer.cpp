#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/train/tokenizer_files.h"
#include "commands.h"

namespace attn::cli {

namespace {

void add_tokenizer_train(CLI::App& parent, Action& run) {
  auto* cmd = parent.add_subcommand(
      "train", "train a SentencePiece tokenizer (BPE, unigram or char) on text files");
  auto opt = std::make_shared<train::TokenizerTrainOptions>();
  auto& sp = opt->sentencepiece;
  cmd->add_option("--input", opt->inputs, "UTF-8 text file (repeat for several)")->required();
  cmd->add_option("--vocab-size", sp.vocab_size,
                  "pieces in all, including <pad>, <unk>, \"\\n\" and the 256 byte pieces")
      ->required();
  cmd->add_option("--model-type", sp.model_type, "bpe | unigram | char")
      ->check(CLI::IsMember({"bpe", "unigram", "char"}))
      ->capture_default_str();
  cmd->add_option("--out", opt->out, "output folder (tokenizer.json, .model, .vocab)")->required();
  cmd->add_option("--character-coverage", sp.character_coverage,
                  "fraction of characters given their own piece; the rest are spelled in bytes")
      ->capture_default_str();
  cmd->add_option("--max-sentences", sp.max_sentences,
                  "train on at most N lines, evenly spaced over the input (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", sp.threads, "threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&run, opt] {
    run = [opt] {
      const train::TokenizerTrainReport r = train::train_tokenizer(*opt);
      fmt::print("{}\nwrote {}/tokenizer.json (+ tokenizer.model, tokenizer.vocab)\n", r.summary(),
                 opt->out.string());
      return 0;
    };
  });
}

void add_tokenizer_check(CLI::App& parent, Action& run) {
  auto* cmd = parent.add_subcommand(
      "check", "encode text files: characters per token and an exact round-trip check");
  auto path = std::make_shared<std::filesystem::path>();
  auto inputs = std::make_shared<std::vector<std::filesystem::path>>();
  cmd->add_option("--tokenizer", *path, "folder from `attn tokenizer train`, or its tokenizer.json")
      ->required();
  cmd->add_option("--input", *inputs, "UTF-8 text file (repeat for several)")->required();
  cmd->callback([&run, path, inputs] {
    run = [path, inputs] {
      const SentencePieceTokenizer tok = train::load_sentencepiece_tokenizer(*path, "--tokenizer");
      for (const auto& file : *inputs) {
        const train::TextTokenStats s =
            train::measure_tokenizer(tok, train::read_tokenizer_input(file));
        ATTN_CHECK(s.round_trip, "{}: decode(encode(text)) differs from the text at byte {}",
                   file.string(), s.mismatch_at);
        fmt::print(
            "{}: {} characters -> {} tokens ({:.3f} chars/token, {} byte tokens), round "
            "trip exact\n",
            file.string(), s.characters, s.tokens, s.chars_per_token(), s.byte_tokens);
      }
      return 0;
    };
  });
}

}  // namespace

void add_tokenizer(CLI::App& app, Action& run) {
  auto* tok = app.add_subcommand("tokenizer", "train and check subword tokenizers");
  tok->require_subcommand(1);
  add_tokenizer_train(*tok, run);
  add_tokenizer_check(*tok, run);
}

}  // namespace attn::cli
