#pragma once
// The training report of an encoder-decoder run: its curves and validations, the run's
// metrics (BLEU / chrF / WER / PER) on a parallel TSV, the first sentences decoded beside
// their references, and the attention (encoder, decoder and cross) of two of them.
#include <filesystem>
#include <iosfwd>

#include "attn/models/report_data.h"

namespace attn::train {

// data: a source<TAB>target file (empty: no evaluation section).
models::ReportData collect_seq2seq_report(const std::filesystem::path& run,
                                          const std::filesystem::path& data, int threads,
                                          std::ostream& log);

}  // namespace attn::train
