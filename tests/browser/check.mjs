// Drives Debian's Chromium (through playwright-core) over the handbook served on
// 127.0.0.1 and prints what it saw as JSON; the Rust test suite judges the result.
//
// usage: node check.mjs BASE_URL SCREENSHOT_DIR BRIEFING_ID
// env:   see common.mjs
import path from "node:path";
import { launch, open, axe as axeOf, axeInEveryTheme, printedPages, sidebarLinks } from "./common.mjs";

const [base, shots, briefing] = process.argv.slice(2);
const browser = await launch();
const consoleErrors = [];
const page = await open(browser, consoleErrors, { viewport: { width: 1280, height: 900 } });
const axe = () => axeOf(page);

const out = { consoleErrors, axe: {} };

// Home: the executive summary, the decision on one screen at 1280×800.
await page.setViewportSize({ width: 1280, height: 800 });
await page.goto(`${base}/`, { waitUntil: "load" });
out.homeTitle = await page.textContent("main h1");
out.homeFigures = await page.locator(".hb-figure").count();
const rows = () => page.evaluate(() => {
  const rows = [...document.querySelectorAll("table.hb-decision tbody tr")];
  return rows.map((r) => ({ bottom: r.getBoundingClientRect().bottom, height: r.getBoundingClientRect().height }));
});
out.home = { rows: await rows() };
await page.screenshot({ path: path.join(shots, "home.png"), fullPage: false });
out.axe.home = await axe();
out.sidebar = await sidebarLinks(page);
// The one-page brief: the summary printed on A4 and on US Letter.
out.briefPages = { A4: await printedPages(page, "A4"), Letter: await printedPages(page, "Letter") };
// On a phone, the first recommendation is on the first screen.
await page.setViewportSize({ width: 390, height: 844 });
await page.goto(`${base}/`, { waitUntil: "load" });
out.phone = { rows: await rows(), height: 844 };
await page.screenshot({ path: path.join(shots, "home-phone.png"), fullPage: false });
await page.setViewportSize({ width: 1280, height: 900 });

// The roadmap and what changed.
await page.goto(`${base}/roadmap.html`, { waitUntil: "load" });
out.roadmapCards = await page.locator(".hb-road-card").count();
await page.screenshot({ path: path.join(shots, "roadmap.png") });
out.axe.roadmap = await axe();
await page.goto(`${base}/changes.html`, { waitUntil: "load" });
await page.screenshot({ path: path.join(shots, "changes.png") });
out.axe.changes = await axe();

// A recommendation: follow its first insight link.
const recs = `${base}/briefings/${briefing}/recommendations.html`;
await page.goto(recs, { waitUntil: "load" });
await page.screenshot({ path: path.join(shots, "recommendation.png") });
out.axe.recommendation = await axe();
const link = page.locator("div.hb-action a[href*='insights.html#']").first();
const href = await link.getAttribute("href");
out.insightLink = { href };
await Promise.all([page.waitForURL(/insights\.html#/), link.click()]);
const id = href.split("#")[1];
out.insightLink.landedOn = new URL(page.url()).pathname + new URL(page.url()).hash;
out.insightLink.expectedId = id;
out.insightLink.targetVisible = await page.evaluate((id) => {
  const el = document.getElementById(id);
  if (!el) return false;
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight;
}, id);
out.insightLink.targetText = await page.evaluate((id) => document.getElementById(id)?.textContent ?? null, id);

// Search: the search box finds "memory safety".
await page.goto(`${base}/`, { waitUntil: "load" });
await page.click("#mdbook-search-toggle");
// mdBook searches on key presses, once its index has loaded: type like a person.
await page.waitForTimeout(300);
await page.locator("#mdbook-searchbar").pressSequentially("memory safety", { delay: 30 });
await page.waitForSelector("#mdbook-searchresults li", { timeout: 10000 }).catch(() => {});
out.searchResults = await page.$$eval("#mdbook-searchresults li a", (as) => as.map((a) => a.textContent.trim()));
await page.screenshot({ path: path.join(shots, "search.png") });

// The traceability matrix.
await page.goto(`${base}/briefings/${briefing}/matrix.html`, { waitUntil: "load" });
await page.screenshot({ path: path.join(shots, "matrix.png"), fullPage: true });
out.axe.matrix = await axe();

// The relation graph: whole titles, text of 12 px or more, no edge under a box.
await page.goto(`${base}/briefings/${briefing}/graph.html`, { waitUntil: "load" });
out.graph = await page.evaluate(() => {
  const svg = document.querySelector("svg.hb-graph");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("tspan")].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
  const boxes = [...svg.querySelectorAll("a[data-node] rect")].map((r) => ({
    node: r.closest("a").getAttribute("data-node"),
    x: r.x.baseVal.value, y: r.y.baseVal.value, w: r.width.baseVal.value, h: r.height.baseVal.value,
  }));
  const crossings = [];
  for (const p of svg.querySelectorAll("path.hb-edge")) {
    const ends = p.getAttribute("data-ends").split(" ");
    const length = p.getTotalLength();
    for (let d = 0; d <= length; d += 2) {
      const pt = p.getPointAtLength(d);
      for (const b of boxes) {
        if (ends.includes(b.node)) continue;
        if (pt.x > b.x + 1 && pt.x < b.x + b.w - 1 && pt.y > b.y + 1 && pt.y < b.y + b.h - 1) {
          crossings.push(`${ends.join("→")} under ${b.node}`);
        }
      }
    }
  }
  const labels = [...svg.querySelectorAll("a[data-node]")].map((a) => ({
    title: a.querySelector("title").textContent,
    shown: [...a.querySelectorAll("tspan")].map((t) => t.textContent).join(" "),
  }));
  return { minFontPx: Math.min(...sizes), crossings: [...new Set(crossings)], labels };
});
await page.screenshot({ path: path.join(shots, "graph.png") });
out.axe.graph = await axe();

// Every page type in every colour theme.
out.axeThemes = await axeInEveryTheme(browser, consoleErrors, base, [
  "", "roadmap.html", "owners.html", "quarters.html", "changes.html", "tags/index.html", "how-to-read.html",
  `briefings/${briefing}/index.html`, `briefings/${briefing}/insights.html`,
  `briefings/${briefing}/recommendations.html`, `briefings/${briefing}/quotes.html`,
  `briefings/${briefing}/matrix.html`, `briefings/${briefing}/graph.html`,
]);

// Print view holds the whole handbook.
await page.goto(`${base}/print.html`, { waitUntil: "load" });
out.printHeadings = await page.locator("main h1").count();

await browser.close();
console.log(JSON.stringify(out, null, 2));
