#include "attn/generate/text_generation.h"

#include <algorithm>

#include "attn/core/error.h"

namespace attn::generate {
namespace {

// Per row: the text decoded so far, how much of it was already emitted, and
// whether a stop string ended it.
struct RowText {
  std::string text;
  std::size_t emitted = 0;
  bool stopped = false;
};

// Length of the longest suffix of `text` that is a proper prefix of a stop string:
// those characters may still turn into a stop string and must not be shown yet.
std::size_t pending_suffix(const std::string& text, const std::vector<std::string>& stops) {
  std::size_t keep = 0;
  for (const auto& s : stops)
    for (std::size_t n = std::min(s.size() - 1, text.size()); n > keep; --n)
      if (text.compare(text.size() - n, n, s, 0, n) == 0) {
        keep = n;
        break;
      }
  return keep;
}

// Bytes of the U+FFFD characters ending `text` (at most 3, a 4-byte character
// short of its last byte): a tokenizer with byte pieces decodes a character
// whose bytes are not all generated yet as U+FFFD, which the next token may
// turn into the real character, so they are not shown yet.
std::size_t pending_replacements(const std::string& text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::size_t n = 0;
  while (n < 3 * kReplacement.size() && n + kReplacement.size() <= text.size() &&
         text.compare(text.size() - n - kReplacement.size(), kReplacement.size(), kReplacement) ==
             0)
    n += kReplacement.size();
  return n;
}

}  // namespace

std::vector<std::string> generate_text(const models::DecoderLM& model, const Tokenizer& tokenizer,
                                       const std::vector<std::string>& prompts,
                                       const TextGenerateOptions& opt) {
  ATTN_CHECK(!prompts.empty(), "generate: no prompts");
  for (const auto& s : opt.stop_strings) ATTN_CHECK(!s.empty(), "generate: an empty stop string");
  std::vector<std::vector<std::int32_t>> ids;
  for (const auto& p : prompts) ids.push_back(tokenizer.encode(p));

  std::vector<RowText> rows(prompts.size());
  GenerateOptions g = opt.generate;
  // Stop strings are matched on the decoded text (a token-level match would miss a
  // stop string split differently into tokens); generate() stops rows via stopped.
  g.stop_sequences.clear();
  auto emit = [&](std::size_t row, std::size_t upto) {
    RowText& r = rows[row];
    if (upto > r.emitted && opt.on_text)
      opt.on_text(row, std::string_view(r.text).substr(r.emitted, upto - r.emitted));
    r.emitted = std::max(r.emitted, upto);
  };
  std::vector<std::vector<std::int32_t>> generated_ids(prompts.size());
  g.on_token = [&](std::size_t row, std::int32_t token) {
    RowText& r = rows[row];
    if (r.stopped) return;
    generated_ids[row].push_back(token);
    r.text = tokenizer.decode(generated_ids[row]);
    for (const auto& s : opt.stop_strings) {
      const std::size_t at = r.text.find(s);
      if (at != std::string::npos) {
        r.text.resize(at);
        r.stopped = true;
        emit(row, at);
        return;
      }
    }
    emit(row, r.text.size() -
                  std::max(pending_suffix(r.text, opt.stop_strings), pending_replacements(r.text)));
  };
  g.should_stop = [&](std::size_t row) { return rows[row].stopped; };
  generate(model, ids, g);
  std::vector<std::string> out;
  for (std::size_t row = 0; row < rows.size(); ++row) {
    emit(row, rows[row].text.size());  // a held-back tail that never became a stop string
    out.push_back(rows[row].text);
  }
  return out;
}

}  // namespace attn::generate
