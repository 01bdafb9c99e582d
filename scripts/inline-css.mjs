// After `vite build`: puts the app's stylesheet into build/index.html as a <style>, so the boot
// screen and the first screen paint without waiting for a render-blocking request (the whole app's
// CSS is ~24 kB, ~6 kB compressed). SvelteKit's inlineStyleThreshold does not apply to the SPA
// fallback page, hence this step. Runs before security-headers.mjs (the CSP allows inline styles).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../build', import.meta.url));
const INDEX = join(BUILD, 'index.html');

let html = readFileSync(INDEX, 'utf8');
let inlined = 0;
html = html.replace(/<link href="(\/_app\/immutable\/assets\/[^"]+\.css)" rel="stylesheet">/g, (_, href) => {
  inlined++;
  const css = readFileSync(join(BUILD, href), 'utf8');
  if (/url\(|@import/.test(css)) throw new Error(`${href} refers to other files: inlining would break their paths`);
  return `<style>${css}</style>`;
});
if (inlined === 0) throw new Error('inline-css: no stylesheet link found in build/index.html (did SvelteKit change its output?)');
writeFileSync(INDEX, html);
console.log(`inline-css: ${inlined} stylesheet${inlined === 1 ? '' : 's'} inlined into build/index.html`);
