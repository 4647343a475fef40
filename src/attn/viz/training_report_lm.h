#pragma once
// The decoder-LM sections of the training report (training_report.cpp draws
// the page around them): the validations table, bits per character on a text
// file and the sample generations.
#include <string>

#include "attn/models/report_data.h"

namespace attn::viz {

// One row per line of metrics.jsonl: step, lr, train loss, val loss, val bpc, elapsed time.
std::string lm_validations_table(const models::ReportData& d);
// d.lm's evaluation (or d.missing_data_note) and its samples, prompt in bold.
std::string lm_evaluation_section(const models::ReportData& d);

}  // namespace attn::viz
