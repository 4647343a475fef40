#pragma once
// Gathers the training report of a decoder LM run (the LM side of
// report_collect.h): config, summary, curves, bits per character on a text
// file, sample generations and two attention views.
#include <filesystem>
#include <iosfwd>

#include "attn/models/report_data.h"

namespace attn::train {

// Samples: kLmSamples texts drawn with temperature 0.8 and seed 1 (so the report
// of a run is reproducible): from the start token, and with data, from the first
// words of its first lines. Attention views: the greedy continuation of the first
// two prompts. data empty: no evaluation (missing_data_note says so). Warnings
// (characters outside the vocabulary) go to `log`. Throws attn::Error for a
// missing or bad run directory or an unreadable data file.
models::ReportData collect_lm_report(const std::filesystem::path& run,
                                     const std::filesystem::path& data, int threads,
                                     std::ostream& log);

}  // namespace attn::train
