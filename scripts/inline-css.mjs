// After `vite build`: puts every stylesheet of the app into build/index.html as one <style>, so
// the boot screen and whichever screen opens first paint without waiting for a stylesheet request
// (all screens' and dialogs' CSS is ~34 kB, ~7 kB compressed). SvelteKit's inlineStyleThreshold does not apply
// to the SPA fallback page, hence this step.
//
// Each screen's code asks Vite's loader for its stylesheets when it is imported, and the loader
// skips a stylesheet only when the page has a <link rel="stylesheet"> to it. So every inlined file
// keeps such a link, `disabled`: the browser neither fetches nor applies it, and no screen waits
// on a request for CSS it already has.
//
// Runs before route-preload.mjs and security-headers.mjs (the CSP allows inline styles).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientManifest, nodeEntries, BUILD } from './build-manifest.mjs';

const INDEX = join(BUILD, 'index.html');
const manifest = clientManifest();

// The root layout's own stylesheet first (it holds the global rules of app/app.css), then, screen
// by screen, the stylesheets of what each imports before its own (as one bundle would order
// them), then those of the components loaded on demand (dialogs).
const files = [];
const visited = new Set();
function collect(entry) {
  if (!entry || visited.has(entry)) return;
  visited.add(entry);
  for (const key of entry.imports ?? []) collect(manifest[key]);
  for (const css of entry.css ?? []) if (!files.includes(css)) files.push(css);
}
const nodes = nodeEntries(manifest);
files.push(...(nodes[0].css ?? []));
for (const entry of [...nodes, ...Object.values(manifest)]) collect(entry);

let html = readFileSync(INDEX, 'utf8');
const linked = /<link href="\/(_app\/immutable\/assets\/[^"]+\.css)" rel="stylesheet">/g;
const first = [...html.matchAll(linked)].map((match) => match[1]);
if (first.length === 0) throw new Error('inline-css: no stylesheet link found in build/index.html (did SvelteKit change its output?)');
for (const href of first) if (!files.includes(href)) throw new Error(`inline-css: ${href} is linked but belongs to no route node`);

const css = files
  .map((href) => {
    const text = readFileSync(join(BUILD, href), 'utf8');
    if (/url\(|@import/.test(text)) throw new Error(`${href} refers to other files: inlining would break their paths`);
    return text;
  })
  .join('\n');
const markers = files.map((href) => `<link rel="stylesheet" href="/${href}" disabled>`).join('');

let placed = false;
html = html.replace(linked, () => {
  if (placed) return '';
  placed = true;
  return `<style>${css}</style>${markers}`;
});
writeFileSync(INDEX, html);
console.log(`inline-css: ${files.length} stylesheets (${(css.length / 1024).toFixed(1)} kB) inlined into build/index.html`);
