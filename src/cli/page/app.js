/* The search page's script: talks to this server's JSON API only, builds every element with
 * textContent (release text is never markup), except snippet_html, which the server escaped and
 * marked up (<mark> only). No framework, nothing fetched from elsewhere. */
'use strict';
(function () {
  var PAGE = 10, CSV_ROWS = 1000, CHART_SAMPLE = 100;
  var $ = function (id) { return document.getElementById(id); };
  var state = { offset: 0, total: 0, lastFocus: null };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* Only web links become links: a release's URL is data, and could say javascript:. */
  function safeUrl(u) {
    if (typeof u !== 'string') return null;
    try {
      var p = new URL(u, location.href);
      return p.protocol === 'http:' || p.protocol === 'https:' ? p.href : null;
    } catch (e) { return null; }
  }

  function params() {
    var p = new URLSearchParams();
    var q = $('q').value;
    p.set('q', q);
    ['since', 'until', 'source', 'sort'].forEach(function (k) {
      var v = $(k).value.trim();
      if (v && !(k === 'sort' && v === 'relevance')) p.set(k, v);
    });
    if ($('by_release').checked) p.set('by_release', '1');
    return p;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().catch(function () { return { error: { status: r.status, message: r.statusText } }; })
        .then(function (body) { return { status: r.status, body: body }; });
    });
  }

  /* A byte offset of the UTF-8 query as an index into the JavaScript string. */
  function charIndex(s, bytes) {
    var b = 0, i = 0;
    while (i < s.length && b < bytes) {
      var c = s.codePointAt(i);
      b += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += c >= 0x10000 ? 2 : 1;
    }
    return i;
  }

  function showError(err) {
    var box = $('query-error');
    box.textContent = err.message || 'The search failed.';
    box.hidden = false;
    if (typeof err.position === 'number') {
      var q = $('q'), at = charIndex(q.value, err.position);
      box.textContent += ' \u2014 here: \u2026' + q.value.slice(Math.max(0, at - 20), at) + '\u2591' +
        q.value.slice(at, at + 20) + '\u2026';
      q.focus();
      q.setSelectionRange(at, Math.min(q.value.length, at + 1));
    }
  }

  function clearResults() {
    $('results').textContent = '';
    $('results-box').hidden = true;
    $('chart-box').hidden = true;
    $('query-error').hidden = true;
    $('status').textContent = '';
  }

  function renderResult(r) {
    var li = el('li');
    li.setAttribute('data-release', r.release);
    var t = el('div', 'title');
    var url = safeUrl(r.url);
    var title = r.title || r.release;
    if (url) {
      var a = el('a', null, title);
      a.href = url;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      t.appendChild(a);
    } else t.textContent = title;
    li.appendChild(t);
    li.appendChild(el('div', 'meta', [r.date || 'undated', r.source || 'no source',
      r.release + ' \u00b6' + r.paragraph].join(' \u00b7 ') +
      (r.collapsed ? ' (+' + r.collapsed + (params().has('by_release') ? ' more in this release)' : ' identical)') : '')));
    var p = el('p', 'snippet');
    p.innerHTML = r.snippet_html; /* escaped by the server, <mark> its only markup */
    li.appendChild(p);
    var actions = el('div', 'result-actions');
    var b = el('button', null, 'Show the whole release');
    b.type = 'button';
    b.addEventListener('click', function () { openRelease(r.release, r.paragraph, b); });
    actions.appendChild(b);
    li.appendChild(actions);
    return li;
  }

  /* months: [[ 'YYYY-MM', count ], ...] in time order; undated: a count left out of the axis. */
  function drawChart(months, undated, note) {
    var box = $('chart'), svgNS = 'http://www.w3.org/2000/svg';
    box.textContent = '';
    $('chart-note').textContent = note + (undated ? ' ' + undated + ' undated.' : '');
    if (!months.length) { $('chart-box').hidden = !undated; return; }
    /* Every month between the first and the last, empty ones included: a time axis. */
    var all = [], byMonth = {};
    months.forEach(function (m) { byMonth[m[0]] = m[1]; });
    var y = +months[0][0].slice(0, 4), mo = +months[0][0].slice(5, 7);
    var end = months[months.length - 1][0];
    for (var guard = 0; guard < 1200; guard++) {
      var key = y + '-' + (mo < 10 ? '0' : '') + mo;
      all.push([key, byMonth[key] || 0]);
      if (key >= end) break;
      if (++mo > 12) { mo = 1; y++; }
    }
    var max = Math.max.apply(null, all.map(function (m) { return m[1]; })) || 1;
    var W = 800, H = 180, padL = 36, padB = 28, padT = 8;
    var bw = Math.min((W - padL) / all.length, 60); /* a few months: bars, not a wall */
    var x0 = padL + ((W - padL) - bw * all.length) / 2; /* ... in the middle */
    var svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Matching paragraphs per month, ' + all[0][0] + ' to ' + all[all.length - 1][0]);
    function text(x, yy, s, anchor) {
      var t = document.createElementNS(svgNS, 'text');
      t.setAttribute('x', x); t.setAttribute('y', yy);
      if (anchor) t.setAttribute('text-anchor', anchor);
      t.textContent = s;
      svg.appendChild(t);
    }
    text(padL - 4, padT + 8, String(max), 'end');
    text(padL - 4, H - padB, '0', 'end');
    var step = Math.max(1, Math.ceil(all.length / 12));
    all.forEach(function (m, i) {
      var h = (H - padB - padT) * m[1] / max;
      var r = document.createElementNS(svgNS, 'rect');
      r.setAttribute('class', 'bar');
      r.setAttribute('x', x0 + i * bw + bw * 0.1);
      r.setAttribute('width', Math.max(1, bw * 0.8));
      r.setAttribute('y', H - padB - h);
      r.setAttribute('height', h);
      var tip = document.createElementNS(svgNS, 'title');
      tip.textContent = m[0] + ': ' + m[1];
      r.appendChild(tip);
      svg.appendChild(r);
      if (i % step === 0) text(x0 + i * bw + bw / 2, H - padB + 14, m[0], 'middle');
    });
    box.appendChild(svg);
    $('chart-box').hidden = false;
  }

  /* The sources of the matching paragraphs, each a button that narrows the search to it. */
  function sourcesFromFacets(f) {
    var box = $('by-source');
    box.textContent = '';
    if (!f.source || !f.source.length) return;
    box.appendChild(document.createTextNode('By source: '));
    f.source.slice(0, 12).forEach(function (s, i) {
      if (i) box.appendChild(document.createTextNode(' '));
      var b = el('button', 'source-facet', (s.value || 'no source') + ' (' + s.count + ')');
      b.type = 'button';
      b.disabled = !s.value;
      b.addEventListener('click', function () {
        var sel = $('source');
        if (!Array.prototype.some.call(sel.options, function (o) { return o.value === s.value; })) {
          var o = el('option', null, s.value);
          o.value = s.value;
          sel.appendChild(o);
        }
        sel.value = s.value;
        search(0);
      });
      box.appendChild(b);
    });
  }

  function chartFromFacets(f) {
    sourcesFromFacets(f);
    var months = [], undated = 0;
    (f.month || []).forEach(function (m) {
      if (m.value) months.push([m.value, m.count]); else undated += m.count;
    });
    drawChart(months, undated, f.exact ? 'All matching paragraphs.' : 'Estimated from the paragraphs checked.');
  }

  /* Without facets from the server: the months of the best-matching passages, said so. */
  function chartFromSample(p) {
    var s = new URLSearchParams(p);
    s.set('limit', String(CHART_SAMPLE));
    s.set('offset', '0');
    s.set('facets', '0');
    return getJSON('/api/search?' + s).then(function (res) {
      if (res.status !== 200) return;
      var count = {}, undated = 0;
      res.body.results.forEach(function (r) {
        if (r.date) count[r.date.slice(0, 7)] = (count[r.date.slice(0, 7)] || 0) + 1; else undated++;
      });
      var months = Object.keys(count).sort().map(function (k) { return [k, count[k]]; });
      $('by-source').textContent = '';
      drawChart(months, undated, 'The ' + res.body.results.length + ' best-matching paragraphs.');
    });
  }

  function search(offset, push) {
    var p = params();
    state.offset = offset;
    if (offset) p.set('offset', String(offset));
    clearResults();
    if (!$('q').value.trim() && !p.has('since') && !p.has('until') && !p.has('source')) return;
    $('status').textContent = 'Searching\u2026';
    if (push !== false) history.replaceState(null, '', '?' + p);
    getJSON('/api/search?' + p).then(function (res) {
      if (res.status !== 200) {
        $('status').textContent = '';
        showError(res.body.error || { message: 'HTTP ' + res.status });
        return;
      }
      var b = res.body, list = $('results');
      state.total = b.total;
      b.results.forEach(function (r) { list.appendChild(renderResult(r)); });
      var first = b.offset + 1, last = b.offset + b.results.length;
      $('status').textContent = b.results.length
        ? 'Paragraphs ' + first + '\u2013' + last + ' of ' + (b.exact ? '' : 'about ') + b.total + '.'
        : (b.total ? 'No results past the first ' + b.offset + '.' : 'Nothing found.');
      if (b.suggestion) {
        var s = el('button', null, 'Did you mean: ' + b.suggestion);
        s.type = 'button';
        s.addEventListener('click', function () { $('q').value = b.suggestion; search(0); });
        $('status').appendChild(document.createTextNode(' '));
        $('status').appendChild(s);
      }
      $('results-box').hidden = !b.results.length;
      $('prev').disabled = b.offset === 0;
      $('next').disabled = last >= b.total || b.results.length < PAGE;
      $('page').textContent = 'page ' + (Math.floor(b.offset / PAGE) + 1);
      var c = new URLSearchParams(p);
      c.delete('offset');
      c.set('limit', String(CSV_ROWS));
      $('csv').href = '/api/search.csv?' + c;
      if (b.facets) chartFromFacets(b.facets); else if (b.total) chartFromSample(p);
    }).catch(function (e) {
      $('status').textContent = '';
      showError({ message: 'The server did not answer: ' + e.message });
    });
  }

  function openRelease(id, paragraph, from) {
    state.lastFocus = from || null;
    getJSON('/api/release?id=' + encodeURIComponent(id)).then(function (res) {
      if (res.status !== 200) { showError(res.body.error || { message: 'HTTP ' + res.status }); return; }
      var r = res.body, list = $('release-paragraphs');
      $('release-title').textContent = r.title || r.id;
      var meta = [r.date || 'undated', r.source || 'no source', r.id].join(' \u00b7 ');
      $('release-meta').textContent = meta + ' ';
      var url = safeUrl(r.url);
      if (url) {
        var a = el('a', null, 'original');
        a.href = url; a.rel = 'noopener noreferrer'; a.target = '_blank';
        $('release-meta').appendChild(a);
      }
      list.textContent = '';
      var hit = null;
      r.paragraphs.forEach(function (p) {
        var li = el('li', p.paragraph === paragraph ? 'hit' : null, p.text);
        li.value = p.paragraph;
        if (p.paragraph === paragraph) hit = li;
        list.appendChild(li);
      });
      $('results-box').hidden = true;
      $('chart-box').hidden = true;
      $('release').hidden = false;
      $('release').focus();
      if (hit) hit.scrollIntoView({ block: 'center' });
    });
  }

  function closeRelease() {
    if ($('release').hidden) return;
    $('release').hidden = true;
    $('results-box').hidden = false;
    $('chart-box').hidden = !$('chart').firstChild;
    if (state.lastFocus) state.lastFocus.focus();
  }

  function holdings() {
    getJSON('/api/stats').then(function (res) {
      if (res.status !== 200) return;
      var s = res.body;
      $('holdings').textContent = s.releases + ' releases, ' + s.passages + ' paragraphs' +
        (s.date_min ? ', ' + s.date_min + ' to ' + s.date_max : '');
      var sel = $('source'), want = new URLSearchParams(location.search).get('source');
      s.sources.forEach(function (x) {
        var o = el('option', null, x.source + ' (' + x.passages + ')');
        o.value = x.source;
        sel.appendChild(o);
      });
      if (want) sel.value = want;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('search').addEventListener('submit', function (e) { e.preventDefault(); closeRelease(); search(0); });
    $('prev').addEventListener('click', function () { search(Math.max(0, state.offset - PAGE)); });
    $('next').addEventListener('click', function () { search(state.offset + PAGE); });
    $('close-release').addEventListener('click', closeRelease);
    document.addEventListener('keydown', function (e) {
      var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
      if (e.key === 'Escape') closeRelease();
      else if (e.key === '/' && !typing) { e.preventDefault(); $('q').focus(); $('q').select(); }
    });
    holdings();
    /* A shared link (?q=...) searches at once. */
    var u = new URLSearchParams(location.search);
    ['q', 'since', 'until', 'sort'].forEach(function (k) { if (u.get(k)) $(k).value = u.get(k); });
    if (u.get('by_release') === '1') $('by_release').checked = true;
    if (u.get('q') || u.get('since') || u.get('until') || u.get('source')) {
      if (u.get('source')) { var o = el('option', null, u.get('source')); o.value = u.get('source'); $('source').appendChild(o); $('source').value = u.get('source'); }
      search(+u.get('offset') || 0, false);
    } else $('q').focus();
  });
}());
