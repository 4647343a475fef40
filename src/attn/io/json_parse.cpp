#include "attn/io/json_parse.h"

#include <iterator>
#include <vector>

#include "attn/core/error.h"

namespace attn {
namespace {

// A char iterator that publishes how far the parser has read, so a duplicate
// key found in the parse callback can be reported with its position.
class TrackingIter {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIter() = default;
  TrackingIter(const char* p, const char* base, std::size_t* pos) : p_(p), base_(base), pos_(pos) {}
  reference operator*() const { return *p_; }
  TrackingIter& operator++() {
    ++p_;
    *pos_ = static_cast<std::size_t>(p_ - base_);
    return *this;
  }
  TrackingIter operator++(int) {
    TrackingIter old = *this;
    ++*this;
    return old;
  }
  bool operator==(const TrackingIter& o) const { return p_ == o.p_; }
  bool operator!=(const TrackingIter& o) const { return p_ != o.p_; }

 private:
  const char* p_ = nullptr;
  const char* base_ = nullptr;
  std::size_t* pos_ = nullptr;
};

struct DuplicateKey {
  std::string key;
  std::size_t offset;
};

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at
// line 1, column 5: syntax error ..."; keep only the part after the position,
// since callers report the position in their own terms.
std::string strip_nlohmann_prefix(const std::string& what) {
  const auto col = what.find("column ");
  const auto sep = what.find(": ", col == std::string::npos ? 0 : col);
  if (sep != std::string::npos) return what.substr(sep + 2);
  const auto bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

}  // namespace

JsonParseResult parse_json_strict(std::string_view text) {
  JsonParseResult r;
  std::size_t pos = 0;
  // One set of seen keys per open object; arrays do not open a key scope.
  std::vector<std::vector<std::string>> seen;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (ev == E::object_start) {
      seen.emplace_back();
    } else if (ev == E::object_end) {
      if (!seen.empty()) seen.pop_back();
    } else if (ev == E::key && !seen.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      for (const auto& k : seen.back()) {
        // pos is just past the closing quote; point at the opening quote.
        if (k == key) throw DuplicateKey{key, pos >= key.size() + 2 ? pos - key.size() - 2 : 0};
      }
      seen.back().push_back(key);
    }
    return true;
  };
  const char* base = text.data();
  try {
    r.value = nlohmann::json::parse(TrackingIter(base, base, &pos),
                                    TrackingIter(base + text.size(), base, &pos), callback);
    r.ok = true;
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts the characters read, the last one being the culprit.
    r.offset = e.byte > 0 ? std::min<std::size_t>(e.byte - 1, text.size()) : 0;
    r.reason = strip_nlohmann_prefix(e.what());
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double (e.g. 1e999): found by fuzzing; nlohmann
    // reports it as out_of_range, not as a parse error. pos is just past it.
    r.offset = pos > 0 ? std::min<std::size_t>(pos - 1, text.size()) : 0;
    r.reason = "number out of range: " + strip_nlohmann_prefix(e.what());
  } catch (const DuplicateKey& d) {
    r.offset = d.offset;
    r.reason = "duplicate key " +
               nlohmann::json(d.key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return r;
}

TextPosition text_position(std::string_view text, std::size_t offset) {
  TextPosition p;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

nlohmann::json parse_json_text(std::string_view text, const std::string& source) {
  JsonParseResult r = parse_json_strict(text);
  if (!r.ok) {
    const TextPosition p = text_position(text, r.offset);
    fail("{}:{}:{}: invalid JSON: {}", source, p.line, p.column, r.reason);
  }
  return std::move(r.value);
}

std::string json_preview(const nlohmann::json& v, std::size_t max_len) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > max_len) s = s.substr(0, max_len) + "...";
  return s;
}

}  // namespace attn
