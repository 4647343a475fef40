#pragma once
// `attn score`: a sequence metric over line-aligned text files. Files are read
// as sacreBLEU's command line reads them: UTF-8, lines split on "\n" only, each
// line right-stripped of Unicode whitespace (so "\r\n" files work too).
//
// Metrics (all 0..100):
//   bleu  corpus BLEU, sacreBLEU's default BLEU() (13a tokens, exp smoothing)
//   chrf  corpus chrF2, sacreBLEU's default CHRF()
//   wer   sentence-level error rate: share of hypotheses equal to no reference
//         after whitespace normalisation (the G2P "word error rate")
//   per   summed token edit distance to the closest reference divided by the
//         summed length of those references (phoneme error rate for G2P,
//         classical word error rate when tokens are words)
// An empty reference line is an empty reference for bleu/chrf (as sacreBLEU),
// and "no reference from this file for this line" for wer/per.
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

namespace attn {

struct ScoreInput {
  std::string name;  // file name for messages ("<stdin>" for stdin)
  std::vector<std::string> lines;
};

// Reads and right-strips the lines of a UTF-8 file; "-" reads `stdin_stream`.
// Throws attn::Error when the file cannot be read or holds invalid UTF-8
// (naming the file, line and byte).
ScoreInput read_score_input(const std::filesystem::path& path, std::istream& stdin_stream);
// The same from any stream (its content is the file's).
ScoreInput read_score_input(std::istream& in, const std::string& name);

struct ScoreReport {
  double score = 0;
  std::string text;  // one line in sacreBLEU's style, no newline
  std::string json;  // one JSON object: {"metric":..., "score":..., details}
};

// The names accepted by score_lines: "bleu", "chrf", "wer", "per".
const std::vector<std::string>& score_metric_names();

// Scores hyp against refs (one ScoreInput per reference file). Throws
// attn::Error for an unknown metric, no reference file, a file whose line count
// differs from the hypothesis file (naming both files and counts), or, for
// wer/per, a line that is empty in every reference file (naming the line).
ScoreReport score_lines(const std::string& metric, const ScoreInput& hyp,
                        const std::vector<ScoreInput>& refs);

}  // namespace attn
