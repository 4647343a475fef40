#pragma once
// The encoder-decoder sections of the training report (training_report.cpp draws the page
// around them): the validations table and the evaluation with sample outputs.
#include <string>

#include "attn/models/report_data.h"

namespace attn::viz {

// One row per line of metrics.jsonl: step, lr, train loss, val loss, val perplexity, time.
std::string seq2seq_validations_table(const models::ReportData& d);
// d.seq2seq's metrics (or d.missing_data_note) and its sample outputs beside the references.
std::string seq2seq_evaluation_section(const models::ReportData& d);

}  // namespace attn::viz
