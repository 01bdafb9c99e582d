// After `vite build` and inline-css.mjs: with bundleStrategy 'split', SvelteKit's fallback page
// preloads only the entry and the root layout. Each screen's own files would be found only after
// the entry has run and the router has matched the URL: a second wave of requests, one network
// round trip later. This writes into build/index.html, for every route, which files its layouts and
// page import, and a small inline script that preloads the current URL's at once, in the same wave
// as the entry. Runs before security-headers.mjs, which hashes the script into the CSP.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientManifest, nodeEntries, routeDictionary, staticFiles, BUILD } from './build-manifest.mjs';

const INDEX = join(BUILD, 'index.html');

/**
 * The path pattern SvelteKit matches for a route id: groups like "(app)" leave no segment, a
 * "[param]" is one segment. Other parameter kinds are not used by this app: fail rather than guess.
 */
function pattern(id) {
  const segments = id.split('/').filter((segment) => segment && !/^\(.+\)$/.test(segment));
  const parts = segments.map((segment) => {
    if (/^\[[a-z_]\w*\]$/i.test(segment)) return '[^/]+';
    if (/[[\]]/.test(segment)) throw new Error(`route-preload: ${id} has a parameter kind this step does not read (${segment})`);
    return segment.replace(/[.*+?^${}()|\\]/g, '\\$&');
  });
  return parts.length === 0 ? '^/$' : `^/${parts.join('/')}/?$`;
}

const manifest = clientManifest();
const nodes = nodeEntries(manifest);
let html = readFileSync(INDEX, 'utf8');
const preloaded = new Set([...html.matchAll(/<link href="\/([^"]+\.js)" rel="modulepreload">/g)].map((match) => match[1]));
if (preloaded.size === 0) throw new Error('route-preload: no modulepreload links in build/index.html (did SvelteKit change its output?)');

// Static routes before dynamic ones, as SvelteKit ranks them ("/users/new" before "/users/[id]"):
// the script takes the first pattern that matches.
const routes = Object.entries(routeDictionary()).sort(([a], [b]) => a.split('[').length - b.split('[').length);
// Each file named once; a route lists the numbers of its files.
const files = [];
const numberOf = (file) => (files.includes(file) ? files.indexOf(file) : files.push(file) - 1);
const table = routes.map(([id, [page, layouts]]) => {
  // Node 1, the root error page, is loaded by the router on every start, whatever the route.
  const numbers = [1, ...layouts, page].filter((n) => n !== undefined).map((n) => (n < 0 ? ~n : n));
  const needed = new Set();
  for (const n of numbers) for (const file of staticFiles(manifest, nodes[n])) if (!preloaded.has(file)) needed.add(file);
  return [pattern(id), [...needed].map(numberOf)];
});

const script =
  `<script>(() => {` +
  `const files = ${JSON.stringify(files)}; const routes = ${JSON.stringify(table)};` +
  `const route = routes.find(([pattern]) => new RegExp(pattern).test(location.pathname));` +
  // One insertion for all the links, rather than one DOM change each.
  `document.head.insertAdjacentHTML('beforeend', (route ? route[1] : []).map((n) => '<link rel="modulepreload" href="/' + files[n] + '">').join(''));` +
  `})();</script>`;

const last = html.lastIndexOf('rel="modulepreload">') + 'rel="modulepreload">'.length;
html = html.slice(0, last) + script + html.slice(last);
writeFileSync(INDEX, html);
console.log(`route-preload: ${routes.length} routes, ${files.length} files written into build/index.html (${(script.length / 1024).toFixed(1)} kB)`);
