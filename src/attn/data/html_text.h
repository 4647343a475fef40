#pragma once
// HTML -> plain text for the email reader: what a reader of the rendered mail
// would see, flattened. Not a conforming HTML parser; it only has to be robust
// on the tag soup spam is written in.
#include <cstddef>
#include <string>
#include <string_view>

namespace attn {

// html (UTF-8) -> text (UTF-8). Drops <script>/<style> contents, comments,
// <!DOCTYPE> and <?...?>; block-level tags (p, div, br, tr, li, h1-h6, ...)
// become line breaks, inline formatting tags (b, i, a, span, font, ...) vanish,
// other tags become a space. Runs of blanks collapse to one space, blank lines
// to at most one. Entities: &amp; &lt; &gt; &quot; &apos; &#NNN; &#xHH; and the
// named latin-1/typographic ones; &nbsp; becomes a plain space; unknown
// entities stay as written.
std::string html_to_text(std::string_view html);

// Decodes one entity starting at html[pos] == '&'; appends it to `out` and
// returns the number of bytes consumed, or 0 when it is not an entity.
std::size_t decode_html_entity(std::string_view html, std::size_t pos, std::string& out);

}  // namespace attn
