// What the browser checks share: Chromium through playwright-core, axe-core's rules,
// printed page counts and mdBook's colour themes.
//
// env: HANDBOOK_NODE_MODULES (folder holding playwright-core and axe-core),
//      CHROMIUM (default /usr/bin/chromium)
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.HANDBOOK_NODE_MODULES, "noop.js"));
const { chromium } = require("playwright-core");
const axePath = require.resolve("axe-core/axe.min.js");

/** The colour themes mdBook offers readers. */
export const THEMES = ["light", "rust", "coal", "navy", "ayu"];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A page whose console errors are collected into `errors`. */
export async function open(browser, errors, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  return page;
}

/** Serious and critical accessibility violations on the page as it is. */
export async function axe(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
}

/** How many sheets of paper `format` (A4, Letter) the page prints on. */
export async function printedPages(page, format) {
  const pdf = await page.pdf({ format, printBackground: true });
  return (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
}

/** axe on each page (paths under `base`) in every theme: `{ theme: { path: [violations] } }`.
 * The theme is chosen as a reader would, through mdBook's stored choice. */
export async function axeInEveryTheme(browser, errors, base, paths) {
  const out = {};
  for (const theme of THEMES) {
    const page = await open(browser, errors);
    await page.addInitScript((t) => localStorage.setItem("mdbook-theme", t), theme);
    out[theme] = {};
    for (const p of paths) {
      await page.goto(`${base}/${p}`, { waitUntil: "load" });
      const applied = await page.evaluate(() => document.documentElement.className);
      if (!applied.split(" ").includes(theme)) throw new Error(`theme ${theme} not applied on ${p}: ${applied}`);
      out[theme][p] = await axe(page);
    }
    await page.context().close();
  }
  return out;
}

/** Links in the sidebar a reader sees before unfolding anything. */
export async function sidebarLinks(page) {
  return page.evaluate(() => [...document.querySelectorAll("#mdbook-sidebar a[href]")]
    .filter((a) => a.checkVisibility())
    .map((a) => a.textContent.trim()));
}
