#include <iostream>

#include "attn/data/cmudict_g2p.h"
#include "attn/data/kjv.h"
#include "attn/data/kjv_rv1909.h"
#include "attn/data/spamassassin.h"
#include "commands.h"

namespace attn::cli {

void add_data(CLI::App& app, Action& run) {
  auto* data = app.add_subcommand("data", "fetch and prepare data sets");
  data->require_subcommand(1);
  auto* fetch = data->add_subcommand("fetch", "download a known data set and write its splits");
  auto name = std::make_shared<std::string>();
  auto out = std::make_shared<std::filesystem::path>();
  fetch->add_option("name", *name, "data set: spamassassin | kjv | kjv-rv1909 | cmudict-g2p")
      ->required()
      ->check(CLI::IsMember({"spamassassin", "kjv", "kjv-rv1909", "cmudict-g2p"}));
  fetch->add_option("--out", *out, "output folder (default: data/NAME)");
  fetch->callback([&run, name, out] {
    run = [name, out] {
      const std::filesystem::path dir = out->empty() ? std::filesystem::path("data") / *name : *out;
      if (*name == "kjv") {
        fetch_kjv(dir, std::cout);
      } else if (*name == "kjv-rv1909") {
        fetch_kjv_rv1909(dir, std::cout);
      } else if (*name == "cmudict-g2p") {
        fetch_cmudict_g2p(dir, std::cout);
      } else {
        fetch_spamassassin(dir, std::cout);
      }
      return 0;
    };
  });
}

}  // namespace attn::cli
