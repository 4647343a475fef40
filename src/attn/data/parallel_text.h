#pragma once
// Readers for parallel (translation) text: pairs of a source sentence and its
// target. Unlike the classifier readers, nothing here is repaired or skipped:
// a pair with a missing side or broken bytes would silently misalign or poison
// training, so every defect throws attn::Error naming FILE:LINE (1-based).
// Lines end in '\n'; a trailing '\r' is stripped, a final line without '\n' is
// accepted, and a UTF-8 byte-order mark at the start of a file is dropped.
#include <filesystem>
#include <string>
#include <vector>

namespace attn {

struct ParallelPair {
  std::string source;
  std::string target;
};

// One `source<TAB>target` per line. Throws for: a line without a tab or with
// more than one, an empty source or target, invalid UTF-8, a file without lines.
std::vector<ParallelPair> read_parallel_tsv(const std::filesystem::path& path);

// Two line-aligned files (line i of `source` translates line i of `target`).
// Throws naming both files and both line counts when the counts differ, and
// FILE:LINE for an empty line or invalid UTF-8; an empty file is an error.
std::vector<ParallelPair> read_parallel_files(const std::filesystem::path& source,
                                              const std::filesystem::path& target);

// The lines of a text file, without their "\n" / "\r\n". Invalid UTF-8 throws
// FILE:LINE; so does an empty line unless allow_empty. An empty file gives {}.
std::vector<std::string> read_lines(const std::filesystem::path& path, bool allow_empty);

}  // namespace attn
