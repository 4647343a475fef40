#pragma once
// ReportData: everything the training report shows, as plain values. The code
// that opens a run (train/report_collect.h) fills it; the renderer
// (viz/training_report.h) draws it without opening files or running models.
// It lives in models/ because both train/ and viz/ can see it (like
// attention_capture.h). Sections per model shape are optional members, so a
// language model or seq2seq section can be added beside `classifier`.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attn/models/attention_capture.h"
#include "attn/models/encoder_classifier.h"

namespace attn::models {

// One line of RUN/steps.jsonl (NaN where the line had null).
struct StepPoint {
  std::int64_t step = 0, epoch = 0;
  double loss = 0, accuracy = 0, lr = 0, tokens_per_s = 0, seconds = 0;
};

// One line of RUN/metrics.jsonl: an epoch of a classifier, a validation of an LM.
struct EpochPoint {
  std::int64_t epoch = 0, step = 0;
  double lr = 0, train_loss = 0, train_accuracy = 0, val_loss = 0, val_accuracy = 0, val_f1 = 0;
  double seconds = 0;  // classifiers: of this epoch; LMs: since the run started
  bool best = false;
  double val_bpc = 0;  // LMs only (NaN for classifiers)
};

struct ClassifiedExample {
  std::string id;
  std::string text;  // at most kExcerptChars code points (+ "…" when cut)
  std::string true_label, predicted_label;
  double p_true = 0;  // the probability the model gave the true label
};

// An attention view with a caption saying why this example was picked.
struct ReportAttention {
  std::string caption;
  AttentionCapture capture;
};

struct ClassifierSection {
  std::string data_file;            // what the numbers below were computed on
  std::vector<std::string> labels;  // confusion rows/columns, in this order
  // confusion[t][p]: examples of true label t predicted as p; sums to n.
  std::vector<std::vector<std::int64_t>> confusion;
  std::int64_t n = 0;
  double accuracy = 0, loss = 0;
  bool binary = false;
  std::string positive_label;  // binary only
  double precision = 0, recall = 0, f1 = 0;
  std::vector<ClassifiedExample> worst;  // ascending p_true
};

// A prompt and what the model wrote after it.
struct LmSample {
  std::string prompt, text;
};

struct LmSection {
  std::string data_file;  // empty: no evaluation (missing_data_note says why)
  double loss = 0, perplexity = 0, bits_per_char = 0;  // on data_file, nats per token for loss
  std::int64_t tokens = 0, characters = 0, window = 0, stride = 0;
  std::string sampling;  // how the samples were drawn, e.g. "temperature 0.8, top-k 40, seed 1"
  std::vector<LmSample> samples;
};

// One decoded sentence of the evaluation data: its source, every reference and the output.
struct Seq2SeqSample {
  std::string source, output;
  std::vector<std::string> references;
  bool exact = false;  // the output equals one of the references
};

struct Seq2SeqSection {
  std::string data_file;  // empty: no evaluation (missing_data_note says why)
  std::int64_t pairs = 0, sentences = 0, beam = 1;
  double loss = 0, perplexity = 0;                      // teacher-forced, nats per token
  std::vector<std::pair<std::string, double>> metrics;  // "BLEU" 23.1, "WER" 18.2, ...
  std::vector<std::string> metric_details;              // sacreBLEU-style lines
  std::vector<Seq2SeqSample> samples;                   // the first sentences of data_file
};

struct ReportData {
  std::string run;          // the run directory as given
  std::string model_kind;   // "encoder classifier" | "decoder LM" | "encoder-decoder"
  std::string model_name;   // config "name"
  std::string config_json;  // the run's config.json, pretty-printed
  std::vector<LayerRow> summary;
  std::vector<EpochPoint> epochs;
  std::vector<StepPoint> steps;
  std::int64_t best_epoch = -1;
  std::optional<ClassifierSection> classifier;  // one of these three is set
  std::optional<LmSection> lm;
  std::optional<Seq2SeqSection> seq2seq;
  std::string missing_data_note;           // why no evaluation section (e.g. no data file given)
  std::vector<ReportAttention> attention;  // at most two examples
};

inline constexpr std::size_t kExcerptChars = 300;
inline constexpr std::size_t kWorstExamples = 10;
inline constexpr std::size_t kLmSamples = 3;
inline constexpr std::size_t kSeq2SeqSamples = 10;

}  // namespace attn::models
