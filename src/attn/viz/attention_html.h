#pragma once
// The attention view: one self-contained HTML file (inline CSS/JS/data, nothing
// fetched) with a head view, a heatmap per head, an overview of every head and
// the prediction. Built from an AttentionCapture only, so any model can use it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "attn/models/attention_capture.h"

namespace attn::viz {

// The data block the page script reads: {title, note, sequences: [{name, tokens}],
// maps: [{name, layer, kind, q, k, heads, tq, tk, w: [[Tq*Tk row-major] per head]}],
// prediction: {title, classes: [[label, p]], text}}. Weights rounded to 1e-5.
nlohmann::json attention_json(const models::AttentionCapture& cap);

// The markup of one attention view (controls, prediction, every head, head view,
// matrices): window.attnView (attention_page_assets.h) fills it. Shared by this
// page and the training report, which holds two views.
std::string attention_view_markup();

// The whole page; validates the capture first (throws attn::Error).
std::string attention_html(const models::AttentionCapture& cap);

// Writes attention_html(cap) to `file` atomically; throws attn::Error naming the
// file when it cannot be written.
void write_attention_html(const models::AttentionCapture& cap, const std::filesystem::path& file);

}  // namespace attn::viz
