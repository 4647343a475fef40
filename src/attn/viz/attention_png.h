#pragma once
// PNG heatmaps of an AttentionCapture: one image per (map, head) with token
// labels on both axes and a title, and overview.png with every head in a grid.
// Colour = weight / (largest weight of that head) through ramp_color, so the
// brightest cell of an image is the head's largest weight.
#include <filesystem>
#include <string>
#include <vector>

#include "attn/models/attention_capture.h"
#include "attn/viz/raster.h"

namespace attn::viz {

struct Heatmap {
  Image image;
  int grid_x = 0, grid_y = 0;  // top-left pixel of cell (0, 0)
  int cell = 0;                // cell side in pixels; cell (i, j) = row i (query), column j (key)
};

// w [Tq, Tk] row-major, q_tokens.size() == Tq, k_tokens.size() == Tk -> the labelled heatmap.
Heatmap render_heatmap(const float* w, const std::vector<std::string>& q_tokens,
                       const std::vector<std::string>& k_tokens, const std::string& title,
                       const Font& font);

// All maps x heads of `cap` -> Tq x Tk thumbnails in a grid (rows = maps, columns = heads).
Image render_overview(const models::AttentionCapture& cap, const Font& font);

// The file name of one head's image: "layer0_self_head1.png", "layer2_encoder_self_head0.png",
// "layer1_cross_head3.png" (from the map's name after "layer N ").
std::string heatmap_file_name(const models::AttentionMap& m, int head);

// Writes one PNG per (map, head) and overview.png into `dir` (created if missing);
// returns the files written. Throws attn::Error for a bad capture, an unwritable
// directory or a missing font.
std::vector<std::filesystem::path> write_attention_pngs(
    const models::AttentionCapture& cap, const std::filesystem::path& dir,
    const std::filesystem::path& font_file = default_font_path());

}  // namespace attn::viz
