#include "attn/io/json_reader.h"
#include "attn/models/encoder_classifier.h"
#include "attn/train/lm_config.h"
#include "attn/train/run_config.h"
#include "attn/train/seq2seq_config.h"
#include "commands.h"

namespace attn::cli {

void add_summary(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("summary", "print a Keras-style table of a model's layers");
  auto config = std::make_shared<std::filesystem::path>();
  auto checkpoint = std::make_shared<std::filesystem::path>();
  cmd->add_option("--config", *config, "model config (JSON)");
  cmd->add_option("--checkpoint", *checkpoint, "or a run directory");
  cmd->callback([&run, config, checkpoint] {
    if (config->empty() == checkpoint->empty())
      throw CLI::ValidationError("summary", "give exactly one of --config or --checkpoint");
    run = [config, checkpoint] {
      const auto file = config->empty() ? *checkpoint / "config.json" : *config;
      auto json = read_json_file(file);
      json.erase("labels");
      if (train::is_decoder_lm_config(json)) {
        const JsonObjectReader root(json, file.string());
        const auto cfg = train::parse_decoder_lm_config(root.get_object("model"));
        const std::string name = root.get_string("name", "decoder_lm");
        models::DecoderLM model(cfg, 0);  // the seed does not change the table
        fmt::print("{}", models::summary_table(name, model.layer_rows()));
        return 0;
      }
      if (train::is_seq2seq_config(json)) {
        auto cfg = train::parse_seq2seq_run_config(json, file.string());
        // A config may leave the vocabularies to the tokenizers; the table then counts
        // the embeddings for the sizes given (a run directory has the resolved ones).
        ATTN_CHECK(cfg.model.source_vocab_size > 0 && cfg.model.target_vocab_size > 0,
                   "{}: model.source_vocab_size and model.target_vocab_size come from the "
                   "tokenizers at training time: pass --checkpoint RUN, or set both in the "
                   "config",
                   file.string());
        models::Seq2Seq model(cfg.model, 0);
        fmt::print("{}", models::summary_table(cfg.name, model.layer_rows()));
        return 0;
      }
      const auto cfg = train::parse_run_config(json, file.string());
      models::EncoderClassifier model(cfg.model, cfg.training.seed);
      fmt::print("{}", models::summary_table(cfg.name, model.layer_rows()));
      return 0;
    };
  });
}

}  // namespace attn::cli
