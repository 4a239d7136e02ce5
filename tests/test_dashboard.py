"""Browser test of the teaching dashboard: `python -m sim dashboard` in a subprocess, driven by Chromium."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "results" / "dashboard"
T = 60_000  # ms: generous, a cold CI machine renders the first frame slowly

# fraction of non-white pixels of an <img>: an empty frame is ~0
INK_JS = """img => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 235 || d[i+1] < 235 || d[i+2] < 235) ink++; }
  return {w: img.naturalWidth, h: img.naturalHeight, ink: ink / (d.length / 4)}; }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The dashboard on a free port of 127.0.0.1 (a small county, reform on day 20 of 200)."""
    port = _free_port()
    log = open(ROOT / "results" / "dashboard_server.log", "w") if (ROOT / "results").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", "--port", str(port), "--lang", "en", "--townships", "4",
         "--days", "200", "--reform-day", "20"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, "dashboard exited early (see results/dashboard_server.log)"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail("dashboard did not answer within 120 s")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)  # the command and the solara server it started (one session)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _day(page) -> int:
    return int(re.search(r"\d+", page.inner_text(".day-counter")).group())


def _srcs(page) -> dict[str, str]:
    return {n: page.get_attribute(f"img.chart-{n}", "src") for n in ("hierarchy", "time_use", "burnout", "service", "meetings")}


def test_dashboard_in_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    requests, failed, bad_status = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(T)
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: bad_status.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(server, timeout=T)

        # charts are drawn: five images, each wide and with ink on it
        for name in ("hierarchy", "time_use", "burnout", "service", "meetings"):
            page.wait_for_selector(f"img.chart-{name}")
            page.wait_for_function("n => { const i = document.querySelector('img.chart-' + n); return i && i.naturalWidth > 300; }",
                                   arg=name)
            info = page.eval_on_selector(f"img.chart-{name}", INK_JS)
            assert info["w"] > 300 and info["h"] > 200, (name, info)
            assert info["ink"] > 0.03, f"{name} looks empty: {info}"
        page.wait_for_selector("text=Guided lesson")
        assert page.locator("text=Cut meetings").count() > 0

        # 中文: every label switches, charts are redrawn in Chinese
        before = _srcs(page)
        page.click(".lang-zh")
        page.wait_for_selector("text=课堂导学")
        for zh in ("上头千条线", "精简会议", "履职事项清单", "预设情景", "形式主义工时占比"):
            assert page.locator(f"text={zh}").count() > 0, zh
        page.wait_for_function("s => document.querySelector('img.chart-time_use').src !== s", arg=before["time_use"])
        assert page.locator("text=Guided lesson").count() == 0

        # step: the day advances and the charts change
        assert _day(page) == 0
        before = _srcs(page)
        page.click(".btn-step")
        page.wait_for_function("() => /第\\s*1\\s*天/.test(document.querySelector('.day-counter').innerText)")
        page.wait_for_function("s => document.querySelector('img.chart-hierarchy').src !== s", arg=before["hierarchy"])

        # play past the reform day, then pause: the day stops
        before = _srcs(page)
        page.click(".btn-play")
        page.wait_for_function("() => parseInt(document.querySelector('.day-counter').innerText.match(/\\d+/)[0]) >= 40",
                               timeout=90_000)
        page.click(".btn-play")
        time.sleep(1.5)
        stopped = _day(page)
        time.sleep(1.5)
        assert _day(page) == stopped >= 40
        after = _srcs(page)
        assert all(after[n] != before[n] for n in after), "a chart did not change while playing"
        page.screenshot(path=str(tmp_path / "played.png"))

        # a lever takes effect at once: the numbers and the time-use chart change
        kpis = page.inner_text(".kpis")
        src = page.get_attribute("img.chart-time_use", "src")
        page.click(".lever-meeting_consolidation label")
        page.wait_for_function("k => document.querySelector('.kpis').innerText !== k", arg=kpis)
        page.wait_for_function("s => document.querySelector('img.chart-time_use').src !== s", arg=src)
        assert _day(page) == stopped, "changing a lever must replay to the same day"

        # before/after mode: two runs side by side, baseline numbers shown
        page.click(".lesson-next")
        page.click(".lesson-setup")
        page.wait_for_selector("text=基线", timeout=T)
        assert page.locator("text=文山会海与路途").count() > 0

        # export for slides: a PNG download
        with page.expect_download() as dl:
            page.click("text=全部图表合成一页（PNG）")
        path = tmp_path / "slide.png"
        dl.value.save_as(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000

        shot = tmp_path / "dashboard_zh.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
        if (ROOT / "results").is_dir():
            SHOTS.mkdir(exist_ok=True)
            for f in ("played.png", "dashboard_zh.png", "slide.png"):
                (SHOTS / f).write_bytes((tmp_path / f).read_bytes())
        browser.close()

    assert requests, "no requests recorded"
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname != "127.0.0.1"]
    assert not outside, f"requests left 127.0.0.1: {outside[:5]}"
    assert not failed, f"failed requests: {failed[:5]}"
    assert not bad_status, f"error responses: {bad_status[:5]}"
