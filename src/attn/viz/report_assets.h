#pragma once
// The training report's inline stylesheet and script (on top of the attention
// view's, attention_page_assets.h).

namespace attn::viz {

extern const char* const kReportCss;
// Builds every .attn-view (its data-src names the JSON block) with
// window.attnView, then sets body data-views, data-heads and data-ready="1".
extern const char* const kReportJs;

}  // namespace attn::viz
