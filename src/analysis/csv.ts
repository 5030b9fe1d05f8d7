/** CSV as the analysis writes it (historical series, runs.csv, rank --csv): RFC 4180 fields, no dependencies. */

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
