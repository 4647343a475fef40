#include "attn/viz/raster.h"

#include <stb/stb_image_write.h>
#include <stb/stb_truetype.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iterator>

#include "attn/core/error.h"
#include "attn/data/utf8.h"
#include "attn/io/atomic_file.h"

namespace attn::viz {

double luminance(Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

namespace {
// Viridis-like control points; luminance 21, 81, 121, 171, 222 (strictly rising).
constexpr std::array<Rgb, 5> kRamp{
    {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
}  // namespace

namespace {
// 256 levels interpolated between the control points. Rounding each channel to 8
// bits can make a level a hair darker than the one before (blue falls while red and
// green rise), so such a level gets one more step of green, the channel that
// weighs most in brightness: every level is strictly brighter than the last.
std::array<Rgb, 256> build_ramp() {
  std::array<Rgb, 256> lut{};
  for (std::size_t k = 0; k < lut.size(); ++k) {
    const double x = static_cast<double>(k) / 255.0 * static_cast<double>(kRamp.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(x), kRamp.size() - 2);
    const double f = x - static_cast<double>(i);
    auto mix = [f](std::uint8_t a, std::uint8_t b) {
      return static_cast<std::uint8_t>(std::lround(a + (static_cast<double>(b) - a) * f));
    };
    const Rgb a = kRamp[i], b = kRamp[i + 1];
    lut[k] = {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
    while (k > 0 && luminance(lut[k]) <= luminance(lut[k - 1]) && lut[k].g < 255) ++lut[k].g;
  }
  return lut;
}
const std::array<Rgb, 256> kRampLut = build_ramp();
}  // namespace

Rgb ramp_color(float t) {
  if (!(t > 0.0f)) t = 0.0f;  // NaN -> 0
  t = std::min(t, 1.0f);
  return kRampLut[static_cast<std::size_t>(std::lround(t * 255.0f))];
}

Image::Image(int w, int h, Rgb fill) : width(w), height(h) {
  ATTN_CHECK(w > 0 && h > 0 && static_cast<std::int64_t>(w) * h <= (1 << 28),
             "image size {}x{} is out of range", w, h);
  rgb.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  fill_rect(0, 0, w, h, fill);
}

void Image::fill_rect(int x, int y, int w, int h, Rgb c) {
  const int x0 = std::max(0, x), y0 = std::max(0, y);
  const int x1 = std::min(width, x + w), y1 = std::min(height, y + h);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) {
      auto* p = &rgb[(static_cast<std::size_t>(yy) * static_cast<std::size_t>(width) +
                      static_cast<std::size_t>(xx)) *
                     3];
      p[0] = c.r;
      p[1] = c.g;
      p[2] = c.b;
    }
}

Rgb Image::at(int x, int y) const {
  const auto* p = &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x)) *
                       3];
  return {p[0], p[1], p[2]};
}

std::string encode_png(const Image& img) {
  std::string out;
  auto sink = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data),
                                           static_cast<std::size_t>(size));
  };
  const int ok =
      stbi_write_png_to_func(sink, &out, img.width, img.height, 3, img.rgb.data(), img.width * 3);
  ATTN_CHECK(ok != 0 && !out.empty(), "PNG encoding of a {}x{} image failed", img.width,
             img.height);
  return out;
}

void write_png(const Image& img, const std::filesystem::path& file) {
  write_file_atomic(file, encode_png(img));
}

std::filesystem::path default_font_path() {
  return "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
}

namespace {
stbtt_fontinfo* info_of(void* p) { return static_cast<stbtt_fontinfo*>(p); }
}  // namespace

Font::Font(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  ATTN_CHECK(in.good(),
             "font {} not found (Debian package fonts-dejavu-core; `make deps` installs it)",
             file.string());
  data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  auto* info = new stbtt_fontinfo{};
  const int offset = stbtt_GetFontOffsetForIndex(data_.data(), 0);
  if (data_.empty() || offset < 0 || !stbtt_InitFont(info, data_.data(), offset)) {
    delete info;
    fail("font {}: not a TrueType font", file.string());
  }
  info_ = info;
}

Font::~Font() { delete info_of(info_); }

int Font::text_width(std::string_view text, float px) const {
  const auto* info = info_of(info_);
  const float scale = stbtt_ScaleForPixelHeight(info, px);
  float w = 0;
  int prev = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode_utf8_at(text, i);
    i += d.length;
    const int cp = static_cast<int>(d.cp);
    int advance = 0, lsb = 0;
    stbtt_GetCodepointHMetrics(info, cp, &advance, &lsb);
    if (prev) w += scale * static_cast<float>(stbtt_GetCodepointKernAdvance(info, prev, cp));
    w += scale * static_cast<float>(advance);
    prev = cp;
  }
  return static_cast<int>(std::ceil(w));
}

void Font::draw(Image& img, int x, int y, std::string_view text, float px, Rgb color,
                bool vertical) const {
  const auto* info = info_of(info_);
  const float scale = stbtt_ScaleForPixelHeight(info, px);
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(info, &ascent, &descent, &gap);
  const int baseline = static_cast<int>(std::lround(static_cast<float>(ascent) * scale));
  // Render the line into a coverage buffer first, then blend it in (rotated if asked).
  const int bw = text_width(text, px) + 2, bh = static_cast<int>(std::ceil(px)) + 2;
  std::vector<unsigned char> cover(static_cast<std::size_t>(bw) * static_cast<std::size_t>(bh), 0);
  std::vector<unsigned char> glyph;
  float pen = 0;
  int prev = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode_utf8_at(text, i);
    i += d.length;
    const int cp = static_cast<int>(d.cp);
    if (prev) pen += scale * static_cast<float>(stbtt_GetCodepointKernAdvance(info, prev, cp));
    int advance = 0, lsb = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    stbtt_GetCodepointHMetrics(info, cp, &advance, &lsb);
    stbtt_GetCodepointBitmapBox(info, cp, scale, scale, &x0, &y0, &x1, &y1);
    const int gw = x1 - x0, gh = y1 - y0;
    if (gw > 0 && gh > 0) {
      glyph.assign(static_cast<std::size_t>(gw) * static_cast<std::size_t>(gh), 0);
      stbtt_MakeCodepointBitmap(info, glyph.data(), gw, gh, gw, scale, scale, cp);
      const int ox = static_cast<int>(std::lround(pen)) + x0, oy = baseline + y0;
      for (int gy = 0; gy < gh; ++gy)
        for (int gx = 0; gx < gw; ++gx) {
          const int cx = ox + gx, cy = oy + gy;
          if (cx < 0 || cy < 0 || cx >= bw || cy >= bh) continue;
          auto& c = cover[static_cast<std::size_t>(cy * bw + cx)];
          c = std::max(c, glyph[static_cast<std::size_t>(gy * gw + gx)]);
        }
    }
    pen += scale * static_cast<float>(advance);
    prev = cp;
  }
  for (int cy = 0; cy < bh; ++cy)
    for (int cx = 0; cx < bw; ++cx) {
      const unsigned a = cover[static_cast<std::size_t>(cy * bw + cx)];
      if (a == 0) continue;
      // vertical: the buffer's x runs up the image, its y runs right
      const int px_x = vertical ? x + cy : x + cx, px_y = vertical ? y - cx : y + cy;
      if (px_x < 0 || px_y < 0 || px_x >= img.width || px_y >= img.height) continue;
      auto* p = &img.rgb[(static_cast<std::size_t>(px_y) * static_cast<std::size_t>(img.width) +
                          static_cast<std::size_t>(px_x)) *
                         3];
      const std::uint8_t col[3] = {color.r, color.g, color.b};
      for (int k = 0; k < 3; ++k)
        p[k] = static_cast<std::uint8_t>((col[k] * a + p[k] * (255 - a) + 127) / 255);
    }
}

}  // namespace attn::viz
