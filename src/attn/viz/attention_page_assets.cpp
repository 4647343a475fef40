#include "attn/viz/attention_page_assets.h"

namespace attn::viz {

const char* const kAttentionCss = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.2em 2em; color: #222; background: #fafafa; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
.note { background: #fff3cd; border: 1px solid #e0c060; padding: .3em .6em; display: inline-block; }
.hint { color: #666; margin: .2em 0; }
.controls { position: sticky; top: 0; background: #fafafa; padding: .4em 0; z-index: 2;
            border-bottom: 1px solid #ddd; }
.controls select { margin-right: 1.5em; }
.scroll { max-height: 70vh; overflow: auto; border: 1px solid #ddd; background: #fff; }
.pred-row { display: flex; align-items: center; gap: .6em; margin: .15em 0; }
.pred-label { width: 12em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pred-bar { height: 14px; background: #3b528b; }
.pred-row.best .pred-label { font-weight: bold; }
.generated { white-space: pre-wrap; background: #fff; border: 1px solid #ddd; padding: .5em; }
.av-overview { display: flex; flex-wrap: wrap; gap: 10px; }
.thumb-box { text-align: center; font-size: 12px; cursor: pointer; padding: 3px;
             border: 2px solid transparent; }
.thumb-box.sel { border-color: #e07000; }
.thumb { display: block; image-rendering: pixelated; }
.hv { display: flex; align-items: flex-start; padding: 4px; }
.col { display: flex; flex-direction: column; }
.col.left { text-align: right; }
.tok { height: 18px; line-height: 18px; padding: 0 4px; font-family: monospace; white-space: pre;
       max-width: 14em; overflow: hidden; text-overflow: ellipsis; cursor: default; }
.tok.hl { outline: 1px solid #e07000; }
.av-matrix { display: flex; flex-wrap: wrap; gap: 16px; padding: 6px; }
.mat-box { font-size: 12px; }
.mat-box.sel .mat-title { color: #e07000; font-weight: bold; }
.av-tip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 2px 6px;
       font-size: 12px; border-radius: 3px; display: none; z-index: 5; white-space: pre; }
)CSS";

const char* const kAttentionViewJs = R"JS(
window.attnView = function (root, D) {
  'use strict';
  // Every element of this view is found inside `root` by its av-* class, so a
  // page can hold several views (the training report shows two).
  const $ = name => root.querySelector('.av-' + name);
  const ROW = 18;
  const state = { map: 0, head: 0, hover: null };
  // The PNG writer's ramp (viridis-like); brightness rises with the weight.
  const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function rampColor(t) {
    t = Math.max(0, Math.min(1, t));
    const x = t * (RAMP.length - 1), i = Math.min(Math.floor(x), RAMP.length - 2), f = x - i;
    const a = RAMP[i], b = RAMP[i + 1];
    return 'rgb(' + [0, 1, 2].map(c => Math.round(a[c] + (b[c] - a[c]) * f)).join(',') + ')';
  }
  function qTokens(m) { return D.sequences[m.q].tokens; }
  function kTokens(m) { return D.sequences[m.k].tokens; }
  function headMax(m, h) {
    let mx = 0;
    for (const v of m.w[h]) if (v > mx) mx = v;
    return mx > 0 ? mx : 1;
  }
  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  // Heatmap of head h of map m on `canvas`: rows = queries, columns = keys,
  // colour = weight / (largest weight of the head). Labels only when asked.
  function drawHeatmap(canvas, m, h, cell, labels) {
    const ctx = canvas.getContext('2d');
    ctx.font = '11px sans-serif';
    let left = 0, top = 0, every = 1;
    if (labels) {
      every = Math.max(1, Math.ceil(12 / cell));
      const widest = a => a.reduce((w, s) => Math.max(w, ctx.measureText(short(s, 16)).width), 0);
      left = Math.ceil(widest(qTokens(m))) + 6;
      top = Math.ceil(widest(kTokens(m))) + 6;
    }
    canvas.width = left + m.tk * cell;
    canvas.height = top + m.tq * cell;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const w = m.w[h], mx = headMax(m, h);
    for (let i = 0; i < m.tq; i++)
      for (let j = 0; j < m.tk; j++) {
        ctx.fillStyle = rampColor(w[i * m.tk + j] / mx);
        ctx.fillRect(left + j * cell, top + i * cell, cell, cell);
      }
    if (labels) {
      ctx.font = '11px sans-serif';
      ctx.fillStyle = '#222';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      qTokens(m).forEach((s, i) => {
        if (i % every === 0) ctx.fillText(short(s, 16), left - 4, top + (i + 0.5) * cell);
      });
      kTokens(m).forEach((s, j) => {
        if (j % every !== 0) return;
        ctx.save();
        ctx.translate(left + (j + 0.5) * cell, top - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = 'left';
        ctx.fillText(short(s, 16), 0, 0);
        ctx.restore();
      });
    }
    canvas.dataset.left = left;
    canvas.dataset.top = top;
    canvas.dataset.cell = cell;
  }

  function cellFor(n, budget, lo, hi) { return Math.max(lo, Math.min(hi, Math.floor(budget / n))); }

  function buildPrediction() {
    const box = $('pred');
    const p = D.prediction;
    if (p.title) box.appendChild(el('p', '', p.title));
    let best = -1;
    p.classes.forEach((c, i) => { if (best < 0 || c[1] > p.classes[best][1]) best = i; });
    p.classes.forEach((c, i) => {
      const row = el('div', 'pred-row' + (i === best ? ' best' : ''));
      row.appendChild(el('span', 'pred-label', c[0]));
      const bar = el('div', 'pred-bar');
      bar.style.width = Math.round(c[1] * 300) + 'px';
      row.appendChild(bar);
      row.appendChild(el('span', '', (c[1] * 100).toFixed(1) + '%'));
      box.appendChild(row);
    });
    if (p.text) box.appendChild(el('div', 'generated', p.text));
  }

  function buildOverview() {
    const box = $('overview');
    D.maps.forEach((m, mi) => {
      for (let h = 0; h < m.heads; h++) {
        const fig = el('div', 'thumb-box');
        fig.dataset.map = mi;
        fig.dataset.head = h;
        const c = el('canvas', 'thumb');
        drawHeatmap(c, m, h, cellFor(Math.max(m.tq, m.tk), 120, 1, 8), false);
        fig.appendChild(c);
        fig.appendChild(el('div', '', m.name + ', head ' + h));
        fig.addEventListener('click', () => select(mi, h));
        box.appendChild(fig);
      }
    });
  }

  function drawLines() {
    const m = D.maps[state.map], h = state.head, w = m.w[h];
    const canvas = $('hv-lines'), ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const x0 = 2, x1 = canvas.width - 2, hv = state.hover;
    const left = root.querySelectorAll('.av-hv-left .tok');
    const right = root.querySelectorAll('.av-hv-right .tok');
    left.forEach(e => { e.style.background = ''; e.classList.remove('hl'); });
    right.forEach(e => { e.style.background = ''; e.classList.remove('hl'); });
    for (let i = 0; i < m.tq; i++)
      for (let j = 0; j < m.tk; j++) {
        const a = w[i * m.tk + j];
        const on = hv && ((hv.side === 'q' && hv.idx === i) || (hv.side === 'k' && hv.idx === j));
        if (a < 0.004 && !on) continue;
        ctx.strokeStyle = on ? 'rgba(224,112,0,' + Math.max(a, 0.05) + ')'
                             : 'rgba(59,82,139,' + (hv ? a * 0.15 : a) + ')';
        ctx.lineWidth = on ? 2 : 1;
        ctx.beginPath();
        ctx.moveTo(x0, (i + 0.5) * ROW);
        ctx.lineTo(x1, (j + 0.5) * ROW);
        ctx.stroke();
        if (on) {
          const other = hv.side === 'q' ? right[j] : left[i];
          other.style.background = 'rgba(224,112,0,' + a + ')';
        }
      }
    if (hv) (hv.side === 'q' ? left : right)[hv.idx].classList.add('hl');
  }

  function buildHeadView() {
    const m = D.maps[state.map];
    const left = $('hv-left'), right = $('hv-right');
    left.textContent = '';
    right.textContent = '';
    const add = (col, tokens, side) => tokens.forEach((s, i) => {
      const t = el('div', 'tok', s);
      t.title = s;
      t.addEventListener('mouseenter', () => { state.hover = { side: side, idx: i }; drawLines(); });
      t.addEventListener('mouseleave', () => { state.hover = null; drawLines(); });
      col.appendChild(t);
    });
    add(left, qTokens(m), 'q');
    add(right, kTokens(m), 'k');
    const canvas = $('hv-lines');
    canvas.width = 240;
    canvas.height = Math.max(m.tq, m.tk) * ROW;
    state.hover = null;
    drawLines();
  }

  function buildMatrix() {
    const m = D.maps[state.map], box = $('matrix');
    box.textContent = '';
    const cell = cellFor(Math.max(m.tq, m.tk), 480, 4, 24);
    for (let h = 0; h < m.heads; h++) {
      const fig = el('div', 'mat-box' + (h === state.head ? ' sel' : ''));
      fig.appendChild(el('div', 'mat-title', m.name + ', head ' + h));
      const c = el('canvas', 'mat');
      drawHeatmap(c, m, h, cell, true);
      c.addEventListener('mousemove', ev => tip(ev, c, m, h));
      c.addEventListener('mouseleave', () => { $('tip').style.display = 'none'; });
      fig.appendChild(c);
      box.appendChild(fig);
    }
  }

  function tip(ev, c, m, h) {
    const r = c.getBoundingClientRect(), cell = +c.dataset.cell;
    const j = Math.floor((ev.clientX - r.left - c.dataset.left) / cell);
    const i = Math.floor((ev.clientY - r.top - c.dataset.top) / cell);
    const t = $('tip');
    if (i < 0 || j < 0 || i >= m.tq || j >= m.tk) { t.style.display = 'none'; return; }
    t.textContent = qTokens(m)[i] + ' \u2192 ' + kTokens(m)[j] + ': ' + m.w[h][i * m.tk + j].toFixed(4);
    t.style.left = (ev.clientX + 12) + 'px';
    t.style.top = (ev.clientY + 12) + 'px';
    t.style.display = 'block';
  }

  function fillHeads() {
    const sel = $('head');
    sel.textContent = '';
    for (let h = 0; h < D.maps[state.map].heads; h++) sel.appendChild(el('option', '', 'head ' + h));
    sel.selectedIndex = state.head;
  }

  function select(mi, h) {
    const changed = mi !== state.map;
    state.map = mi;
    state.head = h;
    $('map').selectedIndex = mi;
    if (changed) { fillHeads(); buildHeadView(); }
    $('head').selectedIndex = h;
    root.querySelectorAll('.thumb-box').forEach(f =>
      f.classList.toggle('sel', +f.dataset.map === mi && +f.dataset.head === h));
    drawLines();
    buildMatrix();
  }

  const mapSel = $('map');
  D.maps.forEach(m => mapSel.appendChild(el('option', '', m.name)));
  mapSel.addEventListener('change', () => select(mapSel.selectedIndex, 0));
  $('head').addEventListener('change', ev =>
    select(state.map, ev.target.selectedIndex));
  buildPrediction();
  buildOverview();
  if (D.maps.length > 0) {
    fillHeads();
    buildHeadView();
    select(0, 0);
  }
  return {
    heads: root.querySelectorAll('.av-overview canvas.thumb').length,
    tokens: root.querySelectorAll('.av-hv-left .tok').length
  };
};
)JS";

const char* const kAttentionPageJs = R"JS(
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('attn-data').textContent);
  const drawn = window.attnView(document.body, D);
  document.body.dataset.heads = drawn.heads;
  document.body.dataset.tokens = drawn.tokens;
  document.body.dataset.ready = '1';
})();
)JS";

}  // namespace attn::viz
