#pragma once
// Helpers shared by the viz tests: a hand-made capture, PNG decoding and
// headless Chromium.
#include <filesystem>
#include <string>
#include <vector>

#include "attn/models/attention_capture.h"

namespace attn::test {

// One self-attention map over `tokens` with weights [heads, T, T] taken from `w`.
models::AttentionCapture make_capture(const std::vector<std::string>& tokens, int heads,
                                      const std::vector<float>& w);

struct DecodedPng {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // [height, width, 3]
  double luminance(int x, int y) const;
};
// Trains a tiny 2-layer, 2-head classifier with [CLS] pooling on the CLI test corpus
// (tests/cli/cli_fixture.h) via `attn train`; returns the run directory.
std::filesystem::path train_tiny_run(const std::string& tag);

// Decodes with stb_image; fails the test (returns width 0) if the file is not a PNG.
DecodedPng decode_png(const std::filesystem::path& file);
// Variance of the luminance over all pixels (a blank page is ~0).
double luminance_variance(const DecodedPng& png);

// Headless Chromium (Debian `chromium`, installed by `make deps`) with everything
// that could reach the network switched off, a fresh profile, and 5 s of virtual
// time for the page script. Returns its exit code (-1 if killed).
inline constexpr const char* kChromium = "/usr/bin/chromium";
int chromium(const std::string& args, const std::filesystem::path& profile,
             const std::filesystem::path& out, const std::filesystem::path& err);

// `html` opened from disk twice in headless Chromium, each with a fresh profile
// under a temp dir named after `tag`: once to dump the DOM after the page script
// ran, once for a 1200x900 screenshot. A missing browser fails the test.
struct PageInBrowser {
  int dom_exit = -1, shot_exit = -1;
  std::string dom, log;  // the dumped DOM; Chromium's stderr
  DecodedPng shot;
};
PageInBrowser load_in_chromium(const std::filesystem::path& html, const std::string& tag);

// The value of attribute `name` in the <body ...> start tag of a dumped DOM, or "<absent>".
std::string body_attr(const std::string& dom, const std::string& name);

}  // namespace attn::test
