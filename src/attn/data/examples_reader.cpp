#include "attn/data/examples_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "attn/core/error.h"
#include "attn/data/fetch_util.h"
#include "attn/data/utf8.h"

namespace attn {
namespace {

namespace fs = std::filesystem;

constexpr const char* kJsonlExpect =
    R"(expected one JSON object per line with string fields "text" and "label")";

// Splits into lines, dropping a UTF-8 byte-order mark and any '\r' before '\n'.
std::vector<std::string> split_lines(std::string content) {
  if (content.rfind("\xEF\xBB\xBF", 0) == 0) content.erase(0, 3);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

const char* json_kind(const nlohmann::json& j) { return j.type_name(); }

std::string string_field(const nlohmann::json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  ATTN_CHECK(it != obj.end(), "{}: missing field \"{}\" ({})", where, key, kJsonlExpect);
  ATTN_CHECK(it->is_string(), "{}: field \"{}\" is a {}, expected a string", where, key,
             json_kind(*it));
  return it->get<std::string>();
}

void read_jsonl(std::string content, const std::string& source, ExampleSet& set) {
  const std::vector<std::string> lines = split_lines(std::move(content));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (is_blank(line)) continue;
    const std::size_t lineno = i + 1;
    const std::string where = fmt::format("{}:{}", source, lineno);
    // Repair before parsing: nlohmann rejects invalid UTF-8 inside strings.
    set.replaced_utf8 += sanitize_utf8(line);
    nlohmann::json obj;
    try {
      obj = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      // nlohmann's text says "line 1" (it saw one line); keep only the part after the position.
      std::string detail = e.what();
      const std::size_t col = detail.find("column ");
      const std::size_t colon = col == std::string::npos ? col : detail.find(": ", col);
      if (colon != std::string::npos) detail.erase(0, colon + 2);
      fail("{}: malformed JSON at column {}: {} ({})", where, e.byte, detail, kJsonlExpect);
    } catch (const nlohmann::json::out_of_range&) {
      // A number too large for a double, e.g. 1e999 (found by fuzzing).
      fail("{}: malformed JSON: number out of range ({})", where, kJsonlExpect);
    }
    ATTN_CHECK(obj.is_object(), "{}: got a JSON {}, {}", where, json_kind(obj), kJsonlExpect);
    Example ex;
    ex.text = string_field(obj, "text", where);
    ex.label = string_field(obj, "label", where);
    ex.line = lineno;
    auto id = obj.find("id");
    if (id == obj.end() || id->is_null()) {
      ex.id = std::to_string(lineno);
    } else if (id->is_string()) {
      ex.id = id->get<std::string>();
    } else if (id->is_number_integer()) {
      ex.id = id->dump();
    } else {
      fail("{}: field \"id\" is a {}, expected a string or an integer", where, json_kind(*id));
    }
    for (const auto& [key, value] : obj.items())
      if (value.is_string() && key != "text" && key != "label" && key != "id")
        ex.fields[key] = value.get<std::string>();
    set.examples.push_back(std::move(ex));
  }
}

void read_tsv(std::string content, const std::string& source, ExampleSet& set) {
  std::vector<std::string> lines = split_lines(std::move(content));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string& line = lines[i];
    if (line.empty()) continue;
    const std::size_t lineno = i + 1;
    const std::size_t tab = line.find('\t');
    ATTN_CHECK(tab != std::string::npos,
               "{}:{}: no tab in line (expected label<TAB>text, one example per line)", source,
               lineno);
    ATTN_CHECK(tab > 0, "{}:{}: empty label (expected label<TAB>text)", source, lineno);
    set.replaced_utf8 += sanitize_utf8(line);
    Example ex;
    // The tab is ASCII, so repairing the line cannot move it.
    ex.label = line.substr(0, tab);
    ex.text = line.substr(tab + 1);
    ex.id = std::to_string(lineno);
    ex.line = lineno;
    set.examples.push_back(std::move(ex));
  }
}

bool is_hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

void read_label_dirs(const fs::path& root, ExampleSet& set) {
  std::vector<fs::path> label_dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && !is_hidden(entry.path())) label_dirs.push_back(entry.path());
  }
  ATTN_CHECK(!label_dirs.empty(),
             "{}: directory has no label folders (expected one sub-folder per label, each "
             "holding one file per example)",
             root.string());
  std::sort(label_dirs.begin(), label_dirs.end());
  for (const fs::path& dir : label_dirs) {
    const std::string label = dir.filename().string();
    // Labels end up in config.json and reports; a folder name that is not UTF-8
    // cannot be written there (found by fuzzing: it escaped as an internal error).
    ATTN_CHECK(is_valid_utf8(label),
               "{}: label folder name is not valid UTF-8 (rename the folder; labels are stored "
               "as JSON text)",
               dir.string());
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file() && !is_hidden(entry.path())) files.push_back(entry.path());
    }
    ATTN_CHECK(!files.empty(), "{}: label folder \"{}\" holds no example files", dir.string(),
               label);
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      Example ex;
      ex.text = read_whole_file(f);
      set.replaced_utf8 += sanitize_utf8(ex.text);
      ex.label = label;
      ex.id = fs::relative(f, root).generic_string();
      sanitize_utf8(ex.id);  // file names may be any bytes; the id is shown and written as text
      set.examples.push_back(std::move(ex));
    }
  }
}

}  // namespace

ExampleSet read_examples(const fs::path& p) {
  ExampleSet set;
  set.source = p.string();
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  ATTN_CHECK(fs::exists(st),
             "{}: no such file or directory (expected a .jsonl or .tsv file, or "
             "a directory with one sub-folder per label)",
             p.string());
  if (fs::is_directory(st)) {
    try {
      read_label_dirs(p, set);
    } catch (const fs::filesystem_error& e) {
      // e.g. a label folder without read permission: report it as bad input.
      fail("{}: cannot read directory: {}", p.string(), e.what());
    }
  } else {
    const std::string ext = p.extension().string();
    if (ext == ".jsonl") {
      read_jsonl(read_whole_file(p), p.string(), set);
    } else if (ext == ".tsv") {
      read_tsv(read_whole_file(p), p.string(), set);
    } else {
      fail(
          "{}: unsupported file type \"{}\" (expected .jsonl, .tsv or a directory with one "
          "sub-folder per label)",
          p.string(), ext);
    }
  }
  ATTN_CHECK(!set.examples.empty(), "{}: no examples found (file is empty or only blank lines)",
             p.string());
  return set;
}

ExampleSet parse_examples(std::string_view text, ExampleFormat format, const std::string& source) {
  ExampleSet set;
  set.source = source;
  if (format == ExampleFormat::jsonl)
    read_jsonl(std::string(text), source, set);
  else
    read_tsv(std::string(text), source, set);
  return set;
}

std::vector<std::string> sorted_labels(const ExampleSet& set) {
  std::vector<std::string> labels;
  for (const Example& ex : set.examples) labels.push_back(ex.label);
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return labels;
}

std::vector<int> encode_labels(const ExampleSet& set, const std::vector<std::string>& labels,
                               const fs::path& path) {
  std::map<std::string, int> index;
  for (std::size_t i = 0; i < labels.size(); ++i) index.emplace(labels[i], static_cast<int>(i));
  const std::string file = path.empty() ? set.source : path.string();
  std::vector<int> out;
  out.reserve(set.examples.size());
  for (const Example& ex : set.examples) {
    auto it = index.find(ex.label);
    if (it == index.end()) {
      const std::string where =
          ex.line > 0 ? fmt::format("{}:{}", file, ex.line) : fmt::format("{}/{}", file, ex.id);
      fail("{}: unknown label \"{}\" (known: {})", where, ex.label, fmt::join(labels, ", "));
    }
    out.push_back(it->second);
  }
  return out;
}

}  // namespace attn
