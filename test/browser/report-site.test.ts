/**
 * The report in a real browser: Debian's Chromium driven by playwright-core (../shared/ENVIRONMENT.md, "Browser").
 * The database is made from a corpus of runs by the real runner (test/helpers/corpus.ts) through `aws-bench analyze`,
 * the site by `aws-bench report`; the index is opened from `file://` and from a static server on 127.0.0.1. The
 * test sorts, filters, picks a baseline, downloads the CSV link, follows a link to a type page and counts the marks
 * against the corpus's own plan, counts the scatter's points against the types with a price, runs axe (no serious
 * or critical violations) and keeps screenshots under coverage/report-screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/io.js";
import { exec } from "../../src/cli/main.js";
import { useRunnerCorpus, type PlannedInstance } from "../helpers/corpus.js";
import { commandExists, hasCommands } from "../helpers/prerequisites.js";

const root = join(import.meta.dirname, "..", "..");
const screenshots = join(root, "coverage", "report-screenshots");

/** Per type, the Triad of each instance (MB/s; two trials each, 0.1 apart). */
const instances: Record<string, number[]> = {
  "m7i.large": [10010.5, 10100.5, 9900.5, 10040.5, 9970.5, 10150.5],
  "m7a.xlarge": [15020.5, 14900.5, 15150.5, 15080.5, 14960.5, 15210.5],
  "c7i.large": [11000.5, 11100.5, 11050.5],
  "c6i.large": [10500.5, 10400.5],
};
const plan: PlannedInstance[] = Object.entries(instances).flatMap(([type, values]) =>
  values.map((value, i) => ({ type, batch: "b20261101", repeat: i + 1, triad: [value, value + 0.1] })),
);

const browserCommand = ["chromium", "chromium-browser", "google-chrome"].find(commandExists) ?? "chromium";
const hasBrowser = hasCommands("the report in a browser", [browserCommand], "apt-get install -y chromium");

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".json": "application/json",
  ".css": "text/css",
};

describe.skipIf(!hasBrowser)("the report in Chromium", () => {
  const corpus = useRunnerCorpus(plan, 180_000);
  let work = "";
  let site = "";
  let browser: Browser | undefined;
  let server: Server | undefined;
  let origin = "";
  const problems: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "aws-bench-report-browser-"));
    const data = join(work, "db");
    site = join(work, "site");
    const io = memoryIo();
    expect(await exec(["analyze", "--input", corpus().root, "--include-local", "--out", data], io), io.err()).toBe(0);
    expect(await exec(["report", "--data", data, "--out", site], io), io.err()).toBe(0);
    server = createServer((request, response) => {
      const path = normalize(decodeURIComponent((request.url ?? "/").split("?")[0] ?? "/")).replace(
        /^(\.\.[/\\])+/,
        "",
      );
      const file = join(site, path.endsWith("/") ? `${path}index.html` : path);
      if (!file.startsWith(site) || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      response.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: `/usr/bin/${browserCommand}`,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(screenshots, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    if (!browser) throw new Error("the browser starts in beforeAll");
    // axe needs a page of a context made with newContext().
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`${url}: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`${url}: ${message.text()}`);
    });
    // Nothing may be loaded from outside the site.
    page.on("request", (request) => {
      const target = request.url();
      if (!target.startsWith("file://") && !target.startsWith(origin) && !target.startsWith("data:"))
        problems.push(`${url} loaded ${target}`);
    });
    await page.goto(url);
    return page;
  }

  const visibleTypes = (page: Page) =>
    page.$$eval("section.metric:not([hidden]) tbody tr:not([hidden])", (rows) =>
      rows.map((row) => row.getAttribute("data-type") ?? ""),
    );
  const visibleMedians = (page: Page) =>
    page.$$eval("section.metric:not([hidden]) tbody tr:not([hidden])", (rows) =>
      rows.map((row) => Number(row.getAttribute("data-median"))),
    );

  async function expectAccessible(page: Page): Promise<void> {
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
    expect(serious).toEqual([]);
  }

  it("opens the index from file:// with a row per type; sorts, filters, shows a baseline and the CSV of what is shown", async () => {
    const page = await open(pathToFileURL(join(site, "index.html")).href);
    expect((await visibleTypes(page)).sort()).toEqual(Object.keys(instances).sort());
    expect(await page.textContent("#shown")).toBe("4 type(s) shown");

    // Sort by the median with the keyboard: ascending, then descending.
    const medianHeader = page.locator("section.metric:not([hidden]) thead th", { hasText: /^Median \(/ });
    await medianHeader.locator("button").focus();
    await page.keyboard.press("Enter");
    expect(await medianHeader.getAttribute("aria-sort")).toBe("ascending");
    const ascending = await visibleMedians(page);
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.keyboard.press("Enter");
    expect(await medianHeader.getAttribute("aria-sort")).toBe("descending");
    expect(await visibleTypes(page)).toEqual(["m7a.xlarge", "c7i.large", "c6i.large", "m7i.large"]);

    // Filters: at least 6 instances; then a family.
    await page.fill("#filter-min-instances", "6");
    expect((await visibleTypes(page)).sort()).toEqual(["m7a.xlarge", "m7i.large"]);
    await page.fill("#filter-min-instances", "1");
    await page.selectOption("#filter-family", "c7i");
    expect(await visibleTypes(page)).toEqual(["c7i.large"]);
    await page.selectOption("#filter-family", "");
    await page.fill("#filter-vcpu-min", "4");
    expect(await visibleTypes(page)).toEqual(["m7a.xlarge"]);
    await page.fill("#filter-vcpu-min", "");
    // Memory from the catalogue (m7a.xlarge 16 GiB, m7i.large 8, the two c-types 4), and the CPU vendor this
    // host's probe reports for every run of the corpus.
    await page.fill("#filter-memory-min", "6");
    await page.fill("#filter-memory-max", "10");
    expect(await visibleTypes(page)).toEqual(["m7i.large"]);
    await page.fill("#filter-memory-min", "");
    await page.fill("#filter-memory-max", "");
    const vendors = (
      await page.$$eval("#filter-vendor option", (options) =>
        options.map((option) => option.getAttribute("value") ?? ""),
      )
    ).filter(Boolean);
    expect(vendors.length).toBeGreaterThan(0);
    await page.selectOption("#filter-vendor", vendors[0] as string);
    expect((await visibleTypes(page)).length).toBeGreaterThan(0);
    await page.selectOption("#filter-vendor", "");

    // Baseline m7i.large: m7a.xlarge is faster, with an interval and its coverage.
    await page.selectOption("section.metric:not([hidden]) select.baseline", "m7i.large");
    const relative = await page.textContent('section.metric:not([hidden]) tr[data-type="m7a.xlarge"] td.relative');
    expect(relative).toMatch(/^1\.\d{3}× \[1\.\d{3}, 1\.\d{3}\] \(\d+\.\d %\) faster$/);
    const fewer = await page.textContent('section.metric:not([hidden]) tr[data-type="c6i.large"] td.relative');
    expect(fewer).toMatch(/×/);

    // The CSV link holds exactly the rows shown, with the baseline column filled.
    await page.fill("#filter-min-instances", "3");
    const href = (await page.getAttribute("#csv", "href")) ?? "";
    expect(href.startsWith("data:text/csv;charset=utf-8,")).toBe(true);
    const csv = decodeURIComponent(href.slice(href.indexOf(",") + 1))
      .trim()
      .split("\n");
    expect(csv[0]).toMatch(/^Type,Median \(MB\/s\),/);
    expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(await visibleTypes(page));
    expect(csv.slice(1).find((line) => line.startsWith("m7a.xlarge"))).toMatch(/faster/);

    await page.fill("#filter-min-instances", "1");
    await page.selectOption("section.metric:not([hidden]) select.baseline", "");
    await page.screenshot({ path: join(screenshots, "index.png"), fullPage: true });
    await expectAccessible(page);

    // Follow the link to a type page: one mark per instance of the corpus.
    await page.click('section.metric:not([hidden]) a[href="types/m7i.large.html"]');
    await page.waitForURL(/types\/m7i\.large\.html$/);
    const marks = await page.$$eval("svg.strip-plot", (svgs) =>
      svgs.map((svg) => svg.querySelectorAll("circle.instance").length),
    );
    expect(marks).toEqual([instances["m7i.large"]?.length]);
    expect(await page.locator("svg.strip-plot .prediction-interval").count()).toBe(1);
    await page.screenshot({ path: join(screenshots, "type-m7i.large.png"), fullPage: true });
    await expectAccessible(page);
    const apiHref = await page.getAttribute('a[href^="../api/v1/types/"]', "href");
    expect(apiHref).toBe("../api/v1/types/m7i.large.json");
    expect(existsSync(join(site, "api", "v1", "types", "m7i.large.json"))).toBe(true);
    await page.close();
  }, 60_000);

  it("shows one scatter point per priced type, and the compare verdicts", async () => {
    const page = await open(pathToFileURL(join(site, "scatter.html")).href);
    // Every corpus type has a price in the package's us-east-1 snapshot.
    expect(await page.locator("svg.scatter circle.type-point").count()).toBe(Object.keys(instances).length);
    expect(await page.locator("svg.scatter circle.type-point.pareto").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, "scatter.png"), fullPage: true });
    await expectAccessible(page);
    await page.goto(pathToFileURL(join(site, "compare.html")).href);
    const section = page.locator("section.compare").first();
    await section.locator("select.reference").selectOption("m7i.large");
    await section.locator('input.compare-type[value="m7a.xlarge"]').check();
    expect(await section.locator('tr[data-type="m7a.xlarge"] td.relative').textContent()).toMatch(/faster$/);
    expect(await section.locator('tr[data-type="m7i.large"] td.relative').textContent()).toBe("reference");
    await expectAccessible(page);
    await page.close();
    for (const name of ["index.png", "type-m7i.large.png", "scatter.png"])
      console.log(`screenshot: ${join(screenshots, name)}`);
  }, 60_000);

  it("works served over HTTP from 127.0.0.1 too, the API files included", async () => {
    const page = await open(`${origin}/index.html`);
    expect((await visibleTypes(page)).length).toBe(Object.keys(instances).length);
    await page.locator("section.metric:not([hidden]) thead th", { hasText: "n instances" }).locator("button").click();
    const counts = await page.$$eval("section.metric:not([hidden]) tbody tr", (rows) =>
      rows.map((row) => Number(row.getAttribute("data-n"))),
    );
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    await page.click('section.metric:not([hidden]) a[href="types/m7a.xlarge.html"]');
    await page.waitForURL(/types\/m7a\.xlarge\.html$/);
    expect(await page.locator("svg.strip-plot circle.instance").count()).toBe(instances["m7a.xlarge"]?.length);
    const api = await page.request.get(`${origin}/api/v1/types/m7a.xlarge.json`);
    expect(api.status()).toBe(200);
    expect(((await api.json()) as { type?: string }).type).toBe("m7a.xlarge");
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
