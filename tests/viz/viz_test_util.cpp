#include "viz/viz_test_util.h"

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <regex>

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

double luminance_variance(const DecodedPng& png) {
  double sum = 0, sum2 = 0;
  for (int y = 0; y < png.height; ++y)
    for (int x = 0; x < png.width; ++x) {
      const double l = png.luminance(x, y);
      sum += l;
      sum2 += l * l;
    }
  const double n = static_cast<double>(png.width) * png.height;
  if (n == 0) return 0;
  const double mean = sum / n;
  return sum2 / n - mean * mean;
}

int chromium(const std::string& args, const std::filesystem::path& profile,
             const std::filesystem::path& out, const std::filesystem::path& err) {
  const std::string cmd = fmt::format(
      "timeout 120 '{}' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir='{}' --virtual-time-budget=5000 {} >'{}' 2>'{}' </dev/null",
      kChromium, profile.string(), args, out.string(), err.string());
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string body_attr(const std::string& dom, const std::string& name) {
  std::smatch body;
  if (!std::regex_search(dom, body, std::regex("<body[^>]*>"))) return "<no body>";
  const std::string tag = body.str();
  std::smatch m;
  if (!std::regex_search(tag, m, std::regex(" " + name + "=\"([^\"]*)\""))) return "<absent>";
  return m[1].str();
}

PageInBrowser load_in_chromium(const std::filesystem::path& html, const std::string& tag) {
  PageInBrowser p;
  if (!std::filesystem::exists(kChromium)) {
    ADD_FAILURE() << kChromium << " is missing: run `make deps` (Debian package chromium)";
    return p;
  }
  const auto dir = make_temp_dir(tag);
  const auto log = dir / "chromium.log";
  p.dom_exit = chromium("--dump-dom 'file://" + html.string() + "'", dir / "profile1",
                        dir / "dom.html", log);
  p.dom = read_file(dir / "dom.html");
  p.log = read_file(log);
  const auto shot = dir / "shot.png";
  p.shot_exit = chromium(fmt::format("--screenshot='{}' --window-size=1200,900 'file://{}'",
                                     shot.string(), html.string()),
                         dir / "profile2", dir / "shot.out", log);
  p.log += read_file(log);
  if (p.shot_exit == 0) p.shot = decode_png(shot);
  return p;
}

}  // namespace attn::test
