"""Regenerate the screenshots in docs/screenshots/ (``make screenshots``).

The demo is loaded into a fresh SQLite database in a temporary folder, ending at the real
clock's "now" (as ``slm demo load`` does), served by one uvicorn process on loopback port 8120
with a throw-away session key, and photographed with Debian's Chromium through Playwright:
the manager's dashboard, the ticket queue, an agreement's page and the agreement editor (of a
draft made from a catalog option), and the customer representative's home (contoso), each in
English and 简体中文, on a desktop (1440 px) and a phone (390 px). Nothing is fetched from the
network; the database and key are deleted after.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# the demo seeded and served as the page benchmark does it
from benchmarks.bench_pages import seed, serve  # noqa: E402

from servicelevel.demo.loader import DEMO_PASSWORD  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PORT = 8120
CHROMIUM = os.environ.get("SLM_CHROMIUM", "/usr/bin/chromium")
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
LANGUAGES = ("en", "zh_Hans")
# Where each language's reader sits: the browser's zone, which the pages use until one is chosen.
ZONES = {"en": "Europe/London", "zh_Hans": "Asia/Shanghai"}


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    compact(path)
    print(f"docs/screenshots/{name}.png")


def compact(path: Path) -> None:
    """128 colours without dithering: a page of flat colours and text looks the same at about
    a third of the bytes in git. Pillow comes with WeasyPrint."""
    from PIL import Image

    with Image.open(path) as shot:
        flat = shot.convert("RGB").quantize(
            colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    flat.save(path, optimize=True)


def first_agreement(page: Page) -> str:
    """The first service level agreement in the list (the one a customer signs)."""
    page.goto("/agreements")
    link = page.locator("main table a[href^='/agreements/']", has_text="SLA-").first
    return str(link.get_attribute("href"))


EDITOR: list[str] = []  # the draft made once, shown in every language and width


def drafted_editor(page: Page) -> str:
    """The agreement editor of a draft made from the catalog's first option for the first
    customer (through the drafting form, as a manager does it), the first time it is asked."""
    if not EDITOR:
        page.goto("/agreements/draft")
        page.locator("#f-source").select_option(index=1)
        page.locator("#f-customer_id").select_option(index=1)
        page.locator("form[action='/agreements/draft'] button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        EDITOR.append(page.url)
    return EDITOR[0]


def manager(page: Page, language: str, width: str) -> None:
    sign_in(page, "manager")
    page.goto(f"/language/{language}")
    page.goto("/")
    shoot(page, f"dashboard-{language}-{width}")
    page.goto("/tickets")
    shoot(page, f"tickets-{language}-{width}")
    page.goto(first_agreement(page))
    shoot(page, f"agreement-{language}-{width}")
    page.goto(drafted_editor(page))
    shoot(page, f"agreement-editor-{language}-{width}")


def customer(page: Page, language: str, width: str) -> None:
    sign_in(page, "contoso")
    page.goto(f"/language/{language}")
    page.goto("/")
    shoot(page, f"customer-home-{language}-{width}")


def photograph(browser: Browser, base: str) -> None:
    for width, (w, h) in WIDTHS.items():
        for language in LANGUAGES:
            for who in (manager, customer):
                context = browser.new_context(
                    base_url=base,
                    viewport={"width": w, "height": h},
                    timezone_id=ZONES[language],
                )
                who(context.new_page(), language, width)
                context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="slm-screenshots-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
        seed(url)
        with serve(url, PORT) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                photograph(browser, base)
            finally:
                browser.close()


if __name__ == "__main__":
    main()
