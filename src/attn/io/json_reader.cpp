#include "attn/io/json_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "attn/core/error.h"
#include "attn/io/atomic_file.h"
#include "attn/io/json_parse.h"

namespace attn {
namespace {

std::string quote(const std::string& s) { return json_preview(nlohmann::json(s), 80); }

// "an integer >= 1" or, for lists, "integers >= 1".
std::string int_range(std::int64_t min, std::int64_t max, bool plural = false) {
  const std::string noun = plural ? "integers" : "an integer";
  const bool lo = min != JsonObjectReader::kIntMin, hi = max != JsonObjectReader::kIntMax;
  if (lo && hi) return fmt::format("{} in [{}, {}]", noun, min, max);
  if (lo) return fmt::format("{} >= {}", noun, min);
  if (hi) return fmt::format("{} <= {}", noun, max);
  return noun;
}

std::string float_range(double min, double max) {
  const bool lo = std::isfinite(min), hi = std::isfinite(max);
  if (lo && hi) return fmt::format("a number in [{}, {}]", min, max);
  if (lo) return fmt::format("a number >= {}", min);
  if (hi) return fmt::format("a number <= {}", max);
  return "a number";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_text(read_file_bytes(path), path.string());
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // One rolling row of the classic dynamic programme: row[j] = distance(a[:i], b[:j]).
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& obj, std::string context) {
  // "SOURCE: PATH" -> source and path, so nested keys read "SOURCE: PATH.key".
  const auto sep = context.find(": ");
  if (sep == std::string::npos) {
    source_ = std::move(context);
  } else {
    source_ = context.substr(0, sep);
    path_ = context.substr(sep + 2);
  }
  if (!obj.is_object()) {
    const std::string at = path_.empty() ? source_ : source_ + ": " + path_;
    fail("{}: expected an object, got {}", at, json_preview(obj));
  }
  obj_ = obj;
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& obj, std::string source, std::string path)
    : source_(std::move(source)), path_(std::move(path)) {
  if (!obj.is_object()) type_error(path_, "an object", obj);
  obj_ = obj;
}

std::string JsonObjectReader::label(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

std::string JsonObjectReader::where(const std::string& key) const {
  return source_.empty() ? label(key) : source_ + ": " + label(key);
}

void JsonObjectReader::type_error(const std::string& label, const std::string& expected,
                                  const nlohmann::json& got) const {
  const std::string at = source_.empty() ? label : source_ + ": " + label;
  fail("{}: expected {}, got {}", at, expected, json_preview(got));
}

const nlohmann::json* JsonObjectReader::find(const std::string& key) const {
  known_.insert(key);
  auto it = obj_.find(key);
  return it == obj_.end() ? nullptr : &*it;
}

const nlohmann::json& JsonObjectReader::require(const std::string& key) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) fail("{}: missing required key", where(key));
  return *v;
}

bool JsonObjectReader::has(const std::string& key) const { return find(key) != nullptr; }

std::int64_t JsonObjectReader::to_int(const nlohmann::json& v, const std::string& what,
                                      std::int64_t min, std::int64_t max) const {
  std::int64_t x = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(kIntMax)) type_error(what, int_range(min, max), v);
    x = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    x = v.get<std::int64_t>();
  } else if (v.is_number_float()) {
    // 1e4 is a convenient way to write step counts; 2.5 is not an integer.
    const double d = v.get<double>();
    if (!(std::trunc(d) == d && std::fabs(d) < 9.2e18)) type_error(what, int_range(min, max), v);
    x = static_cast<std::int64_t>(d);
  } else {
    type_error(what, int_range(min, max), v);
  }
  if (x < min || x > max) type_error(what, int_range(min, max), v);
  return x;
}

std::int64_t JsonObjectReader::get_int(const std::string& key, std::int64_t def, std::int64_t min,
                                       std::int64_t max) const {
  const nlohmann::json* v = find(key);
  return v == nullptr ? def : to_int(*v, label(key), min, max);
}

std::int64_t JsonObjectReader::get_int_required(const std::string& key, std::int64_t min,
                                                std::int64_t max) const {
  return to_int(require(key), label(key), min, max);
}

std::optional<std::int64_t> JsonObjectReader::get_int_optional(const std::string& key,
                                                               std::int64_t min,
                                                               std::int64_t max) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return to_int(*v, label(key), min, max);
}

double JsonObjectReader::get_float(const std::string& key, double def, double min,
                                   double max) const {
  return has(key) ? get_float_required(key, min, max) : def;
}

double JsonObjectReader::get_float_required(const std::string& key, double min, double max) const {
  const nlohmann::json& v = require(key);
  if (!v.is_number()) type_error(label(key), float_range(min, max), v);
  const double x = v.get<double>();
  if (!(x >= min && x <= max)) type_error(label(key), float_range(min, max), v);
  return x;
}

bool JsonObjectReader::get_bool(const std::string& key, bool def) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return def;
  if (!v->is_boolean()) type_error(label(key), "true or false", *v);
  return v->get<bool>();
}

std::string JsonObjectReader::get_string(const std::string& key, const std::string& def) const {
  return has(key) ? get_string_required(key) : def;
}

std::string JsonObjectReader::get_string_required(const std::string& key) const {
  const nlohmann::json& v = require(key);
  if (!v.is_string()) type_error(label(key), "a string", v);
  return v.get<std::string>();
}

std::string JsonObjectReader::get_string_enum(const std::string& key, const std::string& def,
                                              const std::vector<std::string>& allowed) const {
  if (!has(key)) return def;
  const nlohmann::json& v = require(key);
  std::vector<std::string> quoted;
  for (const auto& a : allowed) quoted.push_back(quote(a));
  const std::string expected = fmt::format("one of {}", fmt::join(quoted, ", "));
  if (!v.is_string()) type_error(label(key), expected, v);
  const auto s = v.get<std::string>();
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    type_error(label(key), expected, v);
  }
  return s;
}

std::vector<std::int64_t> JsonObjectReader::get_int_list(const std::string& key,
                                                         const std::vector<std::int64_t>& def,
                                                         std::int64_t min, std::int64_t max) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return def;
  if (!v->is_array()) type_error(label(key), "a list of " + int_range(min, max, true), *v);
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    out.push_back(to_int((*v)[i], fmt::format("{}[{}]", label(key), i), min, max));
  }
  return out;
}

std::vector<std::string> JsonObjectReader::get_string_list(
    const std::string& key, const std::vector<std::string>& def) const {
  const nlohmann::json* v = find(key);
  if (v == nullptr) return def;
  if (!v->is_array()) type_error(label(key), "a list of strings", *v);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      type_error(fmt::format("{}[{}]", label(key), i), "a string", (*v)[i]);
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

JsonObjectReader JsonObjectReader::get_object(const std::string& key) const {
  return JsonObjectReader(require(key), source_, label(key));
}

JsonObjectReader JsonObjectReader::get_object_or_empty(const std::string& key) const {
  const nlohmann::json* v = find(key);
  return JsonObjectReader(v == nullptr ? nlohmann::json::object() : *v, source_, label(key));
}

const nlohmann::json& JsonObjectReader::get_value(const std::string& key) const {
  return require(key);
}

void JsonObjectReader::finish() const {
  std::vector<std::string> unknown;
  for (const auto& [key, _] : obj_.items()) {
    if (!known_.count(key)) unknown.push_back(key);
  }
  if (unknown.empty()) return;
  std::vector<std::string> parts;
  for (const auto& key : unknown) {
    std::string part = quote(key);
    // Suggest the nearest known key if it is a plausible typo of this one.
    const std::string* best = nullptr;
    std::size_t best_d = std::max<std::size_t>(2, key.size() / 3) + 1;
    for (const auto& k : known_) {
      const std::size_t d = edit_distance(lower(key), lower(k));
      if (d < best_d) {
        best_d = d;
        best = &k;
      }
    }
    if (best != nullptr) part += fmt::format(" (did you mean {}?)", quote(*best));
    parts.push_back(part);
  }
  std::vector<std::string> known_list;
  for (const auto& k : known_) known_list.push_back(k);
  const std::string at = path_.empty() ? source_ : source_ + ": " + path_;
  fail("{}: unknown key{} {}{}", at, unknown.size() > 1 ? "s" : "", fmt::join(parts, ", "),
       known_list.empty() ? std::string()
                          : fmt::format("; known keys: {}", fmt::join(known_list, ", ")));
}

}  // namespace attn
