// The portfolio of a handbook of several briefings in Chromium: what the first screen
// shows, the sidebar before anything is unfolded, reaching every page without
// JavaScript, accessibility in every theme, and printing. Prints what it saw as JSON;
// the Rust test suite judges it.
//
// usage: node portfolio.mjs BASE_URL SCREENSHOT_DIR NAME QUERY
import path from "node:path";
import { launch, open, axeInEveryTheme, printedPages, sidebarLinks } from "./common.mjs";

const [base, shots, name, query] = process.argv.slice(2);
const browser = await launch();
const consoleErrors = [];
const out = { consoleErrors };
const shot = (page, what, fullPage = false) =>
  page.screenshot({ path: path.join(shots, `portfolio-${name}-${what}.png`), fullPage });

// The first screen at 1280×800.
const page = await open(browser, consoleErrors);
await page.goto(`${base}/`, { waitUntil: "load" });
out.home = await page.evaluate(() => {
  const box = (el) => el.getBoundingClientRect();
  const rows = [...document.querySelectorAll("table.hb-portfolio tbody tr")].map((r) => ({
    bottom: box(r).bottom,
    height: box(r).height,
    href: r.querySelector("a")?.getAttribute("href"),
  }));
  const more = document.querySelector(".hb-more a");
  return {
    title: document.querySelector("main h1")?.textContent,
    figures: document.querySelectorAll(".hb-figures > div").length,
    rows,
    more: more && { bottom: box(more).bottom, href: more.getAttribute("href") },
    attention: [...document.querySelectorAll("table.hb-attention tbody tr")].map((r) => box(r).bottom),
  };
});
out.sidebar = await sidebarLinks(page);
await shot(page, "home");
out.print = {};
for (const p of ["", "owners.html", "quarters.html", "briefings.html", "roadmap.html"]) {
  await page.goto(`${base}/${p}`, { waitUntil: "load" });
  await page.emulateMedia({ media: "print" });
  // Nothing wider than the printed page: no table is cut at the right edge.
  const overflow = await page.evaluate(() => [...document.querySelectorAll("main table, main .hb-roadmap")]
    .filter((t) => t.scrollWidth > t.parentElement.clientWidth + 1).length);
  await page.emulateMedia({ media: "screen" });
  out.print[p || "home"] = { A4: await printedPages(page, "A4"), Letter: await printedPages(page, "Letter"), overflow };
}
for (const [p, what] of [["owners.html", "owners"], ["quarters.html", "quarters"], ["roadmap.html", "roadmap"]]) {
  await page.goto(`${base}/${p}`, { waitUntil: "load" });
  await shot(page, what);
}
const briefing = out.home.rows[0].href.replace(/index\.html$/, "");

// Without JavaScript (no sidebar script): from the home page to a briefing, and from
// there to each of its pages.
const plain = await open(browser, consoleErrors, { javaScriptEnabled: false });
await plain.goto(`${base}/`, { waitUntil: "load" });
await plain.click(`main table.hb-portfolio a[href="${out.home.rows[0].href}"]`);
out.withoutScript = {
  landed: new URL(plain.url()).pathname,
  links: await plain.$$eval("main a[href]", (as) => as.map((a) => a.getAttribute("href"))),
};
await plain.context().close();

// Search from the home page, as a reader would: what the box finds, which index
// answered, and the bytes fetched from the first keystroke to the first result.
const reader = await open(browser, consoleErrors);
await reader.goto(`${base}/`, { waitUntil: "load" });
const fetched = [];
// A request may finish as the page closes: its size then counts as nothing, and no
// promise is left to fail after the browser has gone.
reader.on("requestfinished", (r) => fetched.push(r.sizes().then((s) => s.responseBodySize, () => 0)));
await reader.click("#mdbook-search-toggle");
await reader.waitForTimeout(300);
await reader.locator("#mdbook-searchbar").pressSequentially(query, { delay: 30 });
await reader.waitForSelector("#mdbook-searchresults li", { timeout: 15000 }).catch(() => {});
await reader.waitForTimeout(300);
out.search = {
  results: await reader.$$eval("#mdbook-searchresults li a", (as) => as.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute("href") }))),
  pagefind: await reader.evaluate(() => performance.getEntriesByType("resource").some((e) => e.name.includes("/pagefind/"))),
  bytes: (await Promise.all(fetched)).reduce((a, b) => a + b, 0),
};
await shot(reader, "search");
// A result leads to its page.
if (out.search.results.length) {
  await Promise.all([reader.waitForNavigation(), reader.click("#mdbook-searchresults li a")]);
  out.search.landed = new URL(reader.url()).pathname;
}
await reader.context().close();

out.axe = await axeInEveryTheme(browser, consoleErrors, base, [
  "", "owners.html", "quarters.html", "briefings.html", "roadmap.html", "changes.html", "tags/index.html",
  `${briefing}index.html`, `${briefing}recommendations.html`, `${briefing}roadmap.html`,
]);

await browser.close();
console.log(JSON.stringify(out, null, 2));
