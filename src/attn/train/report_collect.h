#pragma once
// Gathers what the training report shows from a run directory (and a labelled
// data file): the library side of `attn report` and of the report `attn train`
// writes at the end. Rendering is viz/training_report.h's job.
#include <filesystem>
#include <string>
#include <vector>

#include "attn/models/report_data.h"

namespace attn::train {

// Config, summary rows, metrics.jsonl and steps.jsonl lines; with a data file,
// also the confusion matrix and metrics on it, the kWorstExamples examples
// with the lowest probability of their true label, and the attention of two
// examples (the most confident correct one and the worst-classified one).
// data empty: no evaluation section (missing_data_note says so). Throws
// attn::Error for a missing or bad run directory or an unreadable data file.
models::ReportData collect_classifier_report(const std::filesystem::path& run,
                                             const std::filesystem::path& data, int threads = 0);

// RUN/steps.jsonl and RUN/metrics.jsonl as points (missing file: none; a line
// that does not parse, e.g. torn by a power loss, is skipped).
std::vector<models::StepPoint> read_step_log(const std::filesystem::path& file);
std::vector<models::EpochPoint> read_epoch_log(const std::filesystem::path& file);

// Throws attn::Error unless `run` is a directory; sets the thread count (0 = all cores).
void begin_report(const std::filesystem::path& run, int threads);
// The parts every report has: the model's kind, name and summary rows as given, and
// run, config_json, epochs (metrics.jsonl) and steps (steps.jsonl) read from `run`.
models::ReportData read_run_logs(const std::filesystem::path& run, std::string kind,
                                 std::string name, std::vector<models::LayerRow> summary);

// At most `max_chars` code points of UTF-8 `text`, plus "…" when it was cut.
std::string text_excerpt(const std::string& text, std::size_t max_chars);

}  // namespace attn::train
