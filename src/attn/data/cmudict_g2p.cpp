#include "attn/data/cmudict_g2p.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>

#include "attn/core/error.h"
#include "attn/data/data_tables.h"
#include "attn/data/fetch_util.h"
#include "attn/data/spamassassin.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

bool is_word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\''; }

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_phoneme(std::string_view p) {
  return std::find(kArpabet.begin(), kArpabet.end(), p) != kArpabet.end();
}

// "word<TAB>PH PH\n" for every (word, pronunciation) of `split`.
std::string tsv_text(const G2pSplit& split) {
  std::string out;
  for (std::size_t i = 0; i < split.words.size(); ++i) {
    for (const std::string& p : split.prons[i]) out += split.words[i] + '\t' + p + '\n';
  }
  return out;
}

std::string readme_text(const G2pStats& stats) {
  std::ostringstream os;
  os << "CMUdict grapheme-to-phoneme pairs: the training side of the split of Yao & Zweig\n"
     << "(2015), with its 2007 pronunciations (39 ARPAbet phonemes, no stress), from\n"
     << "data_tables/cmudict-g2p/train-2007.csv.gz in the attn sources (Apache-2.0; from\n"
     << "GitHub OlivierDehaene/GPA4.0 data/cmudict/train_dataset.csv, see the README there).\n"
     << "Words are lower-cased. Dev words are taken from the training words: FNV-1a 64 of\n"
     << "the lower-case word, dev when hash % " << kG2pDevModulus << " < " << kG2pDevBelow
     << "; all pronunciations of a word\n"
     << "are on the same side. The split's 12,000 test words are not in this data set.\n\n"
     << "Files: train.tsv, dev.tsv (word<TAB>PH PH PH, one line per pronunciation, words\n"
     << "sorted bytewise); dev.words.txt (each dev word once, same order); dev.ref1.txt ..\n"
     << "dev.ref" << stats.refs << ".txt (line i: the k-th pronunciation of dev word i, or an "
     << "empty line).\n"
     << "Written by `attn data fetch cmudict-g2p`.\n\n";
  print_g2p_stats(stats, os);
  return os.str();
}

}  // namespace

std::vector<G2pEntry> parse_g2p_csv(std::string_view text) {
  std::vector<G2pEntry> entries;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t semi = line.find(';');
    ATTN_CHECK(semi != std::string_view::npos,
               "CMUdict line {}: expected 'WORD;PH PH ...' but got '{}'", line_no, shorten(line));
    const std::string_view word = line.substr(0, semi);
    ATTN_CHECK(!word.empty() && std::all_of(word.begin(), word.end(), is_word_char),
               "CMUdict line {}: word '{}' must be letters and apostrophes", line_no, word);
    G2pEntry e;
    for (const char c : word) e.word += to_lower(c);
    std::string_view rest = line.substr(semi + 1);
    while (!rest.empty()) {
      const std::size_t space = rest.find(' ');
      const std::string_view ph = rest.substr(0, space);
      ATTN_CHECK(is_phoneme(ph),
                 "CMUdict line {}: '{}' is not one of the 39 ARPAbet phonemes (without stress) in "
                 "'{}'",
                 line_no, ph, shorten(line));
      if (!e.phonemes.empty()) e.phonemes += ' ';
      e.phonemes += ph;
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    ATTN_CHECK(!e.phonemes.empty(), "CMUdict line {}: word '{}' has no phonemes", line_no, word);
    entries.push_back(std::move(e));
  }
  return entries;
}

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // the FNV-1a 64 offset basis
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;  // the FNV 64 prime
  }
  return h;
}

bool g2p_is_dev(std::string_view word) { return fnv1a64(word) % kG2pDevModulus < kG2pDevBelow; }

std::size_t G2pSplit::pairs() const {
  std::size_t n = 0;
  for (const auto& p : prons) n += p.size();
  return n;
}

G2pSplits split_g2p(const std::vector<G2pEntry>& entries) {
  // std::map keeps the words sorted bytewise.
  std::map<std::string, std::vector<std::string>> by_word;
  G2pSplits out;
  for (const G2pEntry& e : entries) {
    std::vector<std::string>& prons = by_word[e.word];
    if (std::find(prons.begin(), prons.end(), e.phonemes) != prons.end()) {
      ++out.duplicates;
      continue;
    }
    prons.push_back(e.phonemes);
  }
  for (auto& [word, prons] : by_word) {
    G2pSplit& side = g2p_is_dev(word) ? out.dev : out.train;
    side.words.push_back(word);
    side.prons.push_back(std::move(prons));
  }
  return out;
}

std::vector<std::string> g2p_reference_files(const G2pSplit& dev) {
  std::size_t k_max = 0;
  for (const auto& p : dev.prons) k_max = std::max(k_max, p.size());
  std::vector<std::string> files(k_max);
  for (const auto& p : dev.prons) {
    for (std::size_t k = 0; k < k_max; ++k) {
      if (k < p.size()) files[k] += p[k];
      files[k] += '\n';
    }
  }
  return files;
}

G2pStats write_g2p_splits(const G2pSplits& splits, const fs::path& out_dir, std::ostream& log) {
  make_dirs(out_dir);
  G2pStats stats;
  stats.train_words = splits.train.words.size();
  stats.train_pairs = splits.train.pairs();
  stats.dev_words = splits.dev.words.size();
  stats.dev_pairs = splits.dev.pairs();
  stats.duplicates = splits.duplicates;
  write_atomically(out_dir / "train.tsv", tsv_text(splits.train));
  write_atomically(out_dir / "dev.tsv", tsv_text(splits.dev));
  std::string words;
  for (const std::string& w : splits.dev.words) words += w + '\n';
  write_atomically(out_dir / "dev.words.txt", words);
  const std::vector<std::string> refs = g2p_reference_files(splits.dev);
  stats.refs = refs.size();
  for (std::size_t k = 0; k < refs.size(); ++k) {
    write_atomically(out_dir / fmt::format("dev.ref{}.txt", k + 1), refs[k]);
  }

  std::set<std::string> used;
  for (const G2pSplit* side : {&splits.train, &splits.dev}) {
    for (const auto& prons : side->prons) {
      for (const std::string& p : prons) {
        std::string_view rest = p;
        while (!rest.empty()) {
          const std::size_t space = rest.find(' ');
          used.emplace(rest.substr(0, space));
          rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
      }
    }
  }

  nlohmann::ordered_json j;
  j["source"] = "data_tables/cmudict-g2p/train-2007.csv.gz (Yao & Zweig 2015 train side)";
  j["dev_rule"] = fmt::format("fnv1a64(lower-case word) % {} < {}", kG2pDevModulus, kG2pDevBelow);
  j["train"] = {{"words", stats.train_words}, {"pairs", stats.train_pairs}};
  j["dev"] = {{"words", stats.dev_words}, {"pairs", stats.dev_pairs}, {"refs", stats.refs}};
  j["phonemes"] = used.size();
  j["duplicates_dropped"] = stats.duplicates;
  write_atomically(out_dir / "stats.json", j.dump(2) + "\n");
  write_atomically(out_dir / "README", readme_text(stats));
  log << "wrote " << stats.train_pairs + stats.dev_pairs << " (word, pronunciation) pairs to "
      << out_dir.string() << "\n";
  print_g2p_stats(stats, log);
  return stats;
}

G2pStats fetch_cmudict_g2p(const fs::path& out_dir, std::ostream& log, const std::string& gzip) {
  try {
    make_dirs(out_dir);
    // gzip reads the built-in bytes from a scratch file: no zlib dependency
    // for one 0.7 MB table.
    const fs::path gz = out_dir / ".train-2007.csv.gz.tmp";
    write_atomically(gz, cmudict_train_2007_gz());
    std::string text;
    try {
      text = capture_output({shell_quote(gzip) + " -dc " + shell_quote(gz.string()), gzip, "gzip"},
                            out_dir / ".gzip-stderr.tmp");
    } catch (...) {
      std::error_code ec;
      fs::remove(gz, ec);
      throw;
    }
    std::error_code ec;
    fs::remove(gz, ec);
    const std::vector<G2pEntry> entries = parse_g2p_csv(text);
    const G2pSplits splits = split_g2p(entries);
    const std::size_t words = splits.train.words.size() + splits.dev.words.size();
    ATTN_CHECK(entries.size() == kG2pLines && words == kG2pWords,
               "train-2007.csv.gz holds {} lines of {} words, expected {} of {}", entries.size(),
               words, kG2pLines, kG2pWords);
    return write_g2p_splits(splits, out_dir, log);
  } catch (const fs::filesystem_error& e) {
    fail("fetching CMUdict G2P into {}: {}", out_dir.string(), e.what());
  }
}

void print_g2p_stats(const G2pStats& stats, std::ostream& os) {
  os << "train: " << stats.train_words << " words, " << stats.train_pairs << " pairs\n"
     << "dev: " << stats.dev_words << " words, " << stats.dev_pairs << " pairs, " << stats.refs
     << " reference files\n";
}

}  // namespace attn
