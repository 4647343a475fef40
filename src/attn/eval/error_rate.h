#pragma once
// Error rates of whitespace-tokenized sequences against one or more references,
// as used for grapheme-to-phoneme conversion (G2P) and speech recognition.
// Hypotheses and references are split on Unicode whitespace, so spacing
// differences never count. Both rates are percentages (0..100).
//
//   sequence_error_rate ("WER" in G2P papers: word error rate, the word being
//   the unit that is converted): the share of hypotheses whose token sequence
//   equals NONE of their references.
//
//   token_error_rate ("PER", phoneme error rate, when tokens are phonemes; the
//   classical WER of ASR when tokens are words): per hypothesis, the reference
//   with the smallest Levenshtein distance (insertions, deletions and
//   substitutions of whole tokens, cost 1 each) is chosen, ties going to the
//   shorter reference, then the first; the distances are summed over the
//   corpus and divided by the summed lengths of the chosen references.
//
// References come as streams, refs [R][N], like corpus_bleu; here a reference
// that is empty or only whitespace means "no reference from this stream for
// this line". Every line needs at least one reference.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

struct ErrorRate {
  double score = 0;         // 100 * errors / total (0 when total is 0)
  std::int64_t errors = 0;  // wrong sequences, or summed edit distance
  std::int64_t total = 0;   // sequences, or summed chosen-reference lengths
  std::int64_t sequences = 0;
};

// Levenshtein distance between token sequences (io/json_reader.h has the
// character-level one for key suggestions): a [n], b [m] -> edits.
std::int64_t token_edit_distance(const std::vector<std::string_view>& a,
                                 const std::vector<std::string_view>& b);

// hyps [N]; refs [R][N]. Throws attn::Error when R == 0, a stream's length
// differs from N, or a line has no non-empty reference (naming the line, 1-based).
ErrorRate sequence_error_rate(const std::vector<std::string>& hyps,
                              const std::vector<std::vector<std::string>>& refs);
ErrorRate token_error_rate(const std::vector<std::string>& hyps,
                           const std::vector<std::vector<std::string>>& refs);

}  // namespace attn
