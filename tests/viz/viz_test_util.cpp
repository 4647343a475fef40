#include "viz/viz_test_util.h"

#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <nlohmann/json.hpp>

#include "attn/core/error.h"
#include "cli/cli_fixture.h"
#include "test_util.h"

namespace attn::test {

models::AttentionCapture make_capture(const std::vector<std::string>& tokens, int heads,
                                      const std::vector<float>& w) {
  const auto t = static_cast<std::int64_t>(tokens.size());
  models::AttentionCapture cap;
  cap.title = "hand-made";
  cap.sequences.push_back({"input", tokens});
  models::AttentionMap m;
  m.name = "layer 0 self";
  m.weights = Tensor::from({heads, t, t}, w);
  cap.maps.push_back(m);
  cap.class_probs = {{"ham", 0.25}, {"spam", 0.75}};
  cap.prediction_title = "predicted: spam (75.0%)";
  return cap;
}

std::filesystem::path train_tiny_run(const std::string& tag) {
  const TinyCorpus c = make_tiny_corpus(tag);
  auto cfg = nlohmann::json::parse(read_file(c.config));
  cfg["model"]["num_layers"] = 2;
  cfg["model"]["pooling"] = "cls";
  write_file(c.config, cfg.dump());
  const auto run = c.dir / "run";
  const auto r =
      run_cli(fmt::format("train --config '{}' --train '{}' --valid '{}' --out '{}' --threads 2",
                          c.config.string(), c.train.string(), c.valid.string(), run.string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return run;
}

double DecodedPng::luminance(int x, int y) const {
  const auto* p = &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x)) *
                       3];
  return 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
}

DecodedPng decode_png(const std::filesystem::path& file) {
  DecodedPng d;
  int channels = 0;
  unsigned char* px = stbi_load(file.c_str(), &d.width, &d.height, &channels, 3);
  if (!px) {
    ADD_FAILURE() << "cannot decode " << file << ": " << stbi_failure_reason();
    d.width = d.height = 0;
    return d;
  }
  d.rgb.assign(px, px + static_cast<std::size_t>(d.width) * static_cast<std::size_t>(d.height) * 3);
  stbi_image_free(px);
  return d;
}

}  // namespace attn::test
