#!/usr/bin/env python3
"""Writes the hostile-input corpus: one trycmd case per broken or hostile input.

Each case is a small handbook (`book.toml`, `src/`, `content/`) with a previous build
(`book/index.html`) in `<case>.in/`; `<case>.out/` is the same tree, so trycmd checks
that neither the content nor the previous site changed. The expected messages and exit
codes live in `<case>.toml` (fill them with `TRYCMD=overwrite`, then review).

Run from the repository root: python3 tests/corpus/generate.py [PREFIX...]
(with prefixes, only the cases whose names start with one of them are written).
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

BOOK = '[book]\ntitle = "Corpus"\nsrc = "src"\n\n[build]\ncreate-missing = false\n\n[preprocessor.handbook]\ncommand = "handbook preprocess"\n'
SUMMARY = "# Summary\n\n- [Intro](intro.md)\n"
INTRO = "# Intro\n\nA small handbook.\n"
PREVIOUS = "<!doctype html><title>previous good build</title>\n"
GOOD = """briefing:
  id: b
  title: A briefing
insights:
- id: i1
  title: One insight
  text: It matters.
  impact: Much.
actions:
- id: a1
  title: One action
  text: Do it.
  impact: Better.
  addresses:
  - i1
"""


def case(name, files, args=None, code=1, extra=""):
    if sys.argv[1:] and not any(name.startswith(p) for p in sys.argv[1:]):
        return
    root = os.path.join(HERE, name + ".in")
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(os.path.join(HERE, name + ".out"), ignore_errors=True)
    tree = {
        "book.toml": BOOK,
        "src/SUMMARY.md": SUMMARY,
        "src/intro.md": INTRO,
        "book/index.html": PREVIOUS,
    }
    tree.update(files)
    for path, text in tree.items():
        if text is None:
            continue
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())
    shutil.copytree(root, os.path.join(HERE, name + ".out"))
    args = args or ["build"]
    with open(os.path.join(HERE, name + ".toml"), "w") as f:
        f.write('bin.name = "handbook"\n')
        f.write("args = [" + ", ".join(f'"{a}"' for a in args) + "]\n")
        f.write(f"status.code = {code}\nfs.sandbox = true\n{extra}stdout = \"\"\nstderr = \"\"\n")


def yaml(text):
    return {"content/b.yaml": text}


# YAML syntax and structure
case("yaml-unclosed-quote", yaml('briefing:\n  id: b\n  title: "unclosed\n'))
case("yaml-tab-indent", yaml("briefing:\n\tid: b\n\ttitle: T\n"))
case("yaml-bad-indentation", yaml("briefing:\n  id: b\n title: T\n"))
case("yaml-duplicate-key", yaml("briefing:\n  id: b\n  title: T\n  title: U\n"))
case("yaml-not-a-mapping", yaml("- just\n- a list\n"))
case("yaml-multiple-documents", yaml("briefing: {id: b, title: T}\n---\nbriefing: {id: c, title: U}\n"))
case("yaml-alias-bomb", yaml("briefing:\n  id: b\n  title: T\n  tags: &a0 [x, x, x, x, x, x, x, x, x]\nx1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\nx2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\nx3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\nx4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\nx5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\nx6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]\n"))
case("yaml-deep-nesting", yaml("briefing: " + "[" * 20000 + "]" * 20000 + "\n"))
# Types, fields, values
case("field-wrong-type-text", yaml(GOOD.replace("text: It matters.", "text: 42")))
case("field-wrong-type-tags", yaml(GOOD.replace("  impact: Much.\n", "  impact: Much.\n  tags: security\n", 1)))
case("field-wrong-type-list", yaml(GOOD.replace("  addresses:\n  - i1\n", "  addresses: i1\n")))
case("field-unknown", yaml(GOOD.replace("  impact: Better.\n", "  impact: Better.\n  colour: red\n")))
case("field-misspelled", yaml(GOOD.replace("  addresses:", "  adresses:")))
case("field-missing-title", yaml(GOOD.replace("  title: One insight\n", "")))
case("field-missing-briefing", yaml("insights: []\n"))
case("field-bad-enum", yaml(GOOD.replace("  impact: Better.\n", "  impact: Better.\n  priority: urgent\n")))
case("field-phase-out-of-range", yaml(GOOD.replace("  impact: Better.\n", "  impact: Better.\n  phase: 12\n")))
case("field-id-not-a-slug", yaml(GOOD.replace("- id: i1", "- id: Insight One").replace("  - i1", "  - Insight One")))
case("field-suggestion-bad-score", yaml(GOOD.replace("  addresses:\n  - i1\n", "  addresses:\n  - {id: i1, suggested: 7}\n")))
case("text-empty", yaml(GOOD.replace("text: It matters.", 'text: ""')))
case("text-whitespace-only", yaml(GOOD.replace("text: It matters.", 'text: "   "')))
# Ids and references
case("id-duplicate-in-file", yaml(GOOD.replace("- id: a1", "- id: i1")))
case("id-duplicate-across-files", {"content/b.yaml": GOOD, "content/c.yaml": "briefing:\n  id: c\n  title: Other\ninsights:\n- id: i1\n  title: Again\n  text: Again.\n"})
case("reference-unknown", yaml(GOOD.replace("  - i1\n", "  - i2\n")))
case("reference-wrong-kind", yaml(GOOD.replace("  - i1\n", "  - a1\n")))
case("reference-in-chapter-unknown", {"content/b.yaml": GOOD, "src/intro.md": "# Intro\n\nSee {{#ref a2}}.\n"})
case("reference-in-chapter-malformed", {"content/b.yaml": GOOD, "src/intro.md": "# Intro\n\nSee {{#ref}} and {{#ref a1\n"})
# A knowledge base of several briefings: lifecycle and relations across briefings
OTHER = "briefing:\n  id: c\n  title: Other\ninsights:\n- id: i9\n  title: Later\n  text: Later.\n  impact: Some.\n"
case("superseded-by-unknown", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  superseded_by: nowhere\n")))
case("superseded-by-itself", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  superseded_by: b\n")))
case("superseded-by-not-a-briefing", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  superseded_by: i1\n")))
case("superseded-by-circle", {"content/b.yaml": GOOD.replace("  title: A briefing\n", "  title: A briefing\n  superseded_by: c\n"), "content/c.yaml": OTHER.replace("  title: Other\n", "  title: Other\n  superseded_by: b\n")})
case("briefing-date-invalid", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  date: 2026-13-45\n")))
case("updates-same-briefing", yaml(GOOD.replace("  impact: Much.\n", "  impact: Much.\n- id: i2\n  title: Two\n  text: Two.\n  impact: Some.\n  updates:\n  - i1\n", 1)))
case("continues-not-an-action", {"content/b.yaml": GOOD.replace("  addresses:\n  - i1\n", "  addresses:\n  - i1\n  continues:\n  - i9\n"), "content/c.yaml": OTHER})
# Files
case("file-empty", yaml(""))
case("file-whitespace-only", yaml("   \n\n  \n"))
case("file-not-utf8", yaml(b"briefing:\n  id: b\n  title: Caf\xe9\n"))
case("content-folder-missing", {"book.toml": BOOK + 'content = "nowhere"\n'})
case("source-outside-repository", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  source: {file: ../../../etc/passwd, line_start: 1, line_end: 2}\n")))
case("source-absolute-path", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  source: {file: /etc/passwd, line_start: 1, line_end: 2}\n")))
case("source-lines-backwards", yaml(GOOD.replace("  title: A briefing\n", "  title: A briefing\n  source: {file: b.txt, line_start: 9, line_end: 2}\n")))
# Book structure and templates
case("summary-broken", {"content/b.yaml": GOOD, "src/SUMMARY.md": "# Summary\n\n- [Intro](intro.md\n- [Oops]\n"}, code=2)
case("summary-missing-chapter", {"content/b.yaml": GOOD, "src/SUMMARY.md": "# Summary\n\n- [Intro](intro.md)\n- [Gone](gone.md)\n"}, code=2)
case("template-override-broken", {"content/b.yaml": GOOD, "theme/handbook/insight-card.md.hbs": "{{#if title}}\n## {{title}}\n"})
case("template-override-typo", {"content/b.yaml": GOOD, "theme/handbook/action-card.md.hbs": "## {{titel}}\n"})
case("book-toml-unknown-key", {"content/b.yaml": GOOD, "book.toml": BOOK + 'contnet = "content"\n'})
case("book-toml-version-too-new", {"content/b.yaml": GOOD, "book.toml": BOOK + 'version = ">=99.0"\n'})
case("book-toml-version-invalid", {"content/b.yaml": GOOD, "book.toml": BOOK + 'version = "newest"\n'})
case("book-toml-invalid", {"content/b.yaml": GOOD, "book.toml": BOOK.replace('title = "Corpus"', 'title = "Corpus')})
case("book-toml-mdbook-setting-wrong-type", {"content/b.yaml": GOOD, "book.toml": BOOK.replace('src = "src"', 'src = 5')})
case("preprocessor-not-installed", {"content/b.yaml": GOOD, "book.toml": BOOK + '\n[preprocessor.nothere]\n'}, code=2)
case("chapter-not-utf8", {"content/b.yaml": GOOD, "src/intro.md": b"# Intro\n\nCaf\xe9\n"})
# The gate reports the same mistakes, located, in every format.
MISSING = {"content/b.yaml": GOOD, "src/SUMMARY.md": "# Summary\n\n- [Intro](intro.md)\n- [Gone](gone.md)\n"}
case("check-summary-missing-chapter", MISSING, args=["check"])
case("check-summary-missing-chapter-github", MISSING, args=["check", "--format", "github"])
case("check-summary-missing-chapter-json", MISSING, args=["check", "--format", "json"])
case("validate-summary-missing-chapter", MISSING, args=["validate"])
case("check-reference-unknown-github", {"content/b.yaml": GOOD, "src/intro.md": "# Intro\n\nSee {{#ref a2}}.\n"}, args=["check", "--format", "github"])
case("check-yaml-error-github", yaml('briefing:\n  id: b\n  title: "unclosed\n'), args=["check", "--format", "github"])
case("check-book-toml-unknown-key-github", {"content/b.yaml": GOOD, "book.toml": BOOK + 'contnet = "content"\n'}, args=["check", "--format", "github"])
case("check-links-summary-missing-chapter", MISSING, args=["check", "links"])
case("check-snippets-summary-missing-chapter", MISSING, args=["check", "snippets"])
# Ingest
BRIEFING = "Title\nSubtitle.\nIntro.\nKey insights\n-\nOne.\nAction items\n-\nDo.\n"
case("ingest-empty-briefing", {"b.txt": ""}, args=["ingest", "b.txt"])
case("ingest-not-utf8", {"b.txt": b"Title\nSub\xff\n"}, args=["ingest", "b.txt"])
case("ingest-not-a-briefing", {"b.txt": "Just some notes.\nNothing more.\n"}, args=["ingest", "b.txt"])
case("ingest-no-action-items", {"b.txt": "Title\nSubtitle.\nIntro.\nKey insights\n-\nOne.\n"}, args=["ingest", "b.txt"])
case("ingest-item-without-text", {"b.txt": BRIEFING.replace("-\nOne.\n", "-\n-\nOne.\n")}, args=["ingest", "b.txt"])
case("ingest-over-curated-yaml", {"b.txt": BRIEFING, "content/title.yaml": "# curated\nbriefing:\n  id: title\n  title: Curated title\n"}, args=["ingest", "b.txt"])
# Ingest: Markdown, HTML and Word briefings
MD = "# Title\n\n## Key insights\n\n- One.\n\n## Action items\n\n- Do.\n"
case("ingest-md-no-item-blocks", {"b.md": "# Title\n\nJust some notes.\n"}, args=["ingest", "b.md"])
case("ingest-md-no-title", {"b.md": "Some notes first.\n\n## Key insights\n\n- One.\n"}, args=["ingest", "b.md"])
case("ingest-md-block-without-items", {"b.md": "# Title\n\n## Key insights\n\n## Action items\n\n- Do.\n"}, args=["ingest", "b.md"])
case("ingest-md-empty-list-item", {"b.md": MD.replace("- One.\n", "- One.\n-\n")}, args=["ingest", "b.md"])
case("ingest-md-paragraph-among-items", {"b.md": MD.replace("- One.\n", "We found:\n\n- One.\n")}, args=["ingest", "b.md"])
case("ingest-md-second-impact", {"b.md": MD.replace("- Do.\n", "- Do.\n  Impact: Less.\n  Impact: More.\n")}, args=["ingest", "b.md"])
case("ingest-md-only-impact", {"b.md": MD.replace("- Do.\n", "- **Impact:** Less.\n")}, args=["ingest", "b.md"])
case("ingest-md-quote-not-quoted", {"b.md": MD + "\n## Quotes\n\nSomeone said something.\n"}, args=["ingest", "b.md"])
case("ingest-md-front-matter-bad-date", {"b.md": "---\ndate: last spring\n---\n" + MD}, args=["ingest", "b.md"])
case("ingest-md-front-matter-invalid", {"b.md": "---\ntitle: [unclosed\n---\n" + MD}, args=["ingest", "b.md"])
case("ingest-md-front-matter-title-differs", {"b.md": "---\ntitle: Another\n---\n" + MD}, args=["ingest", "b.md"])
case("ingest-md-is-html", {"b.md": "<!DOCTYPE html>\n<html><body><h1>Title</h1></body></html>\n"}, args=["ingest", "b.md"])
case("ingest-md-not-text", {"b.md": b"# Title\n\x00\x01\x02binary"}, args=["ingest", "b.md"])
case("ingest-md-nested-too-deep", {"b.md": "# Title\n\n" + "> " * 100 + "deep\n"}, args=["ingest", "b.md"])
case("ingest-html-is-markdown", {"b.html": MD}, args=["ingest", "b.html"])
case("ingest-html-no-item-blocks", {"b.html": "<html><body><h1>Title</h1>\n<p>Just some notes.</p>\n</body></html>\n"}, args=["ingest", "b.html"])
case("ingest-html-empty-item", {"b.html": "<h1>Title</h1>\n<h2>Key insights</h2>\n<ul>\n<li>One.</li>\n<li> </li>\n</ul>\n<h2>Action items</h2><ul><li>Do.</li></ul>\n"}, args=["ingest", "b.html"])
case("ingest-html-not-utf8", {"b.html": b"<h1>Caf\xe9</h1>\n"}, args=["ingest", "b.html"])
case("ingest-html-nested-too-deep", {"b.html": "<h1>Title</h1>\n" + "<div>" * 300 + "deep\n"}, args=["ingest", "b.html"])
case("ingest-docx-not-word", {"b.docx": b"PK\x03\x04 this is no zip archive"}, args=["ingest", "b.docx"])
case("ingest-docx-plain-text", {"b.docx": "Title\nSubtitle.\n"}, args=["ingest", "b.docx"])
# Snippets
case("snippet-endless-loop", {"content/b.yaml": GOOD, "src/intro.md": "# Intro\n\n```rust\nloop {}\n```\n"}, args=["check", "snippets", "--no-cache", "--timeout", "2"])
case("snippet-floods-output", {"content/b.yaml": GOOD, "src/intro.md": "# Intro\n\n```rust\nlet line = \"y\".repeat(1 << 16);\nloop {\n    println!(\"{line}\");\n}\n```\n"}, args=["check", "snippets", "--no-cache", "--timeout", "2"])
case("snippet-writes-files", {"content/b.yaml": GOOD, "src/intro.md": "# Intro\n\n```rust\nstd::fs::write(\"intro.md\", \"overwritten\").unwrap();\nstd::fs::write(\"book.toml\", \"overwritten\").unwrap();\npanic!(\"wrote into its own temporary folder\");\n```\n"}, args=["check", "snippets", "--no-cache"])
# Accepted: a byte-order mark and CRLF line endings are not errors.
case("content-bom-crlf-accepted", yaml(("\ufeff" + GOOD).replace("\n", "\r\n").encode()), args=["validate"], code=0)
print("corpus written")
