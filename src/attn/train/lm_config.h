#pragma once
// The "model" section of a decoder language-model config:
//   "model": {"type": "decoder_lm", "vocab_size": 96, "block_size": 256, "d_model": 384,
//             "num_layers": 6, "num_heads": 6, "d_ff": 0, "dropout": 0.1,
//             "positional": "learned"|"sinusoidal", "activation": "gelu"|"gelu_tanh",
//             "tie_embeddings": true, "layer_norm_eps": 1e-5, "bias": true}
// Parsed strictly like the classifier's: unknown keys, wrong types and out-of-range
// values are errors naming the file and the key.
#include <nlohmann/json.hpp>

#include "attn/io/json_reader.h"
#include "attn/models/decoder_lm.h"

namespace attn::train {

// True when j["model"]["type"] is "decoder_lm" (configs without a type are classifiers).
bool is_decoder_lm_config(const nlohmann::json& j);

// r: the "model" object. Throws attn::Error naming file and key.
models::DecoderLMConfig parse_decoder_lm_config(const JsonObjectReader& r);

// Every field, in the format parse_decoder_lm_config reads (round-trips exactly).
nlohmann::json to_json(const models::DecoderLMConfig& c);

}  // namespace attn::train
