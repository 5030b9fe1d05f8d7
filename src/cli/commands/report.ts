/**
 * `aws-bench report`: the analyzed database (`<data>/processed/latest.json` and `<data>/api/v1/`) → a static site
 * (src/report/), replaced whole. Pages work opened from disk and served (`--base-url` for GitHub Pages).
 */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `report` command. */
export const reportCommand = defineCommand({
  command: "report",
  describe: "Generate the static site from the analyzed database: rankings, every instance, price and performance",
  options: {
    data: {
      type: "string",
      default: "data",
      describe: "The database `analyze` wrote (its processed/latest.json and api/v1/)",
    },
    out: {
      type: "string",
      default: "site",
      describe: "The site's folder: new, empty, or an earlier site (replaced whole)",
    },
    "base-url": {
      type: "string",
      describe: "The site's public address, for canonical links (e.g. https://owner.github.io/repo/)",
    },
  },
  examples: [
    ["$0 report", "data/ → site/"],
    ["$0 report --data /tmp/db --out /tmp/site", "a site from a database of local runs; open /tmp/site/index.html"],
  ],
  async run(args, { io }) {
    const { readReportInputs } = await import("../../report/inputs.js");
    const { buildSite, writeSite } = await import("../../report/site.js");
    const data = resolve(io.cwd, args.data);
    const out = resolve(io.cwd, args.out);
    const inputs = await readReportInputs(data);
    const files = buildSite({ ...inputs, baseUrl: args["base-url"] });
    writeSite(out, files);
    const types = Object.keys(inputs.database.types).length;
    if (args.json)
      io.stdout.write(
        `${JSON.stringify({ out, dataset: inputs.database.dataset.version, types, files: files.size }, null, 2)}\n`,
      );
    else {
      io.stdout.write(`report: ${types} type(s), dataset ${inputs.database.dataset.version}\n`);
      if (types === 0) io.stdout.write("  no runs yet: the site says how to add some\n");
      io.stdout.write(`wrote ${files.size} files under ${out} (open ${resolve(out, "index.html")})\n`);
    }
    return ExitCode.Success;
  },
});
