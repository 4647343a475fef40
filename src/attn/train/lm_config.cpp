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

namespace attn::train {

namespace {

LmTokenizerConfig parse_lm_tokenizer(const JsonObjectReader& r, const std::string& file) {
  LmTokenizerConfig t;
  t.type = r.get_string_enum("type", t.type, {"char", "sentencepiece"});
  if (t.type == "sentencepiece") {
    // The file is only opened when training starts: a finished run never needs it again.
    const std::string model = r.get_string_required("model");
    if (model.empty()) fail("{}: expected a path, got \"\"", r.where("model"));
    t.model = resolve_config_path(file, model);
    r.finish();
    return t;
  }
  t.max_tokens = r.get_int("max_tokens", t.max_tokens, 0);
  if (t.max_tokens > 0 && t.max_tokens < 3)
    fail("{}: expected 0 (no cap) or >= 3 (padding, [UNK] and one character), got {}",
         r.where("max_tokens"), t.max_tokens);
  r.finish();
  return t;
}

LmTrainingConfig parse_lm_training(const JsonObjectReader& r) {
  LmTrainingConfig t;
  parse_shared_training(r, t, {"adamw", "adam"}, {"constant", "warmup_cosine", "warmup_linear"});
  t.grad_accum_steps = r.get_int("grad_accum_steps", t.grad_accum_steps, 1);
  t.max_steps = r.get_int("max_steps", t.max_steps, 1);
  t.eval_every = r.get_int("eval_every", t.eval_every, 1);
  t.eval_tokens = r.get_int("eval_tokens", t.eval_tokens, 0);
  r.finish();
  if (t.schedule != "constant" && t.warmup_steps > t.max_steps)
    fail("{}: warmup_steps ({}) exceeds max_steps ({})", r.where("warmup_steps"), t.warmup_steps,
         t.max_steps);
  if (t.min_lr > t.lr) fail("{}: min_lr ({}) exceeds lr ({})", r.where("min_lr"), t.min_lr, t.lr);
  return t;
}

}  // namespace

LmRunConfig parse_lm_run_config(const nlohmann::json& j, const std::string& file) {
  JsonObjectReader root(j, file);
  LmRunConfig c;
  c.name = root.get_string("name", c.name);
  root.get_string("description", "");
  c.tokenizer = parse_lm_tokenizer(root.get_object_or_empty("tokenizer"), file);
  c.training = parse_lm_training(root.get_object_or_empty("training"));
  c.model = parse_decoder_lm_config(root.get_object("model"));
  root.finish();
  return c;
}

LmRunConfig load_lm_run_config(const std::filesystem::path& file) {
  return parse_lm_run_config(read_json_file(file), file.string());
}

nlohmann::json to_json(const LmRunConfig& c) {
  const auto& t = c.training;
  const nlohmann::json tokenizer =
      c.tokenizer.type == "sentencepiece"
          ? nlohmann::json{{"type", c.tokenizer.type}, {"model", c.tokenizer.model}}
          : nlohmann::json{{"type", c.tokenizer.type}, {"max_tokens", c.tokenizer.max_tokens}};
  nlohmann::json training = shared_training_to_json(t);
  training.update({{"grad_accum_steps", t.grad_accum_steps},
                   {"max_steps", t.max_steps},
                   {"eval_every", t.eval_every},
                   {"eval_tokens", t.eval_tokens}});
  return {{"name", c.name},
          {"tokenizer", tokenizer},
          {"model", to_json(c.model)},
          {"training", training}};
}

}  // namespace attn::train
