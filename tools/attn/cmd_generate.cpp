#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "attn/core/thread_pool.h"
#include "attn/generate/text_generation.h"
#include "attn/train/lm_run.h"
#include "commands.h"

namespace attn::cli {

void add_generate(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("generate", "generate text with a trained decoder LM");
  struct Args {
    std::filesystem::path checkpoint, prompts_file;
    std::vector<std::string> prompts, stops;
    std::int64_t max_new_tokens = 200;
    float temperature = 1.0f, top_p = 1.0f, repetition_penalty = 1.0f;
    int top_k = 0, threads = 0;
    std::uint64_t seed = 0;
    bool no_kv_cache = false, slide = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--checkpoint", a->checkpoint, "run directory of a decoder LM")->required();
  cmd->add_option("--prompt", a->prompts, "prompt text (repeatable; empty starts from a newline)");
  cmd->add_option("--prompts-file", a->prompts_file, "one prompt per line, decoded as one batch");
  cmd->add_option("--max-new-tokens", a->max_new_tokens, "tokens to generate per prompt")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--temperature", a->temperature, "0 = greedy");
  cmd->add_option("--top-k", a->top_k, "keep the k most likely tokens (0 = all)");
  cmd->add_option("--top-p", a->top_p, "nucleus sampling: smallest set with probability >= p");
  cmd->add_option("--repetition-penalty", a->repetition_penalty, "CTRL-style, 1 = off");
  cmd->add_option("--stop", a->stops, "stop a prompt's text at this string (repeatable)");
  cmd->add_option("--seed", a->seed, "sampling seed");
  cmd->add_flag("--no-kv-cache", a->no_kv_cache, "recompute the whole context at every step");
  cmd->add_flag("--sliding-window", a->slide,
                "when the context is full, keep the last block_size tokens instead of an error");
  cmd->add_option("--threads", a->threads, "threads (default: all cores)");
  cmd->callback([&run, a] {
    run = [a] {
      ThreadPool::set_num_threads(a->threads > 0 ? a->threads : ThreadPool::default_threads());
      std::vector<std::string> prompts = a->prompts;
      if (!a->prompts_file.empty()) {
        std::ifstream in(a->prompts_file);
        ATTN_CHECK(in.good(), "{}: cannot open the prompts file", a->prompts_file.string());
        for (std::string line; std::getline(in, line);) prompts.push_back(line);
      }
      if (prompts.empty()) prompts.push_back("");
      const train::LoadedLm lm = train::open_lm_run(a->checkpoint);
      generate::TextGenerateOptions opt;
      auto& g = opt.generate;
      g.max_new_tokens = a->max_new_tokens;
      g.sampling = {a->temperature, a->top_k, a->top_p, a->repetition_penalty, a->seed};
      g.use_kv_cache = !a->no_kv_cache;
      g.bos_id = train::lm_start_token(*lm.tokenizer);
      g.sample_vocab = lm.tokenizer->vocab_size();
      g.overflow = a->slide ? generate::ContextOverflow::slide : generate::ContextOverflow::error;
      opt.stop_strings = a->stops;
      const bool stream = prompts.size() == 1;
      if (stream) {
        fmt::print("{}", prompts[0]);
        std::fflush(stdout);
        opt.on_text = [](std::size_t, std::string_view text) {
          fmt::print("{}", text);
          std::fflush(stdout);  // show each token as it is produced
        };
      }
      const auto texts = generate::generate_text(*lm.model, *lm.tokenizer, prompts, opt);
      if (stream) {
        fmt::print("\n");
      } else {  // a batch: one JSON line per prompt, in input order
        for (std::size_t i = 0; i < texts.size(); ++i)
          fmt::print("{}\n", nlohmann::json{{"prompt", prompts[i]}, {"text", texts[i]}}.dump(
                                 -1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
      return 0;
    };
  });
}

}  // namespace attn::cli
