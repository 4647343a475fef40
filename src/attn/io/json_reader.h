#pragma once
// Config files: read a JSON file with line:col errors, and pull typed,
// range-checked values out of an object with errors that name the file, the
// key path, what was expected and what was found. finish() rejects keys that
// nobody asked for, so a typo ("d_modle") fails loudly instead of being ignored.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace attn {

// Throws attn::Error "FILE: cannot read ..." or "FILE:LINE:COL: invalid JSON: ...".
nlohmann::json read_json_file(const std::filesystem::path& path);

class JsonObjectReader {
 public:
  static constexpr std::int64_t kIntMin = std::numeric_limits<std::int64_t>::min();
  static constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  // context is "SOURCE" or "SOURCE: PATH" (e.g. "examples/x.json: model");
  // keys are reported as "SOURCE: PATH.key". Throws if obj is not an object.
  JsonObjectReader(const nlohmann::json& obj, std::string context);

  // "examples/x.json: model.d_model"
  std::string where(const std::string& key) const;
  const nlohmann::json& json() const { return obj_; }

  // has() marks the key as known (so finish() accepts it) without reading it.
  bool has(const std::string& key) const;

  // Integers accept JSON integers and floats with an exact integer value (1e4).
  std::int64_t get_int(const std::string& key, std::int64_t def, std::int64_t min = kIntMin,
                       std::int64_t max = kIntMax) const;
  std::int64_t get_int_required(const std::string& key, std::int64_t min = kIntMin,
                                std::int64_t max = kIntMax) const;
  // Absent or null -> nullopt.
  std::optional<std::int64_t> get_int_optional(const std::string& key, std::int64_t min = kIntMin,
                                               std::int64_t max = kIntMax) const;
  double get_float(const std::string& key, double def, double min = -kInf, double max = kInf) const;
  double get_float_required(const std::string& key, double min = -kInf, double max = kInf) const;
  bool get_bool(const std::string& key, bool def) const;
  std::string get_string(const std::string& key, const std::string& def) const;
  std::string get_string_required(const std::string& key) const;
  std::string get_string_enum(const std::string& key, const std::string& def,
                              const std::vector<std::string>& allowed) const;
  std::vector<std::int64_t> get_int_list(const std::string& key,
                                         const std::vector<std::int64_t>& def,
                                         std::int64_t min = kIntMin,
                                         std::int64_t max = kIntMax) const;
  std::vector<std::string> get_string_list(const std::string& key,
                                           const std::vector<std::string>& def) const;
  // A nested object (required); its context is this one's plus ".key".
  JsonObjectReader get_object(const std::string& key) const;
  // A nested object, or an empty one when the key is absent.
  JsonObjectReader get_object_or_empty(const std::string& key) const;
  // The raw value (marks the key known); throws if absent.
  const nlohmann::json& get_value(const std::string& key) const;

  // Throws if the object has keys that were never asked for, listing them and
  // suggesting the closest known key.
  void finish() const;

 private:
  JsonObjectReader(const nlohmann::json& obj, std::string source, std::string path);
  std::string label(const std::string& key) const;  // "PATH.key"
  // Marks key as known; returns the value or nullptr when absent.
  const nlohmann::json* find(const std::string& key) const;
  const nlohmann::json& require(const std::string& key) const;
  std::int64_t to_int(const nlohmann::json& v, const std::string& what, std::int64_t min,
                      std::int64_t max) const;
  [[noreturn]] void type_error(const std::string& label, const std::string& expected,
                               const nlohmann::json& got) const;

  nlohmann::json obj_;  // a copy: config objects are small and this avoids dangling
  std::string source_;
  std::string path_;
  mutable std::set<std::string> known_;
};

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace attn
