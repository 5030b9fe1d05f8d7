/**
 * The site (src/report/): generated from databases made by src/analysis's `buildDatabase`, the empty database, a
 * hostile CPU model string, and through `aws-bench report` itself. Counts are checked against the fixture's own
 * instances and prices, never against the generator's output.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildApi } from "../../../src/analysis/api.js";
import { memoryIo } from "../../../src/cli/io.js";
import { exec } from "../../../src/cli/main.js";
import { paretoFront } from "../../../src/report/charts.js";
import { escapeHtml, formatNumber, inlineJson } from "../../../src/report/html.js";
import { markdownToHtml } from "../../../src/report/markdown.js";
import { buildSite, writeSite } from "../../../src/report/site.js";
import type { AnalysisDatabase } from "../../../src/schemas/generated/analysis-database.js";
import { emptyDatabase, fixtureDatabase, hostileCpuModel, sampleDatabase } from "./database-fixture.js";

const scratch = mkdtempSync(join(tmpdir(), "aws-bench-report-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const site = (database: AnalysisDatabase) =>
  buildSite({ database, api: buildApi(database), documents: { methodology: "# M\n\nText.\n" } });

const count = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].length;

/** The `<section>` of a type page holding `metric`. */
function sectionOf(html: string, metric: string): string {
  const start = html.indexOf(`<h2 id="m-${metric.replace(/[^A-Za-z0-9]+/g, "-")}"`);
  expect(start).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</section>", start));
}

describe("the site", () => {
  const database = sampleDatabase();
  const files = site(database);

  it("has the pages, a page and a Markdown summary per type, llms.txt and the API copied", () => {
    for (const path of [
      "index.html",
      "scatter.html",
      "compare.html",
      "methodology.html",
      "api.html",
      "licence.html",
      "llms.txt",
      "assets/site.js",
      "api/v1/index.json",
      "api/v1/types/m7i.large.json",
    ])
      expect(files.has(path), path).toBe(true);
    for (const type of ["m7i.large", "m7a.xlarge", "c7g.large"]) {
      expect(files.get(`types/${type}.html`)).toContain(`<h1>${type}</h1>`);
      expect(files.get(`types/${type}.md`)).toMatch(new RegExp(`^# ${type.replace(".", "\\.")}\n`));
      expect(files.get("llms.txt")).toContain(`(types/${type}.md)`);
    }
    expect(files.get("types/m7i.large.html")).toContain('href="../api/v1/types/m7i.large.json"');
  });

  it("ranks every type per headline metric in markup, with sortable headers and row headers", () => {
    const index = files.get("index.html") ?? "";
    const triad = index.slice(index.indexOf('data-metric="stream.triad"'), index.indexOf("</section>"));
    expect(count(triad, /<tr data-type=/g)).toBe(3);
    expect(count(triad, /<th scope="row">/g)).toBe(3);
    expect(count(triad, /<th scope="col" aria-sort="none"[^>]*><button type="button">/g)).toBe(13);
    expect(triad).toMatch(/<button type="button">Physical cores<\/button>/);
    expect(triad).toMatch(/data-memory="\d+(\.\d+)?" data-vendor="[^"]+"/);
    expect(index).toContain('data-metric="hpl.gflops"');
    // stream.triad comes first: it is the default metric.
    expect(index.indexOf('data-metric="stream.triad"')).toBeLessThan(index.indexOf('data-metric="hpl.gflops"'));
    // Flags as text, the evidence level, the price-performance of priced types only.
    expect(triad).toContain('<span class="flag">mixed-cpu</span>');
    expect(triad).toContain('<span class="flag">provisional</span>');
    expect(triad).toContain("no price");
    expect(triad).toContain(formatNumber(10025 / 0.1008));
    // Intervals carry their coverage.
    expect(triad).toMatch(/\[9900, 10150\] \(\d+\.\d %\)/);
    // Baselines precomputed with src/analysis compare: every type relative to every type.
    const data = JSON.parse(
      /<script type="application\/json" id="site-data">(.*)<\/script>/.exec(index)?.[1] ?? "{}",
    ) as Record<string, { key: string; relative: Record<string, Record<string, { ratio: number; verdict: string }>> }>;
    const triadData = Object.values(data).find((entry) => entry.key === "stream.triad");
    expect(Object.keys(triadData?.relative ?? {}).sort()).toEqual(["c7g.large", "m7a.xlarge", "m7i.large"]);
    expect(triadData?.relative["m7i.large"]?.["m7a.xlarge"]?.verdict).toBe("faster");
    // Links to the type pages, and no external resource loaded.
    expect(index).toContain('href="types/m7i.large.html"');
    for (const html of [...files].filter(([path]) => path.endsWith(".html")).map(([, text]) => text))
      expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)="(https?:)?\/\//);
  });

  it("draws one mark per instance on a type's strip plot, in lanes per CPU model when mixed", () => {
    const page = files.get("types/m7i.large.html") ?? "";
    const triad = sectionOf(page, "stream.triad");
    expect(count(triad, /<circle class="instance"/g)).toBe(6);
    expect(triad).toContain('class="median"');
    expect(triad).toContain('class="median-interval"');
    expect(triad).toContain('class="prediction-interval"');
    expect(triad).toContain("stream.triad per CPU model");
    // How it was measured: the source's checksum and verification, the compiler, flags, BLAS, target and sizing.
    expect(triad).toContain("how it was measured");
    expect(triad).toMatch(/<td class="num">6<\/td><td><code>abababababababab… \(sha256, stream 1\)<\/code><\/td>/);
    expect(triad).toContain("<code>-O3 -march=native -fopenmp</code>");
    expect(triad).toContain("<code>arraySize=80000000</code>");
    expect(count(sectionOf(page, "hpl.gflops"), /<circle class="instance"/g)).toBe(3);
    expect(
      count(sectionOf(files.get("types/m7a.xlarge.html") ?? "", "stream.triad"), /<circle class="instance"/g),
    ).toBe(6);
  });

  it("draws one point per priced type on the scatter, and marks the Pareto front", () => {
    const scatter = files.get("scatter.html") ?? "";
    const triad = scatter.slice(0, scatter.indexOf("</svg>"));
    // m7i.large and c7g.large have prices; m7a.xlarge has none.
    expect(count(triad, /<circle class="type-point/g)).toBe(2);
    // c7g.large is cheaper and faster: alone on the front.
    expect(triad).toMatch(/class="type-point pareto" data-type="c7g\.large"/);
    expect(triad).toMatch(/class="type-point" data-type="m7i\.large"/);
  });

  it("escapes what hosts write: a hostile CPU model never appears as markup", () => {
    for (const [path, text] of files) {
      if (!path.endsWith(".html")) continue;
      expect(text, path).not.toContain("<img src=x");
    }
    expect(files.get("types/m7i.large.html")).toContain(escapeHtml(hostileCpuModel));
    expect(escapeHtml(hostileCpuModel)).toBe("&lt;img src=x onerror=alert(1)&gt; &quot;Xeon&quot; &amp; &#39;co&#39;");
  });

  it("is deterministic: two builds give the same bytes", () => {
    const again = site(sampleDatabase());
    expect([...again.keys()]).toEqual([...files.keys()]);
    for (const [path, text] of files) expect(again.get(path), path).toBe(text);
  });

  it("says there are no runs yet, and how to add some, for the empty database", () => {
    const empty = site(emptyDatabase());
    for (const path of ["index.html", "scatter.html", "compare.html"]) {
      const text = empty.get(path) ?? "";
      expect(text).toContain("no runs in this database yet");
      expect(text).toContain("aws-bench run --target local");
      expect(text).toContain("--include-local");
    }
    expect([...empty.keys()].filter((path) => path.startsWith("types/"))).toEqual([]);
  });

  it("labels relative values as ratios of medians when there are too many types to precompute", () => {
    const many = buildSite({ database, api: new Map(), documents: {}, maxBaselineTypes: 2 });
    const index = many.get("index.html") ?? "";
    expect(index).toContain("relative values are ratios of medians, without an interval");
    expect(index).toContain('"relative":null');
  });

  it("canonical links only with --base-url", () => {
    const withBase = buildSite({ database, api: new Map(), documents: {}, baseUrl: "https://o.github.io/r" });
    expect(withBase.get("types/m7i.large.html")).toContain(
      '<link rel="canonical" href="https://o.github.io/r/types/m7i.large.html">',
    );
    expect(files.get("index.html")).not.toContain("canonical");
  });
});

describe("pieces", () => {
  it("inline JSON cannot close its script element", () => {
    expect(inlineJson({ a: "</script><script>alert(1)</script>" })).not.toContain("<");
    expect(JSON.parse(inlineJson({ a: "</script>" }))).toEqual({ a: "</script>" });
  });

  it("Markdown: escapes everything, keeps links, code, tables and lists", () => {
    const html = markdownToHtml(
      "# Title\n\nA <script>x</script> and `<b>` and [m](METHODOLOGY.md) and [x](javascript:alert(1)).\n\n| a | b |\n|---|---|\n| 1 | **2** |\n\n- one\n- two\n\n```sh\necho <hi>\n```\n",
    );
    expect(html).toContain('<h2 id="title">Title</h2>');
    expect(html).toContain("A &lt;script&gt;x&lt;/script&gt; and <code>&lt;b&gt;</code>");
    expect(html).toContain('<a href="METHODOLOGY.md">m</a>');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<th scope="col">a</th>');
    expect(html).toContain("<td><strong>2</strong></td>");
    expect(html).toContain("<ul><li>one</li><li>two</li></ul>");
    expect(html).toContain('<pre><code class="language-sh">echo &lt;hi&gt;</code></pre>');
  });

  it("the Pareto front: the types no other type beats on both price and performance", () => {
    const point = (type: string, price: number, median: number) => ({
      type,
      price,
      median,
      low: median,
      high: median,
      href: "",
    });
    const points = [point("a", 1, 10), point("b", 2, 5), point("c", 2, 20), point("d", 3, 15), point("e", 4, 30)];
    expect(paretoFront(points, true).map((p) => p.type)).toEqual(["a", "c", "e"]);
    expect(paretoFront(points, false).map((p) => p.type)).toEqual(["a", "b"]);
  });

  it("writeSite replaces the folder whole", () => {
    const out = join(scratch, "replaced");
    mkdirSync(out, { recursive: true });
    // An earlier site (its index.html and .nojekyll) with a page the new one no longer has.
    writeFileSync(join(out, "index.html"), "old");
    writeFileSync(join(out, ".nojekyll"), "");
    writeFileSync(join(out, "stale.html"), "old");
    writeSite(
      out,
      new Map([
        [".nojekyll", ""],
        ["index.html", "new"],
        ["types/a.html", "a"],
      ]),
    );
    expect(readdirSync(out).sort()).toEqual([".nojekyll", "index.html", "types"]);
    expect(readFileSync(join(out, "types", "a.html"), "utf8")).toBe("a");
    expect(() => writeSite(out, new Map([["../escape.html", "x"]]))).toThrow(/leaves the site/);
    expect(readFileSync(join(out, "index.html"), "utf8")).toBe("new");
  });

  it("writeSite refuses a folder of other files (a database, a checkout named by mistake) and leaves it as it was", () => {
    const out = join(scratch, "not-a-site");
    mkdirSync(join(out, "processed"), { recursive: true });
    writeFileSync(join(out, "processed", "latest.json"), "{}");
    writeFileSync(join(out, "notes.txt"), "mine");
    expect(() => writeSite(out, new Map([["index.html", "new"]]))).toThrow(/holds files that are not a site/);
    expect(readdirSync(out).sort()).toEqual(["notes.txt", "processed"]);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine");
    const empty = join(scratch, "empty-out");
    mkdirSync(empty, { recursive: true });
    writeSite(empty, new Map([["index.html", "new"]]));
    expect(readdirSync(empty)).toEqual(["index.html"]);
  });
});

describe("aws-bench report", () => {
  /** A database folder as `analyze` leaves it: processed/latest.json and api/v1/. */
  function writeDatabase(dir: string, database: AnalysisDatabase): void {
    mkdirSync(join(dir, "processed"), { recursive: true });
    writeFileSync(join(dir, "processed", "latest.json"), `${JSON.stringify(database, null, 2)}\n`);
    for (const [path, content] of buildApi(database)) {
      mkdirSync(join(dir, "api", "v1", path, ".."), { recursive: true });
      writeFileSync(join(dir, "api", "v1", path), content);
    }
  }
  const tree = (dir: string, prefix = ""): Record<string, string> =>
    Object.fromEntries(
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? Object.entries(tree(join(dir, entry.name), `${prefix}${entry.name}/`))
          : [[`${prefix}${entry.name}`, readFileSync(join(dir, entry.name), "utf8")]],
      ),
    );

  it("writes the site from --data to --out, the same bytes twice, with the API and the project's documents", async () => {
    const data = join(scratch, "db");
    writeDatabase(
      data,
      fixtureDatabase({ "m7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": [1, 2, 3] } } }),
    );
    const io = memoryIo();
    expect(await exec(["report", "--data", data, "--out", join(scratch, "site-a")], io)).toBe(0);
    expect(io.out()).toContain("report: 1 type(s)");
    expect(await exec(["report", "--data", data, "--out", join(scratch, "site-b")], memoryIo())).toBe(0);
    const [a, b] = [tree(join(scratch, "site-a")), tree(join(scratch, "site-b"))];
    expect(a).toEqual(b);
    expect(Object.keys(a)).toContain("api/v1/types/m7i.large.json");
    expect(a["methodology.html"]).toContain("<h2");
    expect(a["methodology.html"]).not.toContain("describes the methods");
    expect(a["licence.html"]).toContain("cff-version");
    expect(existsSync(join(scratch, "site-a.report-" + String(process.pid) + ".new"))).toBe(false);
  });

  it("copies only the API's regular files: a symbolic link (even a loop) is neither followed nor copied", async () => {
    const data = join(scratch, "db-links");
    writeDatabase(
      data,
      fixtureDatabase({ "m7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": [1, 2, 3] } } }),
    );
    symlinkSync("..", join(data, "api", "v1", "loop"));
    symlinkSync("/etc/hostname", join(data, "api", "v1", "hostname.json"));
    expect(await exec(["report", "--data", data, "--out", join(scratch, "site-links")], memoryIo())).toBe(0);
    const copied = Object.keys(tree(join(scratch, "site-links")));
    expect(copied).toContain("api/v1/types/m7i.large.json");
    expect(copied.filter((path) => /api\/v1\/(loop|hostname)/.test(path))).toEqual([]);
  });

  it("names the missing database and how to make it", async () => {
    const io = memoryIo();
    expect(await exec(["report", "--data", join(scratch, "nothing"), "--out", join(scratch, "x")], io)).not.toBe(0);
    expect(io.err()).toContain("InputUnreadable");
    expect(io.err()).toContain("aws-bench analyze");
  });
});
