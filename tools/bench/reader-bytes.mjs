// What a reader downloads, measured in Chromium: every response body of the home page
// (HTML, CSS, scripts, fonts, search index loaded on start) and, from the first
// keystroke in the search box to the first result shown, what the search fetched.
//
// usage: HANDBOOK_NODE_MODULES=target/node/node_modules node reader-bytes.mjs BASE_URL QUERY
// prints: {"home": BYTES, "search": BYTES, "results": N, "engine": "pagefind"|"mdbook"}
import { launch, open } from "../../tests/browser/common.mjs";

const [base, query] = process.argv.slice(2);
const browser = await launch();
const errors = [];
const page = await open(browser, errors);
const bodies = [];
page.on("requestfinished", (r) => bodies.push(r.sizes().then((s) => s.responseBodySize, () => 0)));
const settled = async () => {
  await page.waitForLoadState("networkidle");
  const sizes = await Promise.all(bodies.splice(0));
  return sizes.reduce((a, b) => a + b, 0);
};
await page.goto(`${base}/`, { waitUntil: "load" });
const home = await settled();
await page.click("#mdbook-search-toggle");
await page.locator("#mdbook-searchbar").pressSequentially(query, { delay: 30 });
await page.waitForSelector("#mdbook-searchresults li", { timeout: 60000 });
const search = await settled();
const results = await page.$$eval("#mdbook-searchresults li", (l) => l.length);
const engine = await page.evaluate(() =>
  performance.getEntriesByType("resource").some((e) => e.name.includes("/pagefind/")) ? "pagefind" : "mdbook");
await browser.close();
if (errors.length) console.error(errors.join("\n"));
console.log(JSON.stringify({ home, search, results, engine }));
