#include "attn/viz/attention_png.h"

#include <algorithm>

#include "attn/data/utf8.h"
#include "attn/io/atomic_file.h"

namespace attn::viz {

namespace {

constexpr float kLabelPx = 12.0f;
constexpr float kTitlePx = 15.0f;
constexpr int kPad = 8;
const Rgb kInk{34, 34, 34};
const Rgb kWhite{255, 255, 255};

// A token as a short, visible label: whitespace made visible, at most 14 characters.
std::string label_of(const std::string& token) {
  std::string out;
  int n = 0;
  for (std::size_t i = 0; i < token.size() && n < 14; ++n) {
    const auto d = decode_utf8_at(token, i);
    i += d.length;
    if (d.cp == U' ') {
      out += "\u2423";
    } else if (d.cp == U'\n') {
      out += "\u21B5";
    } else if (d.cp < 0x20 || d.cp == 0x7F) {
      out += "\u00B7";
    } else {
      append_utf8(out, d.cp);
    }
    if (n == 13 && i < token.size()) out += "\u2026";
  }
  return out.empty() ? "\u2205" : out;
}

float max_of(const float* w, std::int64_t n) {
  float m = 0;
  for (std::int64_t i = 0; i < n; ++i) m = std::max(m, w[i]);
  return m > 0 ? m : 1.0f;
}

// Cells of `w` [tq, tk] at (x, y), each `cell` px, coloured relative to the largest weight.
void paint_cells(Image& img, const float* w, int tq, int tk, int x, int y, int cell) {
  const float mx = max_of(w, static_cast<std::int64_t>(tq) * tk);
  for (int i = 0; i < tq; ++i)
    for (int j = 0; j < tk; ++j)
      img.fill_rect(x + j * cell, y + i * cell, cell, cell,
                    ramp_color(w[static_cast<std::size_t>(i) * static_cast<std::size_t>(tk) +
                                 static_cast<std::size_t>(j)] /
                               mx));
}

}  // namespace

Heatmap render_heatmap(const float* w, const std::vector<std::string>& q_tokens,
                       const std::vector<std::string>& k_tokens, const std::string& title,
                       const Font& font) {
  const int tq = static_cast<int>(q_tokens.size()), tk = static_cast<int>(k_tokens.size());
  ATTN_CHECK(tq > 0 && tk > 0, "heatmap '{}': no tokens ({} x {})", title, tq, tk);
  const int cell = std::clamp(480 / std::max(tq, tk), 4, 24);
  // Label every k-th token when cells are thinner than a line of text.
  const int every = (static_cast<int>(kLabelPx) + cell) / cell;
  std::vector<std::string> ql, kl;
  int q_width = 0, k_width = 0;
  for (const auto& t : q_tokens)
    q_width = std::max(q_width, font.text_width(ql.emplace_back(label_of(t)), kLabelPx));
  for (const auto& t : k_tokens)
    k_width = std::max(k_width, font.text_width(kl.emplace_back(label_of(t)), kLabelPx));
  const int title_h = static_cast<int>(kTitlePx) + kPad;
  const int title_w = font.text_width(title, kTitlePx) + 2 * kPad;
  Heatmap h{Image(1, 1, kWhite), kPad + q_width + 6, kPad + title_h + k_width + 6, cell};
  const int width = std::max(h.grid_x + tk * cell + kPad, title_w);
  h.image = Image(width, h.grid_y + tq * cell + kPad, kWhite);
  font.draw(h.image, kPad, kPad, title, kTitlePx, kInk);
  paint_cells(h.image, w, tq, tk, h.grid_x, h.grid_y, cell);
  const int text_h = static_cast<int>(kLabelPx);
  for (int i = 0; i < tq; i += every) {
    const int x = h.grid_x - 4 - font.text_width(ql[static_cast<std::size_t>(i)], kLabelPx);
    font.draw(h.image, x, h.grid_y + i * cell + (cell - text_h) / 2 - 1,
              ql[static_cast<std::size_t>(i)], kLabelPx, kInk);
  }
  for (int j = 0; j < tk; j += every)
    font.draw(h.image, h.grid_x + j * cell + (cell - text_h) / 2 - 1, h.grid_y - 4,
              kl[static_cast<std::size_t>(j)], kLabelPx, kInk, true);
  return h;
}

Image render_overview(const models::AttentionCapture& cap, const Font& font) {
  cap.validate();
  ATTN_CHECK(!cap.maps.empty(), "attention overview: the capture has no attention maps");
  int t_max = 1, heads_max = 1;
  for (const auto& m : cap.maps) {
    t_max =
        std::max({t_max, static_cast<int>(m.weights.dim(1)), static_cast<int>(m.weights.dim(2))});
    heads_max = std::max(heads_max, m.heads());
  }
  const int cell = std::max(1, 128 / t_max);
  const int label_h = static_cast<int>(kLabelPx) + 4;
  const int tile_w = std::max(t_max * cell, 110) + 2 * kPad,
            tile_h = t_max * cell + label_h + 2 * kPad;
  const int title_h = static_cast<int>(kTitlePx) + 2 * kPad;
  const auto rows = static_cast<int>(cap.maps.size());
  Image img(std::max(heads_max * tile_w, font.text_width(cap.title, kTitlePx) + 2 * kPad),
            title_h + rows * tile_h, kWhite);
  font.draw(img, kPad, kPad, cap.title.empty() ? "attention" : cap.title, kTitlePx, kInk);
  for (int r = 0; r < rows; ++r) {
    const auto& m = cap.maps[static_cast<std::size_t>(r)];
    const int tq = static_cast<int>(m.weights.dim(1)), tk = static_cast<int>(m.weights.dim(2));
    for (int k = 0; k < m.heads(); ++k) {
      const int x = k * tile_w + kPad, y = title_h + r * tile_h;
      font.draw(img, x, y, fmt::format("L{} {} h{}", m.layer, m.kind, k), kLabelPx, kInk);
      paint_cells(img, m.weights.data() + static_cast<std::ptrdiff_t>(k) * tq * tk, tq, tk, x,
                  y + label_h, cell);
    }
  }
  return img;
}

std::string heatmap_file_name(const models::AttentionMap& m, int head) {
  // The map's name after "layer N " tells maps of one layer apart (an encoder-decoder has
  // encoder self, decoder self and cross maps per layer); the kind is the fallback.
  const std::string prefix = fmt::format("layer {} ", m.layer);
  std::string what = m.name.rfind(prefix, 0) == 0 ? m.name.substr(prefix.size()) : m.kind;
  std::string slug;
  for (char c : what) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep)
      slug += c;
    else if (c >= 'A' && c <= 'Z')
      slug += static_cast<char>(c - 'A' + 'a');
    else if (!slug.empty() && slug.back() != '_')
      slug += '_';
  }
  while (!slug.empty() && slug.back() == '_') slug.pop_back();
  return fmt::format("layer{}_{}_head{}.png", m.layer, slug.empty() ? m.kind : slug, head);
}

std::vector<std::filesystem::path> write_attention_pngs(const models::AttentionCapture& cap,
                                                        const std::filesystem::path& dir,
                                                        const std::filesystem::path& font_file) {
  cap.validate();
  const Font font(font_file);
  ensure_writable_dir(dir);
  std::vector<std::filesystem::path> files;
  for (const auto& m : cap.maps) {
    const auto& q = cap.sequences[static_cast<std::size_t>(m.query_seq)].tokens;
    const auto& k = cap.sequences[static_cast<std::size_t>(m.key_seq)].tokens;
    const std::int64_t per_head = m.weights.dim(1) * m.weights.dim(2);
    for (int h = 0; h < m.heads(); ++h) {
      const auto title = fmt::format("{}, head {} (rows attend to columns)", m.name, h);
      const Heatmap hm = render_heatmap(m.weights.data() + h * per_head, q, k, title, font);
      files.push_back(dir / heatmap_file_name(m, h));
      write_png(hm.image, files.back());
    }
  }
  files.push_back(dir / "overview.png");
  write_png(render_overview(cap, font), files.back());
  return files;
}

}  // namespace attn::viz
