/**
 * Browsable API documentation at /api/docs, rendered in the browser from /api/v1/openapi.json.
 * Self-contained (no CDN), so it works offline and under a strict Content-Security-Policy.
 */

export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SetMe Seats API</title>
<style>
  :root { color-scheme: light dark; font: 16px/1.5 system-ui, sans-serif; }
  body { max-width: 60rem; margin: 0 auto; padding: 1rem; }
  h2 { border-bottom: 1px solid #8884; padding-bottom: .25rem; margin-top: 2rem; }
  details { border: 1px solid #8884; border-radius: .5rem; margin: .5rem 0; padding: .5rem .75rem; }
  summary { cursor: pointer; }
  code, pre { font: 14px/1.4 ui-monospace, monospace; }
  pre { overflow-x: auto; background: #8881; padding: .5rem; border-radius: .25rem; }
  .m { display: inline-block; min-width: 4.5rem; font-weight: 700; }
</style>
</head>
<body>
<h1>SetMe Seats API <small>v1</small></h1>
<p>The machine-readable document: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<main id="docs"><p>Loading…</p></main>
<script src="/api/docs.js" defer></script>
</body>
</html>`;

export const docsScript = `(async () => {
  const spec = await (await fetch('/api/v1/openapi.json')).json();
  const main = document.getElementById('docs');
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  // Descriptions are written in Markdown: \`code\` spans become <code>, the rest stays text.
  const prose = (text) => { const p = el('p'); text.split('\u0060').forEach((part, i) => p.append(i % 2 ? el('code', part) : part)); return p; };
  const resolve = (s) => s && s.$ref ? spec.components.schemas[s.$ref.split('/').pop()] : s;
  const block = (title, value) => { const d = el('div'); d.append(el('strong', title), el('pre', JSON.stringify(value, null, 2))); return d; };
  main.replaceChildren(prose(spec.info.description));
  const byTag = new Map();
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  for (const [tag, ops] of byTag) {
    main.append(el('h2', tag));
    for (const { path, method, op } of ops) {
      const d = el('details');
      const s = el('summary');
      s.append(Object.assign(el('span', method.toUpperCase()), { className: 'm' }), el('code', '/api/v1' + path), el('span', ' — ' + (op.summary || '')));
      d.append(s);
      if (op.description) d.append(prose(op.description));
      if (op.parameters && op.parameters.length) d.append(block('Parameters', op.parameters.map((p) => ({ name: p.name, in: p.in, required: !!p.required, schema: p.schema }))));
      const body = op.requestBody && op.requestBody.content['application/json'];
      if (body) d.append(block('Request body', resolve(body.schema)));
      for (const [status, r] of Object.entries(op.responses || {})) {
        const c = r.content && (r.content['application/json'] || r.content['application/problem+json']);
        d.append(block(status + ' ' + r.description, c ? resolve(c.schema) : '(no body)'));
      }
      main.append(d);
    }
  }
})();`;
