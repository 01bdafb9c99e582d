// After `vite build`: writes build/_headers, the security headers Cloudflare's static assets serve
// with every page of the app (the API sets its own), and how long browsers may keep the files. The Content-Security-Policy allows scripts
// only from our origin plus the exact inline scripts SvelteKit wrote into the built HTML, by hash:
// no 'unsafe-inline' for scripts.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../build', import.meta.url));

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.name.endsWith('.html') ? [path] : [];
  });
}

const hashes = new Set();
for (const file of htmlFiles(BUILD)) {
  const html = readFileSync(file, 'utf8');
  for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    if (/\bsrc=/.test(attributes) || body.trim() === '') continue;
    // Browsers hash the script as parsed, and HTML parsing turns every CRLF into LF.
    hashes.add(`'sha256-${createHash('sha256').update(body.replace(/\r\n?/g, '\n')).digest('base64')}'`);
  }
}

const csp = [
  "default-src 'self'",
  `script-src 'self' ${[...hashes].join(' ')}`.trim(),
  // Svelte sets style attributes for transitions; styles cannot run code.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const headers = `/*
  Content-Security-Policy: ${csp}
  Strict-Transport-Security: max-age=63072000; includeSubDomains
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: strict-origin-when-cross-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=()
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Resource-Policy: same-origin
/_app/immutable/*
  Cache-Control: public, max-age=31536000, immutable
/icons/*
  Cache-Control: public, max-age=86400
`;
// Files under /_app/immutable/ are named by their content: a new version has new names, so a
// browser never needs to ask again. The icons are fetched three times by every first screen
// (the tab's icon, the "Loading…" header, the app's header); a day's keeping makes that once.
// Everything else keeps the platform's default (revalidate every time): index.html and the
// service worker must reach browsers as soon as a version is deployed.
writeFileSync(join(BUILD, '_headers'), headers);
console.log(`security-headers: wrote build/_headers (${hashes.size} inline script hash${hashes.size === 1 ? '' : 'es'})`);
