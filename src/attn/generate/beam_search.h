#pragma once
// Translation with a Seq2Seq: greedy or beam search over the incremental decoder
// (models/seq2seq_step.h), sentences batched and each batch encoded once.
//
// Scoring (Wu et al. 2016, GNMT): score(Y) = log P(Y | X) / lp(Y),
//   lp(Y) = ((5 + |Y|) / 6)^alpha,  alpha = length_penalty (0 = plain log-probability).
// Every hypothesis ends with EOS, and |Y| counts it: |Y| = tokens + 1. P(Y | X) includes
// P(EOS) at the end. A hypothesis that reaches the maximum length (max_tokens real
// tokens) is made to emit EOS at its next step (its log-probability, not 0, is added),
// so all scores are of the same kind. Every id except eos_id may be emitted as a token.
//
// Greedy (beam 1): the argmax at each step (ties -> lowest id).
// Beam search (beam K >= 2): per sentence, K live hypotheses advance in lockstep. Each
// step every live hypothesis offers its EOS continuation as a finished hypothesis, and the
// K best non-EOS continuations (by log-probability; ties -> older row, lower id) stay live.
// Stopping rule: a sentence stops once it holds nbest finished hypotheses and no live one
// can still beat the worst of them. Log-probabilities only fall as tokens are added and
// lp grows with length, so a live hypothesis with log-probability L can at best reach
// L / lp(max_tokens + 1) (alpha > 0) or L (alpha = 0). This bound is exact, unlike
// fairseq's "stop once K hypotheses finished": with enough beams (K >= every prefix) the
// search is exhaustive and returns the true best sequences.
#include <cstdint>
#include <vector>

#include "attn/models/seq2seq.h"

namespace attn::generate {

struct TranslateOptions {
  int beam = 1;                 // 1 = greedy
  float length_penalty = 1.0f;  // GNMT alpha; 0 = none
  // Maximum real (non-EOS) target tokens per sentence: floor(a·S + b) for a source of S
  // tokens, capped by the model's max_len - 1 (bos + tokens must fit the positions).
  float max_len_a = 1.2f;
  float max_len_b = 10.0f;
  int nbest = 1;                 // hypotheses returned per sentence, in [1, beam]
  std::int64_t batch_size = 32;  // sentences encoded and decoded together
  std::int32_t bos_id = 0;       // fed as the first decoder token
  std::int32_t eos_id = 0;       // ends a hypothesis
  // Ids never emitted (padding, BOS: never a training label): their logits are set to -inf
  // before each choice, so the probabilities renormalise over the other ids.
  std::vector<std::int32_t> never_emit;
};

struct Hypothesis {
  std::vector<std::int32_t> tokens;  // without bos / eos
  float score = 0.0f;                // log_prob / lp(tokens + 1)
  float log_prob = 0.0f;             // log P(tokens, EOS | source)
};

// Throws attn::Error naming the bad field (beam, nbest, length_penalty, max_len_a,
// max_len_b, batch_size, bos/eos outside [0, target_vocab_size), a never_emit id outside it
// or equal to eos).
void validate(const TranslateOptions& opt, const models::Seq2Seq& model);

// The most real target tokens a source of src_len tokens may get (see TranslateOptions).
std::int64_t max_target_tokens(const TranslateOptions& opt, const models::Seq2Seq& model,
                               std::int64_t src_len);

// sources: source ids per sentence -> per sentence (in input order), up to nbest
// hypotheses, best score first (fewer only when fewer distinct ones exist). Sentences are
// sorted by length and batched internally; results do not depend on the batching beyond
// float rounding. Throws attn::Error for bad options, an empty source or one longer than
// the model's max_len (naming the sentence index).
std::vector<std::vector<Hypothesis>> translate(
    const models::Seq2Seq& model, const std::vector<std::vector<std::int32_t>>& sources,
    const TranslateOptions& opt);

}  // namespace attn::generate
