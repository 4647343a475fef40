#include "attn/train/seq2seq_config.h"

namespace attn::train {

bool is_seq2seq_config(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) return false;
  const auto& m = j["model"];
  return m.contains("type") && m["type"].is_string() && m["type"] == "seq2seq";
}

models::Seq2SeqConfig parse_seq2seq_model(const JsonObjectReader& r) {
  models::Seq2SeqConfig m;
  r.get_string_enum("type", "seq2seq", {"seq2seq"});
  m.source_vocab_size = r.get_int("source_vocab_size", 0, 0);
  m.target_vocab_size = r.get_int("target_vocab_size", 0, 0);
  m.max_len = r.get_int("max_len", m.max_len, 2);
  m.d_model = r.get_int("d_model", m.d_model, 1);
  m.num_heads = r.get_int("num_heads", m.num_heads, 1);
  m.encoder_layers = r.get_int("encoder_layers", m.encoder_layers, 1);
  m.decoder_layers = r.get_int("decoder_layers", m.decoder_layers, 1);
  m.d_ff = r.get_int("d_ff", m.d_ff, 0);
  m.dropout = static_cast<float>(r.get_float("dropout", m.dropout, 0.0, 0.99));
  m.norm_first = r.get_string_enum("norm", "post", {"post", "pre"}) == "pre";
  m.positional = nn::parse_positional(
      r.get_string_enum("positional", "sinusoidal", {"learned", "sinusoidal"}));
  m.activation =
      nn::parse_activation(r.get_string_enum("activation", "relu", {"relu", "gelu", "gelu_tanh"}));
  m.share_embeddings = r.get_bool("share_embeddings", m.share_embeddings);
  m.tie_output = r.get_bool("tie_output", m.tie_output);
  m.scale_embeddings = r.get_bool("scale_embeddings", m.scale_embeddings);
  m.layer_norm_eps =
      static_cast<float>(r.get_float("layer_norm_eps", m.layer_norm_eps, 1e-12, 1.0));
  r.finish();
  if (m.d_model % m.num_heads != 0)
    fail("{}: d_model ({}) must be divisible by num_heads ({})", r.where("d_model"), m.d_model,
         m.num_heads);
  return m;
}

nlohmann::json to_json(const models::Seq2SeqConfig& c) {
  const char* act = c.activation == nn::Activation::relu   ? "relu"
                    : c.activation == nn::Activation::gelu ? "gelu"
                                                           : "gelu_tanh";
  return {{"type", "seq2seq"},
          {"source_vocab_size", c.source_vocab_size},
          {"target_vocab_size", c.target_vocab_size},
          {"max_len", c.max_len},
          {"d_model", c.d_model},
          {"num_heads", c.num_heads},
          {"encoder_layers", c.encoder_layers},
          {"decoder_layers", c.decoder_layers},
          {"d_ff", c.d_ff},
          {"dropout", c.dropout},
          {"norm", c.norm_first ? "pre" : "post"},
          {"positional", nn::positional_name(c.positional)},
          {"activation", act},
          {"share_embeddings", c.share_embeddings},
          {"tie_output", c.tie_output},
          {"scale_embeddings", c.scale_embeddings},
          {"layer_norm_eps", c.layer_norm_eps}};
}

namespace {

SideTokenizerConfig parse_side(const JsonObjectReader& r, const std::string& file) {
  SideTokenizerConfig t;
  t.type = r.get_string_enum("type", t.type, {"char", "word", "sentencepiece"});
  if (t.type == "sentencepiece") {
    const std::string model = r.get_string("model", "");
    if (!model.empty()) t.model = resolve_config_path(file, model);
    t.vocab_size = r.get_int("vocab_size", t.vocab_size, 300, 1 << 20);
    t.model_type = r.get_string_enum("model_type", t.model_type, {"bpe", "unigram"});
  } else {
    t.max_tokens = r.get_int("max_tokens", t.max_tokens, 0);
    if (t.max_tokens > 0 && t.max_tokens < 3)
      fail("{}: expected 0 (no cap) or >= 3 (padding, [UNK] and one symbol), got {}",
           r.where("max_tokens"), t.max_tokens);
  }
  r.finish();
  return t;
}

nlohmann::json side_to_json(const SideTokenizerConfig& t) {
  if (t.type != "sentencepiece") return {{"type", t.type}, {"max_tokens", t.max_tokens}};
  nlohmann::json j{{"type", t.type}, {"vocab_size", t.vocab_size}, {"model_type", t.model_type}};
  if (!t.model.empty()) j["model"] = t.model;
  return j;
}

Seq2SeqTokenizerConfig parse_tokenizers(const JsonObjectReader& r, const std::string& file) {
  Seq2SeqTokenizerConfig t;
  t.joint = r.get_bool("joint", t.joint);
  t.source = parse_side(r.get_object_or_empty("source"), file);
  if (t.joint) {
    if (r.has("target"))
      fail("{}: a joint tokenizer is configured by \"source\" alone", r.where("target"));
    t.target = t.source;
  } else {
    t.target = parse_side(r.get_object_or_empty("target"), file);
  }
  r.finish();
  return t;
}

Seq2SeqTrainingConfig parse_training(const JsonObjectReader& r) {
  Seq2SeqTrainingConfig t;
  parse_shared_training(r, t, {"adam", "adamw"},
                        {"inverse_sqrt", "constant", "warmup_cosine", "warmup_linear"});
  if (r.json().contains("batch_size"))
    fail(
        "{}: an encoder-decoder batches by token count: use training.max_tokens (and "
        "decoding.batch_size for sentences decoded together)",
        r.where("batch_size"));
  t.max_tokens = r.get_int("max_tokens", t.max_tokens, 1);
  t.label_smoothing =
      static_cast<float>(r.get_float("label_smoothing", t.label_smoothing, 0, 0.99));
  t.max_steps = r.get_int("max_steps", t.max_steps, 1);
  t.max_minutes = r.get_float("max_minutes", t.max_minutes, 0.0, 1e7);
  t.eval_every = r.get_int("eval_every", t.eval_every, 1);
  t.ema_decay = static_cast<float>(r.get_float("ema_decay", t.ema_decay, 0.0, 0.999999));
  r.finish();
  if (t.schedule != "constant" && t.schedule != "inverse_sqrt" && t.warmup_steps > t.max_steps)
    fail("{}: warmup_steps ({}) exceeds max_steps ({})", r.where("warmup_steps"), t.warmup_steps,
         t.max_steps);
  if (t.min_lr > t.lr) fail("{}: min_lr ({}) exceeds lr ({})", r.where("min_lr"), t.min_lr, t.lr);
  return t;
}

DecodingConfig parse_decoding(const JsonObjectReader& r) {
  DecodingConfig d;
  d.beam = r.get_int("beam", d.beam, 1, 256);
  d.length_penalty = static_cast<float>(r.get_float("length_penalty", d.length_penalty, 0, 10));
  d.max_len_a = static_cast<float>(r.get_float("max_len_a", d.max_len_a, 0, 100));
  d.max_len_b = static_cast<float>(r.get_float("max_len_b", d.max_len_b, 0, 1e6));
  d.batch_size = r.get_int("batch_size", d.batch_size, 1);
  r.finish();
  return d;
}

}  // namespace

Seq2SeqRunConfig parse_seq2seq_run_config(const nlohmann::json& j, const std::string& file) {
  JsonObjectReader root(j, file);
  Seq2SeqRunConfig c;
  c.name = root.get_string("name", c.name);
  root.get_string("description", "");
  c.tokenizer = parse_tokenizers(root.get_object_or_empty("tokenizer"), file);
  c.model = parse_seq2seq_model(root.get_object("model"));
  c.training = parse_training(root.get_object_or_empty("training"));
  c.decoding = parse_decoding(root.get_object_or_empty("decoding"));
  c.metrics = root.get_string_list("metrics", c.metrics);
  for (const auto& m : c.metrics)
    if (m != "bleu" && m != "chrf" && m != "wer" && m != "per")
      fail("{}: unknown metric \"{}\" (expected bleu, chrf, wer or per)", root.where("metrics"), m);
  root.finish();
  if (c.model.share_embeddings && !c.tokenizer.joint)
    fail("{}: share_embeddings needs one vocabulary: set tokenizer.joint to true",
         file + ": model.share_embeddings");
  return c;
}

Seq2SeqRunConfig load_seq2seq_run_config(const std::filesystem::path& file) {
  return parse_seq2seq_run_config(read_json_file(file), file.string());
}

nlohmann::json to_json(const Seq2SeqRunConfig& c) {
  const auto& t = c.training;
  nlohmann::json tokenizer{{"joint", c.tokenizer.joint},
                           {"source", side_to_json(c.tokenizer.source)}};
  if (!c.tokenizer.joint) tokenizer["target"] = side_to_json(c.tokenizer.target);
  nlohmann::json training = shared_training_to_json(t);
  training.erase("batch_size");  // batches are cut by max_tokens
  training.update({{"max_tokens", t.max_tokens},
                   {"label_smoothing", t.label_smoothing},
                   {"max_steps", t.max_steps},
                   {"max_minutes", t.max_minutes},
                   {"eval_every", t.eval_every},
                   {"ema_decay", t.ema_decay}});
  const auto& d = c.decoding;
  return {{"name", c.name},
          {"tokenizer", tokenizer},
          {"model", to_json(c.model)},
          {"training", training},
          {"decoding",
           {{"beam", d.beam},
            {"length_penalty", d.length_penalty},
            {"max_len_a", d.max_len_a},
            {"max_len_b", d.max_len_b},
            {"batch_size", d.batch_size}}},
          {"metrics", c.metrics}};
}

}  // namespace attn::train
