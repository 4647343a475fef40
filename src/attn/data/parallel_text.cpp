#include "attn/data/parallel_text.h"

#include <fstream>
#include <sstream>
#include <string_view>

#include "attn/core/error.h"
#include "attn/data/fetch_util.h"
#include "attn/data/utf8.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

// Throws FILE:LINE:COLUMN at the first invalid UTF-8 sequence of `line`; the
// column (1-based byte offset) lets a user find the byte with a hex viewer.
void check_utf8(std::string_view line, const fs::path& p, std::size_t lineno) {
  std::size_t pos = 0;
  while (pos < line.size()) {
    const DecodedChar d = decode_utf8_at(line, pos);
    ATTN_CHECK(d.valid,
               "{}:{}: invalid UTF-8 at byte column {} (byte 0x{:02X}); expected UTF-8 text",
               p.string(), lineno, pos + 1, static_cast<unsigned char>(line[pos]));
    pos += d.length;
  }
}

// Splits `content` at '\n'; a '\n' at the very end does not open another line.
std::vector<std::string> split_lines(std::string_view content) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::vector<std::string> read_lines(const fs::path& path, bool allow_empty) {
  std::vector<std::string> lines = split_lines(read_whole_file(path));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ATTN_CHECK(allow_empty || !lines[i].empty(), "{}:{}: empty line (expected text on every line)",
               path.string(), i + 1);
    check_utf8(lines[i], path, i + 1);
  }
  return lines;
}

std::vector<ParallelPair> read_parallel_tsv(const fs::path& path) {
  const std::vector<std::string> lines = read_lines(path, /*allow_empty=*/false);
  ATTN_CHECK(!lines.empty(), "{}: empty file (expected one source<TAB>target pair per line)",
             path.string());
  std::vector<ParallelPair> pairs;
  pairs.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::size_t lineno = i + 1;
    const std::size_t tab = line.find('\t');
    ATTN_CHECK(tab != std::string::npos, "{}:{}: no tab in line (expected source<TAB>target)",
               path.string(), lineno);
    // A second tab would leave it ambiguous which side it belongs to.
    const std::size_t second = line.find('\t', tab + 1);
    ATTN_CHECK(second == std::string::npos,
               "{}:{}: more than one tab (a second one at byte column {}; expected "
               "source<TAB>target with no tab inside either side)",
               path.string(), lineno, second + 1);
    // Only spaces counts as empty: such a side would tokenize to nothing.
    const auto blank = [](std::string_view side) {
      return side.find_first_not_of(" \t\r\v\f") == std::string_view::npos;
    };
    const std::string_view view(line);
    ATTN_CHECK(!blank(view.substr(0, tab)), "{}:{}: empty source (expected source<TAB>target)",
               path.string(), lineno);
    ATTN_CHECK(!blank(view.substr(tab + 1)), "{}:{}: empty target (expected source<TAB>target)",
               path.string(), lineno);
    pairs.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return pairs;
}

std::vector<ParallelPair> read_parallel_files(const fs::path& source, const fs::path& target) {
  std::vector<std::string> src = read_lines(source, /*allow_empty=*/false);
  std::vector<std::string> tgt = read_lines(target, /*allow_empty=*/false);
  ATTN_CHECK(src.size() == tgt.size(),
             "parallel files differ in length: {} has {} lines but {} has {} lines (expected one "
             "target line per source line)",
             source.string(), src.size(), target.string(), tgt.size());
  ATTN_CHECK(!src.empty(), "{} and {}: empty files (expected one sentence per line)",
             source.string(), target.string());
  std::vector<ParallelPair> pairs(src.size());
  for (std::size_t i = 0; i < src.size(); ++i) {
    pairs[i].source = std::move(src[i]);
    pairs[i].target = std::move(tgt[i]);
  }
  return pairs;
}

}  // namespace attn
