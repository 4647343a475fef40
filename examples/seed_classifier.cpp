// The seed article's Keras classifier, built, trained and evaluated through
// attn's C++ API. Usage: seed_classifier DATA_DIR RUN_DIR [EPOCHS]
// (DATA_DIR holds train/valid/test.jsonl, e.g. from `attn data fetch spamassassin`).
#include <attn/models/encoder_classifier.h>
#include <attn/train/classifier_run.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 3) return std::cerr << "usage: seed_classifier DATA_DIR RUN_DIR [EPOCHS]\n", 2;
  const std::filesystem::path data = argv[1], run = argv[2];
  attn::train::RunConfig cfg;
  cfg.name = "seed_classifier";
  cfg.tokenizer.max_tokens = 10000;  // word vocabulary of 10,000
  cfg.data.max_len = 200;
  cfg.data.positive_label = "spam";
  cfg.model.vocab_size = 10000;     // Embedding(input_dim=10000,
  cfg.model.d_model = 64;           //           output_dim=64)
  cfg.model.bare_attention = true;  // MultiHeadAttention(num_heads=2, key_dim=64)
  cfg.model.num_heads = 2;          //   as self-attention: query = value
  cfg.model.key_dim = 64;
  cfg.model.pooling = attn::nn::Pooling::mean;  // GlobalAveragePooling1D
  cfg.model.num_classes = 1;                    // Dense(1, activation="sigmoid")
  cfg.training.optimizer = "adam";              // compile(optimizer="adam",
  cfg.training.lr = 1e-3f;                      //         loss="binary_crossentropy")
  cfg.training.batch_size = 32;
  cfg.training.epochs = argc > 3 ? std::stoll(argv[3]) : 10;

  attn::models::EncoderClassifier model(cfg.model, cfg.training.seed);
  std::cout << attn::models::summary_table(cfg.name, model.layer_rows());

  attn::train::FitOptions fit;
  fit.config = cfg;
  fit.train = data / "train.jsonl";
  fit.valid = data / "valid.jsonl";
  fit.out = run;
  attn::train::fit_classifier(fit, std::cerr);                                   // model.fit(...)
  const auto test = attn::train::evaluate_classifier(run, data / "test.jsonl");  // model.evaluate
  std::cout << attn::format_metrics_table(test.binary, test.loss);
  return 0;
}
