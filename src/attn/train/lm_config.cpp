#include "attn/train/lm_config.h"

namespace attn::train {

bool is_decoder_lm_config(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) return false;
  const auto& m = j["model"];
  return m.contains("type") && m["type"].is_string() && m["type"] == "decoder_lm";
}

models::DecoderLMConfig parse_decoder_lm_config(const JsonObjectReader& r) {
  models::DecoderLMConfig m;
  r.get_string_enum("type", "decoder_lm", {"decoder_lm"});
  m.vocab_size = r.get_int_required("vocab_size", 1);
  m.block_size = r.get_int("block_size", m.block_size, 1);
  m.d_model = r.get_int("d_model", m.d_model, 1);
  m.num_layers = r.get_int("num_layers", m.num_layers, 0);
  m.num_heads = r.get_int("num_heads", m.num_heads, 1);
  m.d_ff = r.get_int("d_ff", m.d_ff, 0);
  m.dropout = static_cast<float>(r.get_float("dropout", m.dropout, 0.0, 0.99));
  m.positional =
      nn::parse_positional(r.get_string_enum("positional", "learned", {"learned", "sinusoidal"}));
  m.activation =
      nn::parse_activation(r.get_string_enum("activation", "gelu", {"gelu", "gelu_tanh"}));
  m.tie_embeddings = r.get_bool("tie_embeddings", m.tie_embeddings);
  m.layer_norm_eps =
      static_cast<float>(r.get_float("layer_norm_eps", m.layer_norm_eps, 1e-12, 1.0));
  m.bias = r.get_bool("bias", m.bias);
  r.finish();
  if (m.d_model % m.num_heads != 0)
    fail("{}: d_model ({}) must be divisible by num_heads ({})", r.where("d_model"), m.d_model,
         m.num_heads);
  m.validate();
  return m;
}

nlohmann::json to_json(const models::DecoderLMConfig& c) {
  return {{"type", "decoder_lm"},
          {"vocab_size", c.vocab_size},
          {"block_size", c.block_size},
          {"d_model", c.d_model},
          {"num_layers", c.num_layers},
          {"num_heads", c.num_heads},
          {"d_ff", c.d_ff},
          {"dropout", c.dropout},
          {"positional", nn::positional_name(c.positional)},
          {"activation", c.activation == nn::Activation::gelu ? "gelu" : "gelu_tanh"},
          {"tie_embeddings", c.tie_embeddings},
          {"layer_norm_eps", c.layer_norm_eps},
          {"bias", c.bias}};
}

}  // namespace attn::train
