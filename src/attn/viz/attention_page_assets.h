#pragma once
// The attention page's inline stylesheet and script (hand-written, no libraries).
// Kept apart from attention_html.cpp so the C++ there stays about data.

namespace attn::viz {

extern const char* const kAttentionCss;
// Defines window.attnView(root, data): builds one view inside `root` (which holds
// attention_view_markup()) from attention_json() data; returns {heads, tokens}:
// the head thumbnails and the head view's query tokens drawn.
extern const char* const kAttentionViewJs;
// The attention page's main script (after kAttentionViewJs): reads the JSON block
// with id "attn-data", builds the view over the whole body, then sets body
// data-heads, data-tokens and data-ready="1".
extern const char* const kAttentionPageJs;

}  // namespace attn::viz
