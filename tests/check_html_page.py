#!/usr/bin/env python3
"""Loads an HTML page of ropebench's in headless Chromium and checks that it works: it loads, logs
nothing to the console, every figure div was drawn by Plotly (data-rendered="yes", an SVG inside),
their number is the expected one, and the page's own error list is empty. Takes a screenshot.

usage: check_html_page.py PAGE.html FIGURES SCREENSHOT.png
Exit 0 when the page works, 1 with one line per problem when it does not."""
import html.parser
import os
import subprocess
import sys
import tempfile

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=20000"]


class PageFacts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.plots = []          # data-rendered of each div.plot, None when missing
        self.svgs_in_plots = 0   # <svg class="main-svg"> inside plot divs
        self.errors = []         # <li> texts inside #page-errors
        self.plots_done = None   # body's data-plots-done
        self._stack = []         # (tag, id, class) of open elements
        self._in_errors = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.plots_done = a.get("data-plots-done")
        if tag == "div" and "plot" in (a.get("class") or "").split():
            self.plots.append(a.get("data-rendered"))
        if tag == "svg" and "main-svg" in (a.get("class") or "").split() and any(
                t == "div" and "plot" in (c or "").split() for t, _, c in self._stack):
            self.svgs_in_plots += 1
        if tag == "ul" and a.get("id") == "page-errors":
            self._in_errors = True
        if tag == "li" and self._in_errors:
            self.errors.append("")
        if tag not in ("br", "img", "meta", "link", "input", "path", "rect", "line", "image"):
            self._stack.append((tag, a.get("id"), a.get("class")))

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_errors = False
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._in_errors and self.errors:
            self.errors[-1] += data


def main():
    page, expected, screenshot = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    url = "file://" + os.path.abspath(page)
    problems = []
    with tempfile.TemporaryDirectory() as profile:
        flags = CHROMIUM + ["--user-data-dir=" + profile]
        dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True,
                             timeout=180)
        if dom.returncode != 0:
            problems.append(f"chromium exited {dom.returncode}")
        for line in dom.stderr.splitlines():
            if ":CONSOLE" in line:
                problems.append("console: " + line.split("]", 1)[-1].strip())
        facts = PageFacts()
        facts.feed(dom.stdout)
        if not dom.stdout.strip():
            problems.append("the page did not load (empty DOM)")
        if len(facts.plots) != expected:
            problems.append(f"{len(facts.plots)} figure divs, expected {expected}")
        undrawn = [i for i, r in enumerate(facts.plots) if r != "yes"]
        if undrawn:
            problems.append(f"figures not drawn: {undrawn}")
        if facts.svgs_in_plots < len(facts.plots):
            problems.append(f"{facts.svgs_in_plots} plot SVGs for {len(facts.plots)} figures")
        if facts.plots_done != str(expected):
            problems.append(f"body data-plots-done={facts.plots_done!r}, expected {expected}")
        problems += ["page error: " + e for e in facts.errors]
        # The full page, tall enough for every figure (about 560 px each).
        height = 900 + 560 * max(expected, 1)
        shot = subprocess.run(flags + [f"--window-size=1280,{height}",
                                       "--screenshot=" + os.path.abspath(screenshot), url],
                              capture_output=True, text=True, timeout=180)
        if shot.returncode != 0 or not os.path.exists(screenshot) or \
                os.path.getsize(screenshot) < 10000:
            problems.append("no screenshot was taken")
    for p in problems:
        print(f"{page}: {p}")
    if not problems:
        print(f"{page}: loads, no console output, {expected} figures drawn; "
              f"screenshot: {os.path.abspath(screenshot)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
