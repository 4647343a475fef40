#pragma once
// What an encoder-decoder attends to while it translates one sentence: the sentence is
// decoded (the run's beam settings, or greedy), then source and [BOS] + output are run
// through the model once more with every layer's attention recorded:
//   layer i encoder self   source x source
//   layer i decoder self   output x output (causal: zero above the diagonal)
//   layer i cross          output x source (each output position over the source words)
// For `attn viz` and the training report of seq2seq runs.
#include <cstdint>
#include <filesystem>
#include <string>

#include "attn/generate/beam_search.h"
#include "attn/models/attention_capture.h"
#include "attn/train/seq2seq_run.h"

namespace attn::train {

models::AttentionCapture capture_seq2seq_attention(const LoadedSeq2Seq& run,
                                                   const std::string& title,
                                                   const std::string& source,
                                                   const generate::TranslateOptions& opt);

// Opens RUN and uses its decoding settings; threads 0 = all cores.
models::AttentionCapture capture_seq2seq_attention(const std::filesystem::path& run,
                                                   const std::string& source, int threads);

}  // namespace attn::train
