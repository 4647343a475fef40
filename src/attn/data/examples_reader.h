#pragma once
// Reads labelled text examples for classification from one of three layouts:
//   *.jsonl  one JSON object per line: {"text": "...", "label": "...", "id": ...}
//   *.tsv    one example per line: label<TAB>text (no header; the first tab splits)
//   a directory with one sub-folder per label holding one file per example
// Bad input throws attn::Error naming FILE:LINE and what was expected. Invalid
// UTF-8 is repaired (U+FFFD) and counted so the caller can warn once.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

struct Example {
  std::string text;
  std::string label;
  std::string id;        // JSONL "id" or the line number; relative path for directories
  std::size_t line = 0;  // 1-based line in the source file; 0 for directory examples
  // Other string fields of a JSONL object (e.g. "from"), for configs that read them.
  std::map<std::string, std::string> fields;
};

struct ExampleSet {
  std::vector<Example> examples;
  std::size_t replaced_utf8 = 0;  // invalid UTF-8 sequences replaced by U+FFFD
  std::string source;             // the path that was read
};

ExampleSet read_examples(const std::filesystem::path& p);

// The .jsonl / .tsv readers over text in memory (`source` names it in errors);
// unlike read_examples, an input without examples gives an empty set.
enum class ExampleFormat { jsonl, tsv };
ExampleSet parse_examples(std::string_view text, ExampleFormat format, const std::string& source);

// The distinct labels of `set`, sorted ascending (label i <-> class index i).
std::vector<std::string> sorted_labels(const ExampleSet& set);

// Class index of each example's label within `labels`. Throws
// `FILE:LINE: unknown label "x" (known: a, b)`; `path` names the file in that
// message (empty: use set.source).
std::vector<int> encode_labels(const ExampleSet& set, const std::vector<std::string>& labels,
                               const std::filesystem::path& path = {});

}  // namespace attn
