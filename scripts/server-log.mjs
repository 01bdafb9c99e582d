// What `npm start` shows of wrangler's output, line by line: API requests (method, path, status,
// time), the mail the local transport writes (framed so it stands out), the Worker's own log lines,
// warnings and errors. Left out: requests for the app's own files (thousands in a short session)
// and wrangler's start-up chatter. Everything on stderr is shown. `npm start -- --verbose` bypasses
// this and prints wrangler's output as it comes.
import { createInterface } from 'node:readline';

// `[wrangler:info] GET /api/v1/me 401 Unauthorized (13ms)`, sometimes followed by a remark.
const REQUEST = /^\[wrangler:info\] ([A-Z]+) (\S+) (\d{3})\b.*?\((\d+)ms\)/;
// Wrangler's own notes that the banner makes redundant.
const CHATTER = /^\[wrangler:info\] (Ready on |✨ Parsed \d+ valid header rules?)/;
const PROBLEM = /^\[wrangler:(error|warn)\]/;
const WRANGLER = /^\[wrangler:/;
// worker/mail.ts writes `[mail] to=… subject="…"`, then the text, as one log entry.
const MAIL = /^\[mail\] to=(\S+) subject=(".*")$/;
// Printed by wrangler when it exits: where its own debug log went. Not ours to read.
const EXIT_NOTE = /^🪵 {2}Logs were written to/;

/**
 * A filter for wrangler's output. Until `show()` it holds every stdout line (the server starting,
 * the demo being seeded) so a failure can print them with `held()`; stderr always goes through.
 * @param {{ out?: NodeJS.WriteStream, err?: NodeJS.WriteStream }} [streams]
 */
export function serverLog({ out = process.stdout, err = process.stderr } = {}) {
  const paint = colours(Boolean(out.isTTY) && !process.env.NO_COLOR);
  const held = [];
  let showing = false;
  let inMail = false;
  let lastLineAt = Date.now();

  const print = (line) => out.write(`${line}\n`);
  const endMail = () => {
    if (inMail) print(paint.mail('  └─'));
    inMail = false;
  };

  function onLine(line) {
    lastLineAt = Date.now();
    if (!showing) {
      held.push(line);
      return;
    }
    const mail = MAIL.exec(line);
    if (mail) {
      endMail();
      inMail = true;
      print(paint.mail(`  ┌─ ✉ Mail to ${mail[1]}: ${mail[2]}`));
      return;
    }
    if (inMail && !WRANGLER.test(line)) {
      print(`${paint.mail('  │')} ${line}`.trimEnd());
      return;
    }
    endMail();
    const request = REQUEST.exec(line);
    if (request) {
      const [, method, path, status, ms] = request;
      if (path.startsWith('/api/') || Number(status) >= 500) {
        print(`  ${clock()}  ${method.padEnd(6)} ${path}  ${paint.status(status)}  ${ms} ms`);
      }
      return;
    }
    if (CHATTER.test(line)) return;
    const problem = PROBLEM.exec(line);
    print(problem ? (problem[1] === 'error' ? paint.error(line) : paint.warn(line)) : line);
  }

  return {
    /** Gives the filter wrangler's streams (pass as startServer's `output`). */
    attach(stdout, stderr) {
      createInterface({ input: stdout, crlfDelay: Infinity }).on('line', onLine);
      createInterface({ input: stderr, crlfDelay: Infinity }).on('line', (line) => {
        if (!EXIT_NOTE.test(line)) err.write(`${line}\n`);
      });
    },
    /**
     * Waits until wrangler has been silent for a moment (its request lines trail the responses),
     * drops what it held, and shows lines from then on.
     */
    async show() {
      const deadline = Date.now() + 3000;
      while (Date.now() - lastLineAt < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      held.length = 0;
      showing = true;
    },
    /** The lines held back so far, for when starting fails. */
    held: () => [...held],
  };
}

/** The local time as HH:MM:SS. */
function clock() {
  return new Date().toTimeString().slice(0, 8);
}

/** ANSI colours when the terminal shows them, plain text otherwise. */
function colours(enabled) {
  const wrap = (open) => (text) => (enabled ? `\x1b[${open}m${text}\x1b[0m` : text);
  const mail = wrap('1;36');
  const error = wrap('31');
  const warn = wrap('33');
  return {
    mail,
    error,
    warn,
    status: (status) => (Number(status) >= 500 ? error(status) : Number(status) >= 400 ? warn(status) : status),
  };
}
