/**
 * Charts as inline SVG, drawn at build time by hand: a strip plot of every instance behind a type's number and a
 * price–performance scatter with the Pareto front. Hand-written SVG keeps the site free of runtime libraries (the
 * pages work from `file://`) and the output byte-stable; each mark has a `<title>` and every chart is followed by
 * the same numbers in a table, so nothing is shown only as colour or position.
 */
import { escapeHtml, formatNumber } from "./html.js";

/** Coordinates rounded to 0.01 px: enough for the eye, and stable text. */
function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A linear scale from `[low, high]` (padded by 5 %, or ±1 around a single value) to `[from, to]`. */
function linearScale(values: readonly number[], from: number, to: number): (value: number) => number {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (!(high > low)) {
    const pad = Math.abs(low) * 0.05 || 1;
    low -= pad;
    high += pad;
  } else {
    const pad = (high - low) * 0.05;
    low -= pad;
    high += pad;
  }
  return (value) => from + ((value - low) / (high - low)) * (to - from);
}

/** One instance of a strip plot. */
export interface StripInstance {
  value: number;
  label: string;
  /** The lane (CPU model) it is drawn in. */
  lane: string;
}

/** What {@link stripPlot} draws. */
export interface StripPlotInput {
  /** The chart's accessible name. */
  title: string;
  unit: string;
  instances: readonly StripInstance[];
  median: number;
  medianInterval: { low: number; high: number; coverage: number };
  predictionInterval?: { low: number; high: number; coverage: number } | undefined;
}

/**
 * A horizontal strip plot: one `circle.instance` per instance (lanes per CPU model when there are several), the
 * median as a line, its interval as a band and the prediction interval for the next instance as a dashed box.
 */
export function stripPlot(input: StripPlotInput): string {
  const lanes = [...new Set(input.instances.map((instance) => instance.lane))].sort();
  const laneHeight = 34;
  const left = lanes.length > 1 ? 230 : 20;
  const width = 760;
  const top = 10;
  const height = top + lanes.length * laneHeight + 40;
  const values = [
    ...input.instances.map((instance) => instance.value),
    input.medianInterval.low,
    input.medianInterval.high,
    ...(input.predictionInterval ? [input.predictionInterval.low, input.predictionInterval.high] : []),
  ];
  const x = linearScale(values, left, width - 20);
  const bottom = top + lanes.length * laneHeight;
  const parts: string[] = [];
  if (input.predictionInterval) {
    const { low, high, coverage } = input.predictionInterval;
    parts.push(
      `<rect class="prediction-interval" x="${px(x(low))}" y="${top + 2}" width="${px(Math.max(1, x(high) - x(low)))}" height="${bottom - top - 4}"><title>prediction interval for the next instance: ${formatNumber(low)}–${formatNumber(high)} (${(coverage * 100).toFixed(1)} %)</title></rect>`,
    );
  }
  const { low, high, coverage } = input.medianInterval;
  parts.push(
    `<rect class="median-interval" x="${px(x(low))}" y="${top}" width="${px(Math.max(1, x(high) - x(low)))}" height="${bottom - top}"><title>interval of the median: ${formatNumber(low)}–${formatNumber(high)} (${(coverage * 100).toFixed(1)} %)</title></rect>`,
    `<line class="median" x1="${px(x(input.median))}" x2="${px(x(input.median))}" y1="${top}" y2="${bottom}"><title>median ${formatNumber(input.median)}</title></line>`,
  );
  lanes.forEach((lane, index) => {
    const y = top + index * laneHeight + laneHeight / 2;
    if (lanes.length > 1)
      parts.push(
        `<text x="4" y="${px(y + 4)}">${escapeHtml(lane.length > 34 ? `${lane.slice(0, 33)}…` : lane)}</text>`,
      );
    const inLane = input.instances.filter((instance) => instance.lane === lane);
    inLane.forEach((instance, i) => {
      // A small deterministic jitter so equal values stay visible as separate marks.
      const jitter = ((i % 5) - 2) * 3;
      parts.push(
        `<circle class="instance" cx="${px(x(instance.value))}" cy="${px(y + jitter)}" r="4"><title>${escapeHtml(instance.label)}: ${formatNumber(instance.value)} ${escapeHtml(input.unit)}</title></circle>`,
      );
    });
  });
  const [axisLow, axisHigh] = [Math.min(...values), Math.max(...values)];
  parts.push(
    `<line class="axis" x1="${left}" x2="${width - 20}" y1="${bottom + 4}" y2="${bottom + 4}"/>`,
    `<text x="${left}" y="${bottom + 20}">${formatNumber(axisLow)}</text>`,
    `<text x="${width - 20}" y="${bottom + 20}" text-anchor="end">${formatNumber(axisHigh)}</text>`,
    `<text x="${px((left + width - 20) / 2)}" y="${bottom + 34}" text-anchor="middle">${escapeHtml(input.unit)}</text>`,
  );
  return `<svg class="strip-plot" role="img" aria-label="${escapeHtml(input.title)}" data-instances="${input.instances.length}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(input.title)}</title>${parts.join("")}</svg>`;
}

/** One type of a scatter. */
export interface ScatterPoint {
  type: string;
  price: number;
  median: number;
  low: number;
  high: number;
  href: string;
}

/**
 * The Pareto front of price against performance: the points no other point beats on both (cheaper or as cheap, and
 * better or as good, one strictly). Sorted by price.
 */
export function paretoFront(points: readonly ScatterPoint[], higherIsBetter: boolean): ScatterPoint[] {
  const better = (a: number, b: number) => (higherIsBetter ? a > b : a < b);
  const sorted = [...points].sort(
    (a, b) =>
      a.price - b.price || (higherIsBetter ? b.median - a.median : a.median - b.median) || (a.type < b.type ? -1 : 1),
  );
  const front: ScatterPoint[] = [];
  for (const point of sorted) {
    const last = front[front.length - 1];
    if (!last || better(point.median, last.median)) front.push(point);
  }
  return front;
}

/**
 * A scatter of performance (y, with the median's interval as a bar) against on-demand USD/hour (x). The points are
 * not links (an image holds no controls); the table beside the chart links each type.
 */
export function scatterPlot(input: {
  title: string;
  unit: string;
  higherIsBetter: boolean;
  points: readonly ScatterPoint[];
}): string {
  const width = 760;
  const height = 420;
  const [left, right, top, bottom] = [70, width - 20, 14, height - 46];
  const x = linearScale(
    input.points.map((p) => p.price),
    left,
    right,
  );
  const y = linearScale(
    input.points.flatMap((p) => [p.low, p.high, p.median]),
    bottom,
    top,
  );
  const front = paretoFront(input.points, input.higherIsBetter);
  const onFront = new Set(front.map((p) => p.type));
  const parts: string[] = [
    `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`,
    `<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`,
  ];
  if (front.length > 1)
    parts.push(
      `<polyline class="pareto-front" points="${front.map((p) => `${px(x(p.price))},${px(y(p.median))}`).join(" ")}"><title>Pareto front</title></polyline>`,
    );
  for (const point of input.points) {
    parts.push(
      `<line class="bar" x1="${px(x(point.price))}" x2="${px(x(point.price))}" y1="${px(y(point.low))}" y2="${px(y(point.high))}"/>`,
      `<circle class="type-point${onFront.has(point.type) ? " pareto" : ""}" data-type="${escapeHtml(point.type)}" cx="${px(x(point.price))}" cy="${px(y(point.median))}" r="5"><title>${escapeHtml(point.type)}: ${formatNumber(point.median)} ${escapeHtml(input.unit)} [${formatNumber(point.low)}, ${formatNumber(point.high)}] at ${point.price} USD/hour${onFront.has(point.type) ? " (Pareto front)" : ""}</title></circle>`,
    );
  }
  const prices = input.points.map((p) => p.price);
  const levels = input.points.flatMap((p) => [p.low, p.high]);
  parts.push(
    `<text x="${left}" y="${bottom + 16}">${formatNumber(Math.min(...prices))}</text>`,
    `<text x="${right}" y="${bottom + 16}" text-anchor="end">${formatNumber(Math.max(...prices))}</text>`,
    `<text x="${px((left + right) / 2)}" y="${bottom + 36}" text-anchor="middle">on-demand USD/hour</text>`,
    `<text x="${left - 4}" y="${bottom}" text-anchor="end">${formatNumber(Math.min(...levels))}</text>`,
    `<text x="${left - 4}" y="${top + 10}" text-anchor="end">${formatNumber(Math.max(...levels))}</text>`,
    `<text x="14" y="${px((top + bottom) / 2)}" transform="rotate(-90 14 ${px((top + bottom) / 2)})" text-anchor="middle">${escapeHtml(input.unit)}</text>`,
  );
  return `<svg class="scatter" role="img" aria-label="${escapeHtml(input.title)}" data-points="${input.points.length}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(input.title)}</title>${parts.join("")}</svg>`;
}
