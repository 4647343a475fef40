#include <iostream>

#include "attn/data/kjv.h"
#include "attn/data/spamassassin.h"
#include "commands.h"

namespace attn::cli {

void add_data(CLI::App& app, Action& run) {
  auto* data = app.add_subcommand("data", "fetch and prepare data sets");
  data->require_subcommand(1);
  auto* fetch = data->add_subcommand("fetch", "download a known data set and write its splits");
  auto name = std::make_shared<std::string>();
  auto out = std::make_shared<std::filesystem::path>();
  fetch->add_option("name", *name, "data set: spamassassin | kjv")
      ->required()
      ->check(CLI::IsMember({"spamassassin", "kjv"}));
  fetch->add_option("--out", *out, "output folder")->required();
  fetch->callback([&run, name, out] {
    run = [name, out] {
      if (*name == "kjv") {
        fetch_kjv(*out, std::cout);
      } else {
        fetch_spamassassin(*out, std::cout);
      }
      return 0;
    };
  });
}

}  // namespace attn::cli
