#pragma once
// A small RGB raster with filled rectangles, text from a TrueType font
// (stb_truetype) and PNG encoding (stb_image_write): all the PNG heatmaps need.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace attn::viz {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

// Perceived brightness (Rec. 709 weights on the 0..255 values).
double luminance(Rgb c);

// The heatmap colour ramp (viridis-like, dark purple -> yellow) at t in [0, 1]
// (clamped), in 256 levels. Each level is strictly brighter than the one below, so
// brightness is monotonic in t: the brightest cell is the largest weight.
Rgb ramp_color(float t);

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // [height, width, 3]
  Image(int w, int h, Rgb fill);
  void fill_rect(int x, int y, int w, int h, Rgb c);  // clipped to the image
  Rgb at(int x, int y) const;
};

// PNG bytes of `img`; throws attn::Error if encoding fails.
std::string encode_png(const Image& img);
// Writes encode_png(img) atomically; throws attn::Error naming the file.
void write_png(const Image& img, const std::filesystem::path& file);

// /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf (Debian fonts-dejavu-core).
std::filesystem::path default_font_path();

class Font {
 public:
  // Throws attn::Error naming the file (and the Debian package) when missing or invalid.
  explicit Font(const std::filesystem::path& file);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // Width in pixels of UTF-8 `text` at `px` pixels line height.
  int text_width(std::string_view text, float px) const;
  // Draws `text` with its top-left corner at (x, y). vertical: rotated 90 degrees
  // counter-clockwise (read bottom to top), with (x, y) then the bottom-left corner.
  void draw(Image& img, int x, int y, std::string_view text, float px, Rgb color,
            bool vertical = false) const;

 private:
  std::vector<unsigned char> data_;
  void* info_ = nullptr;  // stbtt_fontinfo, kept out of this header
};

}  // namespace attn::viz
