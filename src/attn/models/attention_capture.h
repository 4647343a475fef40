#pragma once
// AttentionCapture: what one forward pass attended to, in a form the viewers
// (viz/ HTML and PNG writers) can draw without knowing the model. It lives in
// models/ so both the code that runs a model (train/, later generate/) and the
// viewers can see it. Token sequences are stored once and maps refer to them by
// index: an encoder's self-attention uses the input twice, a decoder's cross-
// attention uses (output, input).
#include <string>
#include <utility>
#include <vector>

#include "attn/core/tensor.h"

namespace attn::models {

struct TokenSequence {
  std::string name;  // "input", "output", ...
  std::vector<std::string> tokens;
};

struct AttentionMap {
  std::string name;  // "layer 0 self"
  int layer = 0;
  std::string kind = "self";  // self | cross
  int query_seq = 0;          // index into AttentionCapture::sequences (rows)
  int key_seq = 0;            // index into AttentionCapture::sequences (columns)
  Tensor weights;             // [H, Tq, Tk] f32, each row a probability distribution
  int heads() const { return weights.defined() ? static_cast<int>(weights.dim(0)) : 0; }
};

struct AttentionCapture {
  std::string title;  // what was run, e.g. "runs/spam: tiny (encoder classifier)"
  std::string note;   // shown prominently, e.g. "input truncated to the first 512 tokens"
  std::vector<TokenSequence> sequences;
  std::vector<AttentionMap> maps;
  std::string prediction_title;                             // "predicted: spam (0.93)"
  std::vector<std::pair<std::string, double>> class_probs;  // label, probability
  std::string generated_text;                               // decoders: the generated text

  int total_heads() const;   // sum of heads over maps
  int total_tokens() const;  // sum of tokens over sequences
  // Throws attn::Error unless every map's weights are [H, Tq, Tk] f32 with Tq/Tk
  // matching its sequences and H >= 1.
  void validate() const;
};

}  // namespace attn::models
