/**
 * CSV export for the reports (RFC 4180): a header row, CRLF line ends, fields quoted when they hold
 * a comma, a semicolon (the separator spreadsheets use in many locales), a quote or a line break. Text that a spreadsheet would run as a formula (=, +, -, @,
 * tab, CR at the start) is prefixed with an apostrophe, so a user's name cannot become a formula.
 */

export type CsvValue = string | number | boolean | null;

/** One column: its header and how to read it from a row. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

/**
 * The CSV text of `rows`.
 * @example toCsv([{ header: 'name', value: (u) => u.name }], users) // → 'name\r\n"Smith, Jo"\r\n'
 */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One field, escaped. Numbers and booleans are written as they are. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV download response. */
export function csvResponse(text: string, filename: string): Response {
  return new Response(text, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
    },
  });
}
