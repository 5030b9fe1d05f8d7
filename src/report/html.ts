/**
 * The markup every page shares: escaping, number formatting and the page frame. Every value that comes from data
 * (type names, CPU models written by hosts, metric names) goes through {@link escapeHtml}; numbers are formatted
 * without the locale, so the same database gives the same bytes on every machine.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * JSON for a `<script type="application/json">` block: `<` is written as `\u003c`, so no string in the data can
 * close the element or open a comment.
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/**
 * A number for people: 4 significant figures at most, never exponent notation above 1, no thousands separators (a
 * pasted value stays a number). Not locale-dependent.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 10) return value.toFixed(2);
  if (abs >= 1) return value.toFixed(3);
  if (abs === 0) return "0";
  return String(Number(value.toPrecision(3)));
}

/** A coverage (0–1) as a percentage with one decimal. */
export function formatCoverage(coverage: number): string {
  return `${(coverage * 100).toFixed(1)} %`;
}

/** Options of {@link page}. */
export interface PageOptions {
  /** The page's title (plain text; escaped here). */
  title: string;
  /** The page's path in the site, e.g. `types/m7i.large.html`: links to the other pages are made relative to it. */
  path: string;
  /** The body's markup (already escaped by its builder). */
  body: string;
  /** The dataset version shown in the footer. */
  dataset: string;
  /** The site's public address (`--base-url`): a canonical link; nothing is loaded from it. */
  baseUrl?: string | undefined;
  /** Whether the page loads the site's one classic script (`assets/site.js`). */
  script?: boolean;
}

/** `../` as many times as `path` is deep: the way back to the site's root from a page. */
export function rootOf(path: string): string {
  return "../".repeat(path.split("/").length - 1);
}

const navigation: ReadonlyArray<readonly [string, string]> = [
  ["index.html", "Ranking"],
  ["scatter.html", "Price and performance"],
  ["compare.html", "Compare"],
  ["methodology.html", "Methodology"],
  ["api.html", "API"],
  ["licence.html", "Licence and citation"],
];

const styles = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.45}
header,main,footer{padding:0 1.25rem}header{border-bottom:1px solid #ccc}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0;margin:.6rem 0}
a{color:#0645ad}a:focus,button:focus,select:focus,input:focus{outline:3px solid #c60;outline-offset:1px}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}th,td{border:1px solid #bbb;padding:.25rem .45rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}thead th{background:#eef}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;color:inherit;text-align:left}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
.flag{display:inline-block;border:1px solid #555;border-radius:3px;padding:0 .25rem;margin:0 .15rem .1rem 0;font-size:.8rem}
fieldset{border:1px solid #bbb;margin:.6rem 0;padding:.4rem .8rem}fieldset label{margin-right:1rem;white-space:nowrap}
svg{max-width:100%;height:auto}svg text{font-size:12px;fill:#1b1b1b}
.instance{fill:#1f5fa8;fill-opacity:.75}.type-point{fill:#1f5fa8}.type-point.pareto{fill:#b35900}
.median{stroke:#000;stroke-width:2}.median-interval{fill:#1f5fa8;fill-opacity:.18}.prediction-interval{fill:none;stroke:#777;stroke-dasharray:4 3}
.axis{stroke:#555}.bar{stroke:#555}.pareto-front{fill:none;stroke:#b35900;stroke-width:2;stroke-dasharray:6 3}
code,pre{font-family:ui-monospace,monospace;font-size:.88rem}pre{background:#f4f4f4;padding:.6rem;overflow:auto}
.note{color:#444;font-size:.9rem}
`;

/** A whole HTML page: header with the site's navigation, the body, and a footer naming the dataset and licences. */
export function page(options: PageOptions): string {
  const root = rootOf(options.path);
  const links = navigation
    .map(
      ([href, label]) =>
        `<li><a href="${root}${href}"${href === options.path ? ' aria-current="page"' : ""}>${escapeHtml(label)}</a></li>`,
    )
    .join("");
  const canonical =
    options.baseUrl === undefined
      ? ""
      : `<link rel="canonical" href="${escapeHtml(options.baseUrl.replace(/\/*$/, "/") + options.path)}">\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)} · aws-instance-benchmarks</title>
${canonical}<style>${styles}</style>
</head>
<body>
<header><nav aria-label="Site"><ul>${links}</ul></nav></header>
<main>
<h1>${escapeHtml(options.title)}</h1>
${options.body}
</main>
<footer><p class="note">Dataset ${escapeHtml(options.dataset)}. Data CC BY 4.0, code Apache-2.0: see <a href="${root}licence.html">licence and citation</a>.</p></footer>
${options.script ? `<script src="${root}assets/site.js"></script>\n` : ""}</body>
</html>
`;
}
