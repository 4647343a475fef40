#include "attn/data/email.h"

#include <cctype>
#include <utility>

#include "attn/data/charset.h"
#include "attn/data/html_text.h"
#include "attn/data/mime.h"

namespace attn {
namespace {

// Deeper nesting than this is an attack or a loop, not mail; stop descending.
constexpr int kMaxDepth = 32;

// The text of one MIME entity plus the statistics gathered while producing it,
// kept apart so multipart/alternative can discard the versions it does not use.
struct Rendered {
  std::string text;
  int attachments = 0;
  std::size_t replaced = 0;
  bool plain = false;  // text came from text/plain (preferred in alternatives)
};

bool is_blank(std::string_view s) {
  for (const char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// CRLF and lone CR -> LF, so every later stage sees one line ending.
std::string normalize_newlines(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

bool looks_like_html(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  std::string head;
  for (; i < body.size() && head.size() < 14; ++i) {
    head.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(body[i]))));
  }
  return head.starts_with("<html") || head.starts_with("<!doctype html") ||
         head.starts_with("<head") || head.starts_with("<body");
}

// Control characters other than tab and newline -> space; trailing blanks
// dropped; at most one empty line in a row; no leading/trailing blank lines.
std::string tidy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  int newlines = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    char v = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F ? ' ' : ch;
    if (v == '\n') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      if (!out.empty() && newlines < 2) out.push_back('\n');
      ++newlines;
      continue;
    }
    if (out.empty() && (v == ' ' || v == '\t')) continue;
    newlines = 0;
    out.push_back(v);
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

// Header text: every whitespace run (folding leftovers, tabs, padding) -> one space.
std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == 0) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

void append_paragraph(std::string& out, std::string_view text) {
  if (is_blank(text)) return;
  if (!out.empty()) out += "\n\n";
  out += text;
}

Rendered render_entity(const MimeEntity& entity, int depth);

Rendered render_text_leaf(std::string_view body, const ContentType& ct, std::string_view encoding) {
  Rendered r;
  const std::string bytes = decode_transfer_encoding(body, encoding);
  const auto charset = ct.params.find("charset");
  // Decoded base64/QP carries its own line ends (often CRLF): normalise again.
  std::string text = normalize_newlines(
      to_utf8(bytes, charset == ct.params.end() ? "" : charset->second, &r.replaced));
  const bool html =
      ct.subtype == "html" || ct.subtype == "xhtml" || (ct.type.empty() && looks_like_html(text));
  r.plain = !html;
  r.text = html ? html_to_text(text) : std::move(text);
  return r;
}

Rendered render_alternative(const std::vector<MimeEntity>& parts, int depth) {
  std::vector<Rendered> versions;
  versions.reserve(parts.size());
  for (const MimeEntity& part : parts) versions.push_back(render_entity(part, depth + 1));
  for (Rendered& v : versions) {
    if (v.plain && !is_blank(v.text)) return std::move(v);
  }
  for (Rendered& v : versions) {
    if (!is_blank(v.text)) return std::move(v);
  }
  return versions.empty() ? Rendered{} : std::move(versions.back());
}

Rendered render_multipart(const MimeEntity& entity, const ContentType& ct, int depth) {
  const auto b = ct.params.find("boundary");
  const std::string boundary =
      b != ct.params.end() && !b->second.empty() ? b->second : guess_boundary(entity.body);
  const std::vector<std::string_view> bodies = split_multipart(entity.body, boundary);
  if (bodies.empty()) {  // no delimiter anywhere: the body is all there is
    return render_text_leaf(entity.body, ContentType{"text", "plain", {}}, "");
  }
  std::vector<MimeEntity> parts;
  parts.reserve(bodies.size());
  for (const std::string_view body : bodies) parts.push_back(split_entity(body));
  if (ct.subtype == "alternative") return render_alternative(parts, depth);
  Rendered all;
  all.plain = true;
  for (const MimeEntity& part : parts) {
    Rendered r = render_entity(part, depth + 1);
    append_paragraph(all.text, r.text);
    all.attachments += r.attachments;
    all.replaced += r.replaced;
    all.plain = all.plain && r.plain;
  }
  return all;
}

Rendered render_entity(const MimeEntity& entity, int depth) {
  if (depth > kMaxDepth) return {};
  const ContentType ct = parse_content_type(find_header(entity.headers, "content-type"));
  const ContentType disposition =
      parse_content_type(find_header(entity.headers, "content-disposition"));
  const std::string_view encoding = find_header(entity.headers, "content-transfer-encoding");

  if (ct.type == "multipart") return render_multipart(entity, ct, depth);
  if (ct.type == "message" && ct.subtype == "rfc822") {
    // A forwarded message: its subject and body, read like the outer one.
    const std::string inner_raw = decode_transfer_encoding(entity.body, encoding);
    const MimeEntity inner = split_entity(inner_raw);
    Rendered r = render_entity(inner, depth + 1);
    const std::string subject = decode_rfc2047(find_header(inner.headers, "subject"), &r.replaced);
    std::string text;
    append_paragraph(text, subject);
    append_paragraph(text, r.text);
    r.text = std::move(text);
    return r;
  }
  if (disposition.type == "attachment" || (!ct.type.empty() && ct.type != "text")) {
    Rendered r;
    r.attachments = 1;
    return r;
  }
  return render_text_leaf(entity.body, ct, encoding);
}

}  // namespace

ParsedEmail parse_email(std::string_view raw) {
  ParsedEmail email;
  const std::string text = normalize_newlines(raw);
  const MimeEntity top = split_entity(text);
  for (const MimeHeader& h : top.headers) {
    if (email.headers.count(h.name) == 0) email.headers[h.name] = to_utf8(h.value, "", nullptr);
  }
  email.subject =
      collapse_spaces(decode_rfc2047(find_header(top.headers, "subject"), &email.replaced_bytes));
  email.from =
      collapse_spaces(decode_rfc2047(find_header(top.headers, "from"), &email.replaced_bytes));
  const Rendered body = render_entity(top, 0);
  email.body_text = tidy(body.text);
  email.attachments = body.attachments;
  email.replaced_bytes += body.replaced;
  return email;
}

std::string email_to_text(const ParsedEmail& email) {
  const std::string subject = collapse_spaces(email.subject);
  if (subject.empty()) return email.body_text;
  if (email.body_text.empty()) return subject;
  return subject + "\n\n" + email.body_text;
}

}  // namespace attn
