// Search for a large handbook. Up to a few hundred pages the site uses mdBook's own
// search and this script does nothing. Above that, `handbook build` indexes the site
// with Pagefind (`pagefind/` beside the pages) instead of mdBook's single index, and
// this script puts the same search box in the same place, with the same keys, asking
// Pagefind only for the fragments a query needs.
(() => {
  if (document.getElementById("mdbook-search-toggle") || typeof path_to_root === "undefined") {
    return;
  }
  const root = new URL(path_to_root, location.href);
  const bundle = new URL("pagefind/pagefind.js", root);
  const RESULTS = 30;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children);
    return node;
  };
  const icon = () => {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 512 512");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "fa-svg");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M416 208c0 45.900-14.900 88.300-40 122.700l126.600 126.700c12.500 12.500 12.500 32.800 0 45.300s-32.800 12.500-45.300 0L330.700 376c-34.400 25.200-76.800 40-122.700 40C93.100 416 0 322.900 0 208S93.100 0 208 0s208 93.100 208 208zM208 352a144 144 0 1 0 0-288 144 144 0 1 0 0 288z");
    svg.append(path);
    return svg;
  };

  let pagefind = null;
  const engine = async () => {
    if (!pagefind) {
      pagefind = await import(bundle.href);
      await pagefind.options({ baseUrl: root.pathname });
    }
    return pagefind;
  };

  // An excerpt is HTML with <mark> around the words found; only its text and marks
  // are kept (an inert <template> parses it: nothing in it runs or loads).
  const excerpt = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html;
    const out = el("span", { class: "teaser" });
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") out.append(el("em", {}, node.textContent));
      else out.append(node.textContent);
    }
    return out;
  };

  const start = () => {
    const buttons = document.querySelector("#mdbook-menu-bar .left-buttons");
    const bar = document.getElementById("mdbook-menu-bar");
    if (!buttons || !bar) return;
    const toggle = el("button", {
      id: "mdbook-search-toggle", class: "icon-button", type: "button", title: "Search (`/`)",
      "aria-label": "Toggle Searchbar", "aria-expanded": "false", "aria-keyshortcuts": "/ s",
      "aria-controls": "mdbook-searchbar",
    }, icon());
    buttons.append(toggle);
    const input = el("input", {
      type: "search", id: "mdbook-searchbar", name: "searchbar", placeholder: "Search this book ...",
      "aria-controls": "mdbook-searchresults-outer", "aria-describedby": "mdbook-searchresults-header",
    });
    const header = el("div", { id: "mdbook-searchresults-header", class: "searchresults-header" });
    const list = el("ul", { id: "mdbook-searchresults" });
    const outer = el("div", { id: "mdbook-searchresults-outer", class: "searchresults-outer hidden" }, header, list);
    const form = el("form", { id: "mdbook-searchbar-outer", class: "searchbar-outer" }, el("div", { class: "search-wrapper" }, input));
    const wrapper = el("div", { id: "mdbook-search-wrapper", class: "hidden" }, form, outer);
    bar.after(wrapper);

    const show = (on) => {
      wrapper.classList.toggle("hidden", !on);
      toggle.setAttribute("aria-expanded", String(on));
      if (on) { input.focus(); input.select(); }
    };
    toggle.addEventListener("click", () => show(wrapper.classList.contains("hidden")));
    form.addEventListener("submit", (e) => e.preventDefault());
    document.addEventListener("keydown", (e) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? "");
      if (e.key === "Escape" && !wrapper.classList.contains("hidden")) {
        show(false);
        toggle.focus();
      } else if (!typing && !e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "/" || e.key === "s" || e.key === "S")) {
        e.preventDefault();
        show(true);
      }
    });

    let asked = 0;
    input.addEventListener("input", async () => {
      const query = input.value.trim();
      const mine = ++asked;
      if (!query) {
        outer.classList.add("hidden");
        return;
      }
      const search = await (await engine()).debouncedSearch(query, {}, 150);
      // A later keystroke has asked again: its answer is the one to show.
      if (search === null || mine !== asked) return;
      const found = await Promise.all(search.results.slice(0, RESULTS).map((r) => r.data()));
      if (mine !== asked) return;
      header.textContent = search.results.length === 0
        ? `No search results for '${query}'.`
        : `${search.results.length} search result${search.results.length === 1 ? "" : "s"} for '${query}':`;
      list.replaceChildren(...found.map((page) => el("li", {},
        el("a", { href: page.url }, page.meta.title || page.url),
        excerpt(page.excerpt))));
      outer.classList.remove("hidden");
    });
  };

  // Only where the build wrote Pagefind's bundle: a site whose search was switched off
  // gets no box.
  fetch(bundle, { method: "HEAD" }).then((r) => { if (r.ok) start(); }).catch(() => {});
})();
