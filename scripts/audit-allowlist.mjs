#!/usr/bin/env node
// `npm audit --omit=dev` with an allowlist: fails on any high or critical advisory in production dependencies
// unless audit-allowlist.json lists it (GHSA id or advisory URL) with a reason and an unexpired `expires` date.
// Expired or malformed allowlist entries fail even when the advisory service cannot be reached.
// Where the registry refuses the audit endpoint (some mirrors and proxies answer 405), the audit cannot run:
// that is said plainly, and it fails only with AUDIT_REQUIRED=1.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const allowlist = JSON.parse(readFileSync(new URL("../audit-allowlist.json", import.meta.url), "utf8"));
const today = new Date().toISOString().slice(0, 10);
const problems = [];
const allowed = new Map();
for (const [index, entry] of (allowlist.advisories ?? []).entries()) {
  const where = `audit-allowlist.json advisories[${index}]`;
  if (typeof entry.id !== "string" || !entry.id) problems.push(`${where}: missing id (GHSA-… or advisory URL)`);
  if (typeof entry.reason !== "string" || entry.reason.length < 10) problems.push(`${where}: missing reason`);
  if (typeof entry.expires !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(entry.expires))
    problems.push(`${where}: expires must be YYYY-MM-DD`);
  else if (entry.expires < today)
    problems.push(`${where}: ${entry.id} expired on ${entry.expires}; re-check it and renew or remove it`);
  else allowed.set(entry.id, entry);
}

let report;
try {
  report = execFileSync("npm", ["audit", "--omit=dev", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
} catch (error) {
  report = error.stdout ?? "";
}
let parsed;
try {
  parsed = JSON.parse(report);
} catch {
  parsed = { error: { summary: "npm audit printed no JSON" } };
}

if (parsed.error || parsed.statusCode || !parsed.vulnerabilities) {
  const why = parsed.message ?? parsed.error?.summary ?? "unknown error";
  const line = `audit: the npm advisory service could not be queried (${why}); production dependencies were NOT audited.`;
  if (process.env.AUDIT_REQUIRED === "1") problems.push(line);
  else
    console.error(
      `${line}\naudit: set AUDIT_REQUIRED=1 to make this fatal (do so wherever the registry allows audits).`,
    );
} else {
  for (const [name, vulnerability] of Object.entries(parsed.vulnerabilities)) {
    if (vulnerability.severity !== "high" && vulnerability.severity !== "critical") continue;
    const advisories = (vulnerability.via ?? []).filter((via) => typeof via === "object");
    for (const advisory of advisories) {
      if (advisory.severity !== "high" && advisory.severity !== "critical") continue;
      const ghsa = /GHSA-[\w-]+/.exec(advisory.url ?? "")?.[0];
      if (allowed.has(ghsa) || allowed.has(advisory.url)) continue;
      problems.push(
        `${name}: ${advisory.severity} ${ghsa ?? advisory.url} ${advisory.title} (fix: update it, or allowlist it with a reason and an expiry)`,
      );
    }
  }
  console.error(
    `audit: ${Object.keys(parsed.vulnerabilities).length} vulnerable production packages reported; high/critical not allowlisted: ${problems.length}`,
  );
}

if (problems.length) {
  for (const problem of problems) console.error(`audit: ${problem}`);
  process.exit(1);
}
