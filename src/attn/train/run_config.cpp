#include "attn/train/run_config.h"

#include "attn/io/json_reader.h"

namespace attn::train {

namespace {

models::ClassifierConfig parse_model(const JsonObjectReader& r, std::int64_t default_vocab) {
  models::ClassifierConfig m;
  r.get_string_enum("type", "encoder_classifier", {"encoder_classifier"});
  m.vocab_size = r.get_int("vocab_size", default_vocab, 1);
  m.max_len = r.get_int("max_len", m.max_len, 1);
  m.d_model = r.get_int("d_model", m.d_model, 1);
  m.positional = nn::parse_positional(
      r.get_string_enum("positional", "none", {"none", "sinusoidal", "learned"}));
  m.bare_attention = r.get_bool("bare_attention", m.bare_attention);
  m.num_layers = r.get_int("num_layers", m.num_layers, 0);
  m.num_heads = r.get_int("num_heads", m.num_heads, 1);
  m.key_dim = r.get_int("key_dim", m.key_dim, 0);
  m.d_ff = r.get_int("d_ff", m.d_ff, 1);
  m.dropout = static_cast<float>(r.get_float("dropout", m.dropout, 0.0, 0.99));
  m.embedding_dropout =
      static_cast<float>(r.get_float("embedding_dropout", m.embedding_dropout, 0.0, 0.99));
  m.activation =
      nn::parse_activation(r.get_string_enum("activation", "relu", {"relu", "gelu", "gelu_tanh"}));
  m.norm_first = r.get_bool("norm_first", m.norm_first);
  m.layer_norm_eps =
      static_cast<float>(r.get_float("layer_norm_eps", m.layer_norm_eps, 1e-12, 1.0));
  m.pooling = nn::parse_pooling(r.get_string_enum("pooling", "mean", {"mean", "max", "cls"}));
  m.num_classes = r.get_int("num_classes", m.num_classes, 1);
  r.finish();
  if (!m.bare_attention && m.d_model % m.num_heads != 0)
    fail("{}: d_model ({}) must be divisible by num_heads ({})", r.where("d_model"), m.d_model,
         m.num_heads);
  m.validate();
  return m;
}

TokenizerConfig parse_tokenizer(const JsonObjectReader& r) {
  TokenizerConfig t;
  t.type = r.get_string_enum("type", t.type, {"word", "char"});
  t.max_tokens = r.get_int("max_tokens", t.max_tokens, 3);
  t.min_count = r.get_int("min_count", t.min_count, 1);
  t.lowercase = r.get_bool("lowercase", t.lowercase);
  t.standardize = r.get_string_enum("standardize", t.standardize,
                                    {"none", "lower", "strip_punctuation",
                                     "lower_and_strip_punctuation", "lower_and_split_punctuation"});
  r.finish();
  return t;
}

DataConfig parse_data(const JsonObjectReader& r) {
  DataConfig d;
  d.max_len = r.get_int("max_len", d.max_len, 1);
  d.positive_label = r.get_string("positive_label", d.positive_label);
  d.truncate = r.get_string_enum("truncate", d.truncate, {"head", "head_tail"});
  d.text_fields = r.get_string_list("text_fields", d.text_fields);
  if (d.text_fields.empty()) fail("{}: expected at least one field name", r.where("text_fields"));
  r.finish();
  return d;
}

TrainingConfig parse_training(const JsonObjectReader& r) {
  TrainingConfig t;
  parse_shared_training(r, t, {"sgd", "adam", "adamw"},
                        {"constant", "warmup_cosine", "warmup_linear", "inverse_sqrt"});
  t.momentum = static_cast<float>(r.get_float("momentum", t.momentum, 0.0, 0.999999));
  t.epochs = r.get_int("epochs", t.epochs, 1);
  t.early_stopping_patience = r.get_int("early_stopping_patience", t.early_stopping_patience, 0);
  t.ema_decay = static_cast<float>(r.get_float("ema_decay", t.ema_decay, 0.0, 0.999999));
  t.monitor = r.get_string_enum("monitor", t.monitor, {"val_loss", "val_accuracy"});
  t.bucket_by_length = r.get_bool("bucket_by_length", t.bucket_by_length);
  t.label_smoothing =
      static_cast<float>(r.get_float("label_smoothing", t.label_smoothing, 0.0, 0.99));
  r.finish();
  return t;
}

}  // namespace

RunConfig parse_run_config(const nlohmann::json& j, const std::string& file) {
  JsonObjectReader root(j, file);
  RunConfig c;
  c.source = j;
  c.name = root.get_string("name", c.name);
  root.get_string("description", "");
  c.tokenizer = parse_tokenizer(root.get_object_or_empty("tokenizer"));
  c.data = parse_data(root.get_object_or_empty("data"));
  c.training = parse_training(root.get_object_or_empty("training"));
  c.model = parse_model(root.get_object("model"), c.tokenizer.max_tokens);
  root.finish();
  return c;
}

RunConfig load_run_config(const std::filesystem::path& file) {
  return parse_run_config(read_json_file(file), file.string());
}

nlohmann::json to_json(const RunConfig& c) {
  const auto& m = c.model;
  const auto& t = c.training;
  const char* activation = m.activation == nn::Activation::relu   ? "relu"
                           : m.activation == nn::Activation::gelu ? "gelu"
                                                                  : "gelu_tanh";
  nlohmann::json training = shared_training_to_json(t);
  training.update({{"momentum", t.momentum},
                   {"epochs", t.epochs},
                   {"early_stopping_patience", t.early_stopping_patience},
                   {"monitor", t.monitor},
                   {"ema_decay", t.ema_decay},
                   {"bucket_by_length", t.bucket_by_length},
                   {"label_smoothing", t.label_smoothing}});
  const char* pooling = m.pooling == nn::Pooling::mean  ? "mean"
                        : m.pooling == nn::Pooling::max ? "max"
                                                        : "cls";
  return {{"name", c.name},
          {"tokenizer",
           {{"type", c.tokenizer.type},
            {"max_tokens", c.tokenizer.max_tokens},
            {"min_count", c.tokenizer.min_count},
            {"lowercase", c.tokenizer.lowercase},
            {"standardize", c.tokenizer.standardize}}},
          {"data",
           {{"max_len", c.data.max_len},
            {"positive_label", c.data.positive_label},
            {"truncate", c.data.truncate},
            {"text_fields", c.data.text_fields}}},
          {"model",
           {{"type", "encoder_classifier"},
            {"vocab_size", m.vocab_size},
            {"max_len", m.max_len},
            {"d_model", m.d_model},
            {"positional", nn::positional_name(m.positional)},
            {"bare_attention", m.bare_attention},
            {"num_layers", m.num_layers},
            {"num_heads", m.num_heads},
            {"key_dim", m.key_dim},
            {"d_ff", m.d_ff},
            {"dropout", m.dropout},
            {"embedding_dropout", m.embedding_dropout},
            {"activation", activation},
            {"norm_first", m.norm_first},
            {"layer_norm_eps", m.layer_norm_eps},
            {"pooling", pooling},
            {"num_classes", m.num_classes}}},
          {"training", training}};
}

}  // namespace attn::train
