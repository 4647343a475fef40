#pragma once
// Text in, text out: prompts are encoded with the model's tokenizer, decoded
// with generate(), and the new text is streamed piece by piece. Stop strings
// end a row and are not part of its text; while a stop string could still be
// completing, the characters that might belong to it are held back, so the
// stream never shows text that is later cut; so are trailing U+FFFD, which
// may be a character whose byte pieces are still being generated.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "attn/data/tokenizer.h"
#include "attn/generate/generator.h"

namespace attn::generate {

struct TextGenerateOptions {
  GenerateOptions generate;               // its stop_sequences and on_token are set from below
  std::vector<std::string> stop_strings;  // non-empty strings
  // Called with (prompt index, text) as text becomes final, in order per row.
  std::function<void(std::size_t, std::string_view)> on_text;
};

// The generated text of each prompt (without the prompt and any stop string).
std::vector<std::string> generate_text(const models::DecoderLM& model, const Tokenizer& tokenizer,
                                       const std::vector<std::string>& prompts,
                                       const TextGenerateOptions& opt);

}  // namespace attn::generate
