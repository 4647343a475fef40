// generate_text streaming with a subword tokenizer whose byte pieces can end
// in the middle of a UTF-8 character: what on_text shows must be exactly the
// final text (a partial character decodes as U+FFFD until it completes, and
// that placeholder must not be streamed). A random DecoderLM over a small
// SentencePiece vocabulary samples byte pieces most of the time.
#include <gtest/gtest.h>

#include "attn/data/sentencepiece_trainer.h"
#include "attn/generate/text_generation.h"
#include "test_util.h"

namespace attn::test {
namespace {

TEST(GenerateTextStream, PartialCharactersAreNotStreamed) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "été à noël, über café " + std::to_string(i % 7) + "\n";
  SentencePieceTrainOptions o;
  o.vocab_size = 300;
  o.threads = 1;
  const SentencePieceTokenizer tok = train_sentencepiece({text}, o);
  models::DecoderLMConfig c;
  c.vocab_size = tok.vocab_size();
  c.block_size = 256;
  c.d_model = 16;
  c.num_heads = 2;
  c.num_layers = 1;
  const models::DecoderLM model(c, 3);

  std::size_t streamed_differently = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    generate::TextGenerateOptions opt;
    opt.generate.max_new_tokens = 200;
    opt.generate.sampling.temperature = 1.0f;
    opt.generate.sampling.seed = seed;
    opt.generate.bos_id = 2;  // "\n"
    opt.generate.sample_vocab = tok.vocab_size();
    std::string streamed;
    opt.on_text = [&](std::size_t, std::string_view piece) { streamed += piece; };
    const auto texts = generate::generate_text(model, tok, {"é"}, opt);
    streamed_differently += streamed != texts[0] ? 1 : 0;
    EXPECT_EQ(streamed, texts[0]) << "seed " << seed;
  }
  EXPECT_EQ(streamed_differently, 0u);
}

}  // namespace
}  // namespace attn::test
