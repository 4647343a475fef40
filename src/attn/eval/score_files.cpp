#include "attn/eval/score_files.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "attn/core/error.h"
#include "attn/eval/bleu.h"
#include "attn/eval/chrf.h"
#include "attn/eval/error_rate.h"
#include "attn/eval/text_split.h"

namespace attn {
namespace {

std::vector<std::vector<std::string>> streams_of(const std::vector<ScoreInput>& refs) {
  std::vector<std::vector<std::string>> out;
  out.reserve(refs.size());
  for (const ScoreInput& r : refs) out.push_back(r.lines);
  return out;
}

// Numbers go through fmt's shortest round-trip form, so JSON readers get the
// exact double.
template <typename T>
std::string json_array(const std::vector<T>& v) {
  return fmt::format("[{}]", fmt::join(v, ","));
}

ScoreReport score_bleu(const ScoreInput& hyp, const std::vector<ScoreInput>& refs) {
  const BleuScore b = corpus_bleu(hyp.lines, streams_of(refs));
  ScoreReport r;
  r.score = b.score;
  r.text = b.format();
  const std::string signature =
      fmt::format("nrefs:{}|case:mixed|eff:no|tok:13a|smooth:exp", refs.size());
  r.json = fmt::format(
      "{{\"metric\":\"bleu\",\"score\":{},\"precisions\":{},\"counts\":{},\"totals\":{},"
      "\"bp\":{},\"ratio\":{},\"sys_len\":{},\"ref_len\":{},\"nrefs\":{},\"signature\":\"{}\"}}",
      b.score, json_array(b.precisions), json_array(b.counts), json_array(b.totals), b.bp,
      b.ratio(), b.sys_len, b.ref_len, refs.size(), signature);
  return r;
}

ScoreReport score_chrf(const ScoreInput& hyp, const std::vector<ScoreInput>& refs) {
  const ChrfOptions opt;
  const ChrfScore c = corpus_chrf(hyp.lines, streams_of(refs), opt);
  ScoreReport r;
  r.score = c.score;
  r.text = c.format();
  const std::string signature =
      fmt::format("nrefs:{}|case:mixed|eff:yes|nc:{}|nw:0|space:no", refs.size(), opt.char_order);
  r.json = fmt::format(
      "{{\"metric\":\"chrf\",\"score\":{},\"beta\":{},\"char_order\":{},\"word_order\":0,"
      "\"hyp_ngrams\":{},\"ref_ngrams\":{},\"matches\":{},\"nrefs\":{},\"signature\":\"{}\"}}",
      c.score, c.beta, opt.char_order, json_array(c.hyp_ngrams), json_array(c.ref_ngrams),
      json_array(c.matches), refs.size(), signature);
  return r;
}

// wer/per read an empty line as "no reference here"; name the files when a
// line has none at all, which the library can only number.
void check_every_line_has_reference(const ScoreInput& hyp, const std::vector<ScoreInput>& refs) {
  for (std::size_t i = 0; i < hyp.lines.size(); ++i) {
    bool any = false;
    for (const ScoreInput& r : refs) any = any || !split_whitespace(r.lines[i]).empty();
    if (any) continue;
    std::vector<std::string> names;
    for (const ScoreInput& r : refs) names.push_back(r.name);
    fail("line {} has no reference: it is empty in every reference file ({})", i + 1,
         fmt::join(names, ", "));
  }
}

ScoreReport score_error_rate(const std::string& metric, const ScoreInput& hyp,
                             const std::vector<ScoreInput>& refs) {
  check_every_line_has_reference(hyp, refs);
  ScoreReport r;
  if (metric == "wer") {
    const ErrorRate e = sequence_error_rate(hyp.lines, streams_of(refs));
    r.score = e.score;
    r.text = fmt::format("WER = {:.2f} ({} of {} sentences match no reference)", e.score, e.errors,
                         e.total);
    r.json = fmt::format(
        "{{\"metric\":\"wer\",\"score\":{},\"errors\":{},\"sentences\":{},\"nrefs\":{}}}", e.score,
        e.errors, e.total, refs.size());
  } else {
    const ErrorRate e = token_error_rate(hyp.lines, streams_of(refs));
    r.score = e.score;
    r.text = fmt::format("PER = {:.2f} ({} edits / {} reference tokens, {} sentences)", e.score,
                         e.errors, e.total, e.sequences);
    r.json = fmt::format(
        "{{\"metric\":\"per\",\"score\":{},\"edits\":{},\"ref_tokens\":{},\"sentences\":{},"
        "\"nrefs\":{}}}",
        e.score, e.errors, e.total, e.sequences, refs.size());
  }
  return r;
}

}  // namespace

ScoreInput read_score_input(std::istream& in, const std::string& name) {
  ScoreInput out;
  out.name = name;
  std::string line;
  // std::getline splits on "\n" only and yields a final line without one, as
  // Python's file iteration with newline="\n".
  while (std::getline(in, line)) {
    const std::size_t bad = first_invalid_utf8(line);
    ATTN_CHECK(bad == std::string::npos, "{}:{}: invalid UTF-8 at byte {} of the line", name,
               out.lines.size() + 1, bad + 1);
    out.lines.emplace_back(rstrip_whitespace(line));
  }
  ATTN_CHECK(!in.bad(), "{}: read error after line {}", name, out.lines.size());
  return out;
}

ScoreInput read_score_input(const std::filesystem::path& path, std::istream& stdin_stream) {
  if (path == "-") return read_score_input(stdin_stream, "<stdin>");
  std::error_code ec;
  ATTN_CHECK(!std::filesystem::is_directory(path, ec), "{}: is a directory, expected a text file",
             path.string());
  std::ifstream in(path, std::ios::binary);
  ATTN_CHECK(in.is_open(), "cannot open {}: {}", path.string(), std::strerror(errno));
  return read_score_input(in, path.string());
}

const std::vector<std::string>& score_metric_names() {
  static const std::vector<std::string> names = {"bleu", "chrf", "wer", "per"};
  return names;
}

ScoreReport score_lines(const std::string& metric, const ScoreInput& hyp,
                        const std::vector<ScoreInput>& refs) {
  const auto& names = score_metric_names();
  ATTN_CHECK(std::find(names.begin(), names.end(), metric) != names.end(),
             "unknown metric '{}', expected one of {}", metric, fmt::join(names, ", "));
  ATTN_CHECK(!refs.empty(), "{}: no reference file given", metric);
  for (const ScoreInput& r : refs) {
    ATTN_CHECK(r.lines.size() == hyp.lines.size(),
               "reference file {} has {} lines but hypothesis file {} has {}; each line of a "
               "reference file must be aligned with the hypothesis on the same line",
               r.name, r.lines.size(), hyp.name, hyp.lines.size());
  }
  if (metric == "bleu") return score_bleu(hyp, refs);
  if (metric == "chrf") return score_chrf(hyp, refs);
  return score_error_rate(metric, hyp, refs);
}

}  // namespace attn
