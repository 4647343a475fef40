#pragma once
// CMUdict grapheme-to-phoneme pairs, the encoder-decoder's G2P data set
// (DESIGN.md): the training side of the split of Yao & Zweig (2015),
// "Sequence-to-sequence neural net models for grapheme-to-phoneme conversion"
// (106,837 words, 113,438 "WORD;PH PH ..." lines with 2007 pronunciations,
// stress removed), committed as data_tables/cmudict-g2p/train-2007.csv.gz
// (Apache-2.0, see its README.md) and built into libattn. The split has no dev
// list, so a dev set is taken from the training words by a hash of the word:
// FNV-1a 64 of the lower-case word, dev when hash % 1000 < 25 (2.5 %), which
// gives 2,674 dev words (papers used about 2,670) and 104,163 train words.
// All pronunciations of a word fall on the same side. The 12,000 test words of
// the split are held out elsewhere and never touched here.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

inline constexpr std::size_t kG2pWords = 106837;
inline constexpr std::size_t kG2pLines = 113438;
// Dev when fnv1a64(word) % kG2pDevModulus < kG2pDevBelow.
inline constexpr std::uint64_t kG2pDevModulus = 1000;
inline constexpr std::uint64_t kG2pDevBelow = 25;

// The 39 ARPAbet phonemes of CMUdict without stress marks.
inline constexpr std::array<std::string_view, 39> kArpabet = {
    "AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D", "DH", "EH", "ER", "EY",
    "F",  "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M", "N",  "NG", "OW", "OY",
    "P",  "R",  "S",  "SH", "T",  "TH", "UH", "UW", "V", "W",  "Y",  "Z",  "ZH"};

// One line of the file: the word in lower case and its phonemes joined by one space.
struct G2pEntry {
  std::string word;
  std::string phonemes;  // "HH AH L OW"
};

// Parses "WORD;PH PH ..." lines (blank lines and a trailing '\r' are
// ignored). Throws attn::Error with the line number when a line has no ';',
// the word is empty or holds anything but letters and apostrophes, the
// pronunciation is empty, or a phoneme is not one of kArpabet.
std::vector<G2pEntry> parse_g2p_csv(std::string_view text);

// 64-bit FNV-1a of the bytes of `s`.
std::uint64_t fnv1a64(std::string_view s);

// Whether `word` (lower case) belongs to the dev set.
bool g2p_is_dev(std::string_view word);

// One side of the split: words sorted bytewise, each with its distinct
// pronunciations in file order.
struct G2pSplit {
  std::vector<std::string> words;
  std::vector<std::vector<std::string>> prons;  // prons[i] belongs to words[i]
  std::size_t pairs() const;
};

struct G2pSplits {
  G2pSplit train, dev;
  std::size_t duplicates = 0;  // repeated (word, pronunciation) lines dropped
};

// Groups entries by word and splits them with g2p_is_dev.
G2pSplits split_g2p(const std::vector<G2pEntry>& entries);

// The dev references for scoring: K = the most pronunciations of any dev
// word; result[k] holds one line per dev word, its (k+1)-th pronunciation or
// an empty line when it has fewer.
std::vector<std::string> g2p_reference_files(const G2pSplit& dev);

struct G2pStats {
  std::size_t train_words = 0, train_pairs = 0;
  std::size_t dev_words = 0, dev_pairs = 0;
  std::size_t refs = 0;  // K, the number of dev.refK.txt files
  std::size_t duplicates = 0;
};

// Writes train.tsv and dev.tsv ("word<TAB>PH PH PH" per (word, pronunciation)),
// dev.words.txt, dev.ref1.txt .. dev.refK.txt, stats.json and README into
// out_dir, each through "<name>.tmp" and a rename. Throws attn::Error naming
// the path when a file cannot be written.
G2pStats write_g2p_splits(const G2pSplits& splits, const std::filesystem::path& out_dir,
                          std::ostream& log);

// Decompresses the built-in train-2007.csv.gz with `<gzip> -dc`, parses it,
// checks it holds kG2pLines pronunciations of kG2pWords words and writes the
// splits. Throws attn::Error naming the package when gzip is missing.
G2pStats fetch_cmudict_g2p(const std::filesystem::path& out_dir, std::ostream& log,
                           const std::string& gzip = "gzip");

// "train: 104163 words, 110... pairs" etc.
void print_g2p_stats(const G2pStats& stats, std::ostream& os);

}  // namespace attn
