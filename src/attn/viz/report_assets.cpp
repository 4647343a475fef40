#include "attn/viz/report_assets.h"

namespace attn::viz {

const char* const kReportCss = R"CSS(
.meta { color: #444; margin: 0 0 .6em; }
nav { margin: 0 0 1em; }
nav a { margin-right: 1em; color: #3b528b; }
table { border-collapse: collapse; background: #fff; margin: .3em 0 .8em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary tfoot td { font-weight: bold; }
table.epochs tr.best td { background: #eef3ff; }
table.confusion td.cell { text-align: right; min-width: 4em; font-variant-numeric: tabular-nums; }
table.confusion td.diag { font-weight: bold; }
table.worst td.text { max-width: 48em; white-space: pre-wrap; word-break: break-word;
                      font-size: 12px; }
table.worst tr.wrong td:nth-child(4) { color: #b00; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart-box { margin: 0; background: #fff; border: 1px solid #ddd; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #333; }
svg.chart text.title { font-size: 13px; font-weight: bold; }
pre.sample { background: #fff; border: 1px solid #ddd; padding: .6em; white-space: pre-wrap;
             max-width: 60em; }
pre.config { background: #fff; border: 1px solid #ddd; padding: .6em; overflow: auto;
             max-height: 40em; font-size: 12px; }
.attn-view { border-top: 2px solid #ccc; margin-top: 1em; padding-top: .3em; }
.attn-view .controls { position: static; }
)CSS";

const char* const kReportJs = R"JS(
(function () {
  'use strict';
  let views = 0, heads = 0;
  document.querySelectorAll('.attn-view').forEach(v => {
    const D = JSON.parse(document.getElementById(v.dataset.src).textContent);
    heads += window.attnView(v, D).heads;
    views += 1;
  });
  document.body.dataset.views = views;
  document.body.dataset.heads = heads;
  document.body.dataset.ready = '1';
})();
)JS";

}  // namespace attn::viz
