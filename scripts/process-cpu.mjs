// The CPU time a process and its descendants have used, from /proc (Linux): what the local server
// (wrangler, workerd) spends per request, whatever else keeps the machine busy. Wall-clock figures
// stretch with the machine's load; CPU time per request barely does.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** [ppid, utime + stime in ticks] of a process, or null once it is gone. */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields count from its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
  } catch {
    return null;
  }
}

/**
 * Milliseconds of CPU used so far by `pid` and every process below it; null where /proc is missing.
 * @example const before = treeCpuMs(server.child.pid); await work(); const used = treeCpuMs(server.child.pid) - before;
 */
export function treeCpuMs(pid) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return null;
  }
  const children = new Map();
  const ticks = new Map();
  for (const p of pids) {
    const s = stat(p);
    if (!s) continue;
    ticks.set(p, s[1]);
    children.set(s[0], [...(children.get(s[0]) ?? []), p]);
  }
  let total = 0;
  for (const queue = [pid]; queue.length > 0; ) {
    const p = queue.pop();
    total += ticks.get(p) ?? 0;
    queue.push(...(children.get(p) ?? []));
  }
  return (total * 1000) / TICKS_PER_SECOND;
}
