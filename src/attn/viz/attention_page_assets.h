#pragma once
// The attention page's inline stylesheet and script (hand-written, no libraries).
// Kept apart from attention_html.cpp so the C++ there stays about data.

namespace attn::viz {

extern const char* const kAttentionCss;
// Reads the JSON block with id "attn-data" (see attention_html.cpp for its fields),
// builds the page, then sets body data-heads (head thumbnails drawn), data-tokens
// (query tokens drawn in the head view) and data-ready="1".
extern const char* const kAttentionJs;

}  // namespace attn::viz
