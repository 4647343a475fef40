#pragma once
// Helpers shared by the viz tests: a hand-made capture and PNG decoding.
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

}  // namespace attn::test
