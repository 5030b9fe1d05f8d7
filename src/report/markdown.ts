/**
 * A small Markdown → HTML conversion for the project's own documents (docs/METHODOLOGY.md, docs/API.md): ATX
 * headings, paragraphs, `-`/`*` and numbered lists, fenced code, pipe tables, block quotes, inline code, bold,
 * italics and links. Everything is escaped first and only these constructs become markup; a link whose target is
 * not http(s), a relative path or an anchor stays text. Not CommonMark: nested lists and HTML blocks are written as
 * text, which is enough for documents this repository controls.
 */
import { escapeHtml } from "./html.js";

/** Inline Markdown of one escaped-later line: code spans first (their content stays literal), then links and emphasis. */
export function inlineMarkdown(text: string): string {
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part) => {
      if (/^`[^`]+`$/.test(part)) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      let html = escapeHtml(part);
      html = html.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole: string, label: string, href: string) =>
        /^(https?:\/\/|#|\.{0,2}\/?[\w.-]+(\/[\w.-]+)*(#[\w-]*)?$)/.test(href) && !/^javascript:/i.test(href)
          ? `<a href="${href}">${label}</a>`
          : whole,
      );
      html = html.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
      html = html.replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s).,;:]|$)/g, "$1<em>$2</em>");
      html = html.replace(/(^|[\s(])_([^_\s][^_]*)_(?=[\s).,;:]|$)/g, "$1<em>$2</em>");
      return html;
    })
    .join("");
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function tableCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll("\\|", "|"));
}

/**
 * Converts a Markdown document to HTML. Headings are shifted down by `headingShift` levels (the page has its own h1)
 * and get ids from their text.
 */
export function markdownToHtml(markdown: string, headingShift = 1): string {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  const isBlockStart = (line: string) => /^(#{1,6}\s|```|\s*[-*]\s|\s*\d+\.\s|\||>)/.test(line) || line.trim() === "";
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, (heading[1] as string).length + headingShift);
      const text = (heading[2] as string).trim();
      out.push(`<h${level} id="${escapeHtml(slug(text))}">${inlineMarkdown(text)}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith("```")) {
      const language = line.slice(3).trim();
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] as string).startsWith("```")) code.push(lines[i++] as string);
      i++;
      const attribute = language ? ` class="language-${escapeHtml(language)}"` : "";
      out.push(`<pre><code${attribute}>${escapeHtml(code.join("\n"))}</code></pre>`);
      continue;
    }
    if (line.startsWith("|")) {
      const rows: string[][] = [];
      while (i < lines.length && (lines[i] as string).startsWith("|")) rows.push(tableCells(lines[i++] as string));
      const [head, separator, ...body] = rows;
      const hasHead = separator?.every((cell) => /^:?-+:?$/.test(cell)) ?? false;
      const bodyRows = hasHead ? body : rows;
      const headHtml =
        hasHead && head
          ? `<thead><tr>${head.map((cell) => `<th scope="col">${inlineMarkdown(cell)}</th>`).join("")}</tr></thead>`
          : "";
      out.push(
        `<table>${headHtml}<tbody>${bodyRows
          .map((row) => `<tr>${row.map((cell) => `<td>${inlineMarkdown(cell)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s/.test(line)) {
      const ordered = /^\s*\d+\.\s/.test(line);
      const items: string[] = [];
      while (i < lines.length && (lines[i] as string).trim() !== "") {
        const current = lines[i] as string;
        const item = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(current);
        if (item && !/^\s{4,}/.test(current)) items.push(item[1] as string);
        else if (items.length > 0) items[items.length - 1] += ` ${current.trim()}`;
        i++;
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.map((item) => `<li>${inlineMarkdown(item)}</li>`).join("")}</${tag}>`);
      continue;
    }
    if (line.startsWith(">")) {
      const quoted: string[] = [];
      while (i < lines.length && (lines[i] as string).startsWith(">"))
        quoted.push((lines[i++] as string).replace(/^>\s?/, ""));
      out.push(`<blockquote><p>${inlineMarkdown(quoted.join(" "))}</p></blockquote>`);
      continue;
    }
    const paragraph: string[] = [line.trim()];
    i++;
    while (i < lines.length && !isBlockStart(lines[i] as string)) paragraph.push((lines[i++] as string).trim());
    out.push(`<p>${inlineMarkdown(paragraph.join(" "))}</p>`);
  }
  return `${out.join("\n")}\n`;
}
