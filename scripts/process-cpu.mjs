// The CPU time a process and its descendants have used, from /proc (Linux): what the local server
// (wrangler, workerd) spends per request, whatever else keeps the machine busy. Wall-clock figures
// stretch with the machine's load; CPU time per request barely does.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** [ppid, utime, stime] of a process in ticks, or null once it is gone. */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[11]), Number(fields[12])];
  } catch {
    return null;
  }
}

/** Every live process as pid → [ppid, utime, stime], and pid → its children; null where /proc is missing. */
function processes() {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return null;
  }
  const children = new Map();
  const stats = new Map();
  for (const p of pids) {
    const s = stat(p);
    if (!s) continue;
    stats.set(p, s);
    children.set(s[0], [...(children.get(s[0]) ?? []), p]);
  }
  return { stats, children };
}

/** `pid` and every process below it. */
function tree({ children }, pid) {
  const found = [];
  for (const queue = [pid]; queue.length > 0; ) {
    const p = queue.pop();
    found.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return found;
}

const ms = (ticks) => (ticks * 1000) / TICKS_PER_SECOND;

/**
 * Milliseconds of CPU used so far by `pid` and every process below it; null where /proc is missing.
 * @example const before = treeCpuMs(server.child.pid); await work(); const used = treeCpuMs(server.child.pid) - before;
 */
export function treeCpuMs(pid) {
  const all = processes();
  if (!all) return null;
  return ms(tree(all, pid).reduce((total, p) => total + (all.stats.get(p)?.[1] ?? 0) + (all.stats.get(p)?.[2] ?? 0), 0));
}

/**
 * The CPU used so far by `pid` and each process below it, split into user and kernel (sys) time:
 * pid → { name, user, sys } in milliseconds (name: the program, e.g. `workerd` or `node`). A commit's
 * writes and fsync are the kernel's time; SQLite, V8 and our code the user's. Null without /proc.
 * @example const before = cpuByProcess(pid); await work(); const after = cpuByProcess(pid);
 */
export function cpuByProcess(pid) {
  const all = processes();
  if (!all) return null;
  const found = new Map();
  for (const p of tree(all, pid)) {
    const s = all.stats.get(p);
    if (!s) continue;
    let name = String(p);
    try {
      name = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0].split('/').pop() || name;
    } catch {
      // gone meanwhile
    }
    found.set(p, { name, user: ms(s[1]), sys: ms(s[2]) });
  }
  return found;
}
