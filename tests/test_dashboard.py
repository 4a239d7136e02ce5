"""The teaching dashboard: charts, numbers and files without a browser (fast), then the page itself in Chromium
(`python -m sim dashboard` in a subprocess, driven by Playwright)."""

from __future__ import annotations

import base64
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import urlparse

import matplotlib
import numpy as np
import PIL.Image
import pytest

from sim.core.scenario import ScenarioError
from sim.dashboard import charts
from sim.dashboard.app import chart_size, fmt
from sim.dashboard.classroom import Classroom, Settings, preset_levers, presets, read_scenario_upload, settings_for
from sim.dashboard.layout_check import problems
from sim.io.loader import load_scenario
from sim.presentation import texts as txt

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"days": 120, "policy_start_day": 20, "n_townships": 3}
PROJECTOR = {"1280x720": (916, 470), "1920x1080": (770, 431)}  # chart sizes the page computes (see test below)


def _room(preset: str = "video_conferencing", mode: str = "single", other: str = "baseline", **kw) -> Classroom:
    s = Settings(preset=preset, levers=preset_levers(load_scenario(presets()[preset])), mode=mode, other=other,
                 **{**SMALL, **kw})
    return Classroom(s)


# ---- without a browser -------------------------------------------------------------------------------------------
def test_chart_size_puts_a_chart_on_the_first_screen():
    """At 1280x720 one wide chart that ends above the fold; at 1920x1080 two columns."""
    (w, h), cols = chart_size({"width": 916, "height": 720, "top": 230})
    assert cols == 1 and w >= 900 and 230 + h <= 720
    (w, h), cols = chart_size({"width": 1556, "height": 1080, "top": 230})
    assert cols == 2 and 700 <= w <= 800 and 230 + h <= 1080


def test_cjk_font_is_set_again_in_a_fresh_session():
    """A second Solara session starts from matplotlib's default rcParams: drawing there must still find the CJK font
    (the old cached set-up ran once per process and left later sessions with DejaVu Sans)."""
    room = _room()
    charts.frame_png(room, "burnout", "zh", (600, 360))
    matplotlib.rcParams["font.family"] = ["sans-serif"]  # what a new session's copy of rcParams looks like
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    room2 = _room()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in charts.CHARTS:
            charts.frame_png(room2, name, "zh", (600, 360))
        charts.png_bytes(charts.slide_figure(room2, "zh"), 40)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    assert matplotlib.rcParams["font.family"][0] == "Noto Sans CJK SC"


@pytest.mark.parametrize("mode", ["single", "compare"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_have_projector_type_and_nothing_overlaps(mode, lang):
    """Every chart at both projector sizes: no text cut off or over another text or a plot, and every text at
    least 18 px (the figure is drawn at the size shown, 72 dpi: a point is a pixel)."""
    room = _room(mode=mode)
    room.step(45)
    for size in PROJECTOR.values():
        for name in charts.CHARTS:
            png = charts.frame_png(room, name, lang, size)
            fig = room._scenes[(name, lang, size, 1.0)]["fig"]
            assert png[:4] == b"\x89PNG" and fig.bbox.width == size[0] and fig.bbox.height == size[1]
            assert problems(fig) == [], (name, size, problems(fig)[:4])
            small = sorted({t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
                            if t.get_visible() and t.get_text().strip() and t.get_fontsize() < 18})
            assert not small, (name, size, small)


@pytest.mark.parametrize("mode", ["single", "compare"])
def test_exported_slide_has_nothing_clipped(mode):
    """The one-slide export: every chart and the caption stay inside their panel and the slide (checked on the
    figure's layout, not on pixels)."""
    room = _room(mode=mode, other="hire_more_staff")
    room.step(30)
    for lang in ("zh", "en"):
        fig = charts.slide_figure(room, lang)
        assert problems(fig) == [], problems(fig)[:4]
    assert charts.slide_png(room, "en", dpi=40)[:4] == b"\x89PNG"


def test_layout_check_finds_a_legend_over_a_title():
    """The checker itself: a legend placed over the title is reported."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="a long legend entry")
    ax.set_title("A title")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 0.95))
    assert any("legend" in p and "title" in p for p in problems(fig))


def test_state_text_matches_the_preset():
    """Baseline: no reform in force and no shaded reform period; a reform preset says when it starts; two identical
    runs side by side ask for a reform to compare with."""
    base = _room("baseline")
    assert not base.reform and base.state("en") == txt.t("no_reform", "en")
    charts.frame_png(base, "burnout", "en", (700, 400))
    fig = base._scenes[("burnout", "en", (700, 400), 1.0)]["fig"]
    assert not any(p.get_facecolor()[:3] == matplotlib.colors.to_rgb(charts.SHADE) for ax in fig.axes for p in ax.patches)
    reform = _room("video_conferencing")
    assert reform.reform and "20" in reform.state("en") and reform.state("en") != txt.t("no_reform", "en")
    reform.step(25)
    assert reform.state("zh") == txt.t("after_reform", "zh", day=20)
    same = _room("baseline", mode="compare", other="baseline")
    assert same.same and same.state("en") == txt.t("same_runs", "en")


def test_any_two_presets_side_by_side_on_one_seed():
    """Side by side runs the chosen preset against any other on the same seed: identical up to the reform day."""
    room = _room("all_reforms", mode="compare", other="hire_more_staff")
    assert room.base.params.extra_staff == 1 and room.main.params.duty_list
    room.step(15)
    a, b = room.base.recorder.data[:15], room.main.recorder.data[:15]
    assert a.shape == b.shape
    names = [n for _w, n, _d in room.runs("en")]
    assert names == [txt.preset_name("hire_more_staff", "en"), txt.preset_name("all_reforms", "en")]


def test_lesson_step_5_numbers_read_as_numbers():
    """Lesson step 5 (all reforms against more staff) shows small shares as percent with a decimal, never 0.00."""
    step = txt.LESSON[4]
    room = _room(step["preset"], mode=step["mode"], other=step["other"])
    room.step(28)
    shown = {k: (fmt(k, v), fmt(k, o)) for k, (v, o) in room.kpis().items()}
    assert all(not re.fullmatch(r"0\.0+", s) for pair in shown.values() for s in pair), shown
    assert shown["kpi_exhaustion"][0].endswith("%") and shown["kpi_resolved"][0].endswith("%")
    assert fmt("kpi_exhaustion", 0.004) == "0.4%" and fmt("kpi_burnout", 0.25) == "25%" and fmt("kpi_meetings", 4.26) == "4.3"


def test_save_and_load_scenario_toml():
    """The current settings saved as TOML load back as the same scenario (the page runs it); bad files get one line."""
    room = _room("duty_lists_2024")
    room.settings.levers = {**room.settings.levers, "video_conferencing": 0.45, "extra_staff": 2}
    room.build()
    text = room.scenario_toml()
    back = read_scenario_upload(text.encode(), "class.toml")
    keep = {"name": "", "description": "", "duty_list_file": ""}
    assert back.model_copy(update=keep) == room.scenario().model_copy(update=keep)
    loaded = Classroom(settings_for(back, room.settings))
    assert loaded.main.params.video_conferencing == 0.45 and loaded.main.params.extra_staff == 2
    loaded.settings.mode = "compare"  # side by side with the baseline: the same county, not the baseline file's
    loaded.build()
    assert loaded.base.params.n_townships == loaded.main.params.n_townships == 3
    preset_copy = (ROOT / "scenarios" / "video_conferencing.toml").read_bytes()  # `extends` looked up in scenarios/
    assert read_scenario_upload(preset_copy, "video_conferencing.toml").video_conferencing == 0.9
    with pytest.raises(ScenarioError, match=r"^bad\.toml: .*meeting_cut") as err:
        read_scenario_upload(b"meeting_cut = 3.0\n", "bad.toml")
    assert "\n" not in str(err.value)
    with pytest.raises(ScenarioError, match=r"^bad\.toml: not a TOML"):
        read_scenario_upload(b"meeting_cut = = 3\n", "bad.toml")


def test_csv_of_the_current_run():
    """The CSV has one row per run and day so far, with the run, scenario, seed and day named."""
    room = _room(mode="compare")
    room.step(12)
    rows = list(csv.DictReader(io.StringIO(room.csv().decode())))
    assert len(rows) == 24 and {r["run"] for r in rows} == {"compared", "this_run"}
    assert {r["scenario"] for r in rows} == {"baseline", "video_conferencing"}
    assert [int(float(r["day"])) for r in rows[:12]] == list(range(12)) and "exhaustion_mean" in rows[0]


def test_every_lever_and_preset_is_explained_in_both_languages_with_a_source():
    from sim.core.scenario import LEVERS

    for lever in LEVERS:
        for lang in txt.LANGS:
            assert txt.lever_name(lever, lang) and txt.lever_help(lever, lang) and txt.lever_source(lever, lang)
    for stem in presets():
        for lang in txt.LANGS:
            help_, source = txt.preset_help(stem, lang)
            assert help_ and source, (stem, lang)
    assert set(txt.HEADLINE_LEVERS) <= set(LEVERS) and len(txt.HEADLINE_LEVERS) <= 6


def _asgi(gate, path: str = "/", query: bytes = b"", client: str = "192.168.1.7", kind: str = "http",
          headers: list | None = None) -> tuple[list, list]:
    """One request through the join gate: (messages it sent, scopes the app behind it saw)."""
    import asyncio

    seen, sent = [], []

    async def app(scope, receive, send):
        seen.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(msg):
        sent.append(msg)

    gate.app = app
    scope = {"type": kind, "path": path, "query_string": query, "method": "GET", "client": (client, 5555),
             "headers": headers or [(b"x-grassroots-client", b"local")]}
    asyncio.run(gate(scope, receive, send))
    return sent, seen


def test_join_gate_lets_in_the_projector_and_visitors_with_the_code():
    """Loopback passes (marked local, whatever the visitor claims); a visitor without the code gets the form (401),
    a refused websocket, a 403 for a wrong code, and after ten wrong codes in a minute a 429 even for the right one;
    the right code sets a cookie that then lets the visitor through, marked joined."""
    from sim.dashboard.gate import COOKIE, JoinGate, check_code, is_local, new_code, same_code

    gate = JoinGate(None, "AB23CD")
    assert is_local("127.0.0.1") and is_local("::1") and is_local("::ffff:127.0.0.1") and not is_local("10.0.0.2")
    sent, seen = _asgi(gate, client="127.0.0.1")
    assert seen and (b"x-grassroots-client", b"local") in seen[0]["headers"] and len(seen[0]["headers"]) == 1
    sent, seen = _asgi(gate)  # a visitor claiming to be local is not
    assert not seen and sent[0]["status"] == 401 and "加入码" in sent[1]["body"].decode()
    sent, seen = _asgi(gate, path="/jupyter/api/kernels/x/channels", kind="websocket")
    assert not seen and sent == [{"type": "websocket.close", "code": 1008}]
    assert _asgi(gate, query=b"code=AB23CX")[0][0]["status"] == 403
    sent, _ = _asgi(gate, query=b"code=ab-23cd")
    assert sent[0]["status"] == 303
    cookie = dict(sent[0]["headers"])[b"set-cookie"].split(b";")[0]
    assert cookie.startswith(COOKIE.encode()) and b"AB23CD" not in cookie
    sent, seen = _asgi(gate, headers=[(b"cookie", cookie)])
    assert seen and (b"x-grassroots-client", b"joined") in seen[0]["headers"]
    sent, seen = _asgi(gate, headers=[(b"cookie", cookie), (b"content-length", b"99999999")])
    assert not seen and sent[0]["status"] == 413
    assert not _asgi(JoinGate(None, "AB23CD"), headers=[(b"cookie", cookie)])[1], "a cookie of another start"
    for _ in range(10):
        _asgi(gate, query=b"code=WRONG1", client="10.1.1.1")
    assert _asgi(gate, query=b"code=AB23CD", client="10.1.1.1")[0][0]["status"] == 429
    assert len(new_code()) == 6 and new_code() != new_code() and check_code("ke7q9m") == "KE7Q9M"
    assert same_code(" ke7-q9m ", "KE7Q9M") and not same_code(["KE7Q9M"], "KE7Q9M")
    with pytest.raises(ValueError, match="^--join-code: "):
        check_code("a b")


def test_limits_refuse_before_building_and_share_the_slots(monkeypatch):
    """A county over the limits is refused from its fields alone; the run slots are shared by visitors' sessions,
    re-entrant within one, never asked of the projector's; the CPU meter stops a run once over its budget."""
    from sim.dashboard import limits

    with pytest.raises(limits.LimitError) as err:
        limits.check_size(load_scenario(None, n_townships=200))
    assert err.value.key == "limit_size" and "15,000" in txt.t(err.value.key, "en", **err.value.fmt)
    with pytest.raises(limits.LimitError, match="limit_field"):
        limits.check_size(load_scenario(None, households_per_village=100_000))
    limits.check_size(load_scenario(None, n_townships=200), allowed=limits.county_size(load_scenario(None, n_townships=200)))
    limits.check_size(load_scenario(presets()["baseline"]), runs=2)
    visitors = [limits.Runner(trusted=False) for _ in range(limits.MAX_RUNNING + 1)]
    holds = [v.slot() for v in visitors[:-1]]
    for h in holds:
        h.__enter__()
    try:
        with visitors[0].slot():  # the same session again: no second slot
            pass
        with pytest.raises(limits.LimitError, match="busy"), visitors[-1].slot(wait_s=0.05):
            pass
        with limits.Runner(trusted=True).slot(wait_s=0):
            pass
    finally:
        for h in holds:
            h.__exit__(None, None, None)
    assert limits.free_slots() == limits.MAX_RUNNING
    monkeypatch.setattr(limits, "RUN_CPU_S", 0.01)
    r = limits.Runner(trusted=True)
    with r.metered():
        sum(i * i for i in range(300_000))
    with pytest.raises(limits.LimitError, match="cpu_spent"), r.metered():
        pass
    r.new_run()
    with r.metered():
        pass


def test_upload_names_and_paths_are_checked_on_the_page():
    """The page shows a file name without its folders or control characters; `extends` may name only a regular
    file in scenarios/."""
    from sim.dashboard.app import _confine, _safe_name, scenario_file
    from sim.dashboard.limits import LimitError

    assert _safe_name("../../etc/x\u202e.toml") == "x.toml" and _safe_name(None) == "scenario.toml"
    assert scenario_file("baseline.toml") is not None
    for bad in ("/etc/passwd", "../../../../etc/passwd", "/proc/self/environ", "/dev/zero", "../pyproject.toml", "",
                ".", "x\x00y"):
        assert scenario_file(bad) is None, bad
    with pytest.raises(LimitError) as err:
        _confine(b'duty_list_file = "/dev/zero"\n', "z.toml")
    assert err.value.fmt["field"] == "duty_list_file" and err.value.fmt["value"] == "'/dev/zero'"
    _confine(b'extends = "baseline.toml"\n', "ok.toml")


# ---- in the browser ----------------------------------------------------------------------------------------------
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "results" / "dashboard"
T = 60_000  # ms: generous, a cold CI machine renders the first frame slowly
INK_JS = """img => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 235 || d[i+1] < 235 || d[i+2] < 235) ink++; }
  return {w: img.naturalWidth, h: img.naturalHeight, ink: ink / (d.length / 4)}; }"""
# the page has redrawn its charts for this window: the first chart is as wide as shown and ends above the fold
FITTED_JS = """() => { const i = document.querySelector('img.chart-hierarchy'); const a = document.querySelector('.charts-area');
  if (!i || !a || !i.complete) return false; const W = a.clientWidth, cols = W >= 1300 ? 2 : 1;
  const r = i.getBoundingClientRect(); return i.naturalWidth === Math.floor((W - 12 * (cols - 1)) / cols) - 2
  && i.naturalWidth === Math.round(r.width) && r.bottom <= window.innerHeight && r.top >= 0; }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


JOIN = "GRASS7"  # the join code the test server is started with
SERVED: dict = {}  # the test server's process and port (for the class-mode tests)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard in class mode (`--host 0.0.0.0 --join-code GRASS7`) on a free port (a small county, reform on day
    20 of 200), and its log. The page tests use 127.0.0.1, the projector's own address, which the gate lets through."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", "--port", str(port), "--lang", "zh", "--townships", "4",
         "--days", "200", "--reform-day", "20", "--host", "0.0.0.0", "--join-code", JOIN],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    SERVED.update(proc=proc, port=port)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, f"dashboard exited early:\n{log_path.read_text()[-2000:]}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail("dashboard did not answer within 120 s")
    yield url, log_path
    os.killpg(proc.pid, signal.SIGTERM)  # the command and the solara server it started
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Requests of a page: every one must stay on 127.0.0.1 and succeed."""

    def __init__(self, page) -> None:
        self.requests, self.failed, self.bad = [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: self.bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def check(self) -> None:
        assert self.requests, "no requests recorded"
        outside = [u for u in self.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
                   and urlparse(u).hostname != "127.0.0.1"]
        assert not outside, f"requests left 127.0.0.1: {outside[:5]}"
        assert not self.failed, f"failed requests: {self.failed[:5]}"
        assert not self.bad, f"error responses: {self.bad[:5]}"


def _open(browser, url: str, width: int, height: int):
    ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)  # a new session
    page = ctx.new_page()
    page.set_default_timeout(T)
    watch = Watch(page)
    page.goto(url, timeout=T)
    page.wait_for_function(FITTED_JS, timeout=T)
    return ctx, page, watch


def _day(page) -> int:
    return int(re.search(r"\d+", page.inner_text(".day-counter")).group())


def _srcs(page) -> dict[str, str]:
    return {n: page.get_attribute(f"img.chart-{n}", "src") for n in charts.CHARTS}


def test_projector_screens_and_two_sessions_in_chinese(server, browser, tmp_path):
    """Two sessions in a row (1280x720, then 1920x1080), each in Chinese: a chart fully on the first screen, drawn at
    the size shown; both sessions draw the same Chinese chart with no missing-glyph warning in the server log; play
    and the day stay in view with the sidebar scrolled; the baseline says no reform is in force; no Solara badge."""
    url, log_path = server
    reference = Classroom(Settings(days=200, policy_start_day=20, n_townships=4,
                                   levers=preset_levers(load_scenario(presets()["baseline"]))))
    sizes = []
    for width, height in ((1280, 720), (1920, 1080)):
        ctx, page, watch = _open(browser, url, width, height)
        box = page.eval_on_selector("img.chart-hierarchy", "i => i.getBoundingClientRect().toJSON()")
        assert box["top"] >= 0 and box["bottom"] <= height and box["width"] > 700, box
        for name in charts.CHARTS:
            info = page.eval_on_selector(f"img.chart-{name}", INK_JS)
            assert info["ink"] > 0.02, f"{name} looks empty: {info}"
        assert page.locator("text=上头千条线").count() > 0 and page.locator("text=This website runs on").count() == 0
        assert txt.t("no_reform", "zh") in page.inner_text(".run-state")
        # the Chinese chart this session drew is, pixel for pixel, the one drawn here with the CJK font set up
        b64 = page.eval_on_selector("img.chart-burnout", """async i => { const b = new Uint8Array(await (await fetch(i.src))
            .arrayBuffer()); let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }""")
        shown = np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB"))
        ref = np.asarray(PIL.Image.open(io.BytesIO(charts.frame_png(reference, "burnout", "zh", shown.shape[1::-1])))
                         .convert("RGB"))
        assert shown.shape == ref.shape and (shown != ref).any(axis=2).mean() < 0.001, (width, shown.shape)
        sizes.append(shown.shape)
        page.evaluate("() => { const d = document.querySelector('.v-navigation-drawer__content'); d.scrollTop = d.scrollHeight; }")
        time.sleep(0.3)
        for sel in (".btn-play", ".day-counter"):
            r = page.eval_on_selector(sel, "e => e.getBoundingClientRect().toJSON()")
            assert 0 <= r["top"] and r["bottom"] <= height, (sel, r)
        shot = tmp_path / f"dashboard_{width}x{height}.png"
        page.screenshot(path=str(shot))
        if (ROOT / "results").is_dir():
            SHOTS.mkdir(parents=True, exist_ok=True)
            (SHOTS / shot.name).write_bytes(shot.read_bytes())
        watch.check()
        ctx.close()
    assert sizes[0][1] > 900 > sizes[1][1], sizes  # one wide column at 1280, two at 1920
    log = log_path.read_text()
    assert "missing from font" not in log and "Glyph" not in log, re.findall(r".*Glyph.*", log)[:3]


def test_classroom_flow(server, browser, tmp_path):
    """English, step, play past the reform day and pause, a headline lever, the lesson's side-by-side view, the
    slide export, save and load a scenario, the CSV; nothing leaves 127.0.0.1."""
    url, log_path = server
    ctx, page, watch = _open(browser, url, 1600, 900)
    before = _srcs(page)
    page.click(".lang-en")
    page.wait_for_selector("text=Guided lesson")
    page.wait_for_function("s => document.querySelector('img.chart-time_use').src !== s", arg=before["time_use"])
    for en in ("Cut meetings", "Preset scenario", "Formalism share of work time", "Source:"):
        assert page.locator(f"text={en}").count() > 0, en
    assert page.locator("text=课堂导学").count() == 0

    # step: the day advances and the charts change
    assert _day(page) == 0
    before = _srcs(page)
    page.click(".btn-step")
    page.wait_for_function("() => /Day\\s*1\\b/.test(document.querySelector('.day-counter').innerText)")
    page.wait_for_function("s => document.querySelector('img.chart-hierarchy').src !== s", arg=before["hierarchy"])

    # play past the reform day, then pause: the day stops
    before = _srcs(page)
    page.click(".btn-play")
    page.wait_for_function("() => parseInt(document.querySelector('.day-counter').innerText.match(/\\d+/)[0]) >= 24",
                           timeout=90_000)
    page.click(".btn-play")
    page.wait_for_function("() => /play/i.test((document.querySelector('.btn-play') || {}).innerText || '')")  # says play again
    stopped, deadline = _day(page), time.time() + 20  # let the last frame reach the page
    while time.time() < deadline:
        time.sleep(1.0)
        if _day(page) == stopped:
            break
        stopped = _day(page)
    time.sleep(1.5)
    assert _day(page) == stopped >= 24
    assert all(_srcs(page)[n] != before[n] for n in charts.CHARTS), "a chart did not change while playing"

    # a headline lever takes effect at once, replaying to the same day
    kpis = page.inner_text(".kpis")
    page.click(".lever-duty_list label")
    page.wait_for_function("k => document.querySelector('.kpis').innerText !== k", arg=kpis)
    assert _day(page) == stopped, "changing a lever must replay to the same day"
    assert "since day 20" in page.inner_text(".run-state")

    # the lesson sets up two presets side by side; the compared run's numbers appear
    page.click(".lesson-next")
    page.click(".lesson-setup")
    page.wait_for_selector(".other-select", timeout=T)
    page.wait_for_selector(".kpi-other", timeout=T)

    # slide export: a PNG
    with page.expect_download() as dl:
        page.click(f"text={txt.t('export_all', 'en')}")
    slide = tmp_path / "slide.png"
    dl.value.save_as(slide)
    assert slide.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and slide.stat().st_size > 20_000

    # save the settings as TOML, load it back through the file picker
    with page.expect_download() as dl:
        page.click(f"text={txt.t('save_toml', 'en')}")
    saved = tmp_path / "saved.toml"
    dl.value.save_as(saved)
    assert "video_conferencing = 0.9" in saved.read_text()
    page.set_input_files(".scenario-upload input[type=file]", str(saved))
    page.wait_for_function("() => document.querySelector('.preset-select').innerText.includes('File:')", timeout=T)
    assert page.locator(".error-line").count() == 0

    # CSV of the current run
    with page.expect_download() as dl:
        page.click(f"text={txt.t('csv', 'en')}")
    table = tmp_path / "run.csv"
    dl.value.save_as(table)
    header = table.read_text().splitlines()[0].split(",")
    assert header[:3] == ["run", "scenario", "seed"] and "day" in header

    page.screenshot(path=str(tmp_path / "flow.png"), full_page=True)
    if (ROOT / "results").is_dir():
        SHOTS.mkdir(parents=True, exist_ok=True)
        for f in ("flow.png", "slide.png"):
            (SHOTS / f).write_bytes((tmp_path / f).read_bytes())
    watch.check()
    ctx.close()
    assert "Traceback" not in log_path.read_text()


def test_dashboard_help_matches_the_docs():
    """`dashboard --help` and docs/dashboard.md name the same options, and neither calls the page SolaraViz."""
    out = subprocess.run([sys.executable, "-m", "sim", "dashboard", "--help"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    doc = (ROOT / "docs" / "dashboard.md").read_text()
    in_help = set(re.findall(r"(--[a-z][a-z-]+)", out)) - {"--help"}
    in_docs = set(re.findall(r"^\| `(--[a-z-]+)`", doc, flags=re.M))
    assert in_help == in_docs, (in_help ^ in_docs)
    assert "(SolaraViz)" not in out and "Solara page" in out and "works offline" in out


# ---- class mode: the join gate and the limits -----------------------------------------------------------------------
def _server_rss() -> int:
    """Resident memory of the test server's Solara process (the command's child), in bytes."""
    import psutil

    kids = psutil.Process(SERVED["proc"].pid).children(recursive=True)
    assert kids, "the dashboard command has no server process"
    return sum(k.memory_info().rss for k in kids)


class PeakRss:
    """Samples the server's RSS every 20 ms in a thread; `peak` is the highest seen."""

    def __enter__(self):
        import threading

        self.peak, self.stop = _server_rss(), False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, _server_rss())
            time.sleep(0.02)

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.thread.join()


RSS_BOUND = 1500 * 2**20  # the server process may never pass 1.5 GB (it idles at ~0.5 GB with two sessions)
RSS_STEP = 250 * 2**20  # and no single upload may add more than 250 MB
SECRETS = ("root:", "/bin/", "PATH=", "HOME=", "PYTHONPATH", "GRASSROOTS_JOIN_CODE", JOIN, "Traceback", "File \"")


def test_hostile_uploads_get_one_line_and_the_server_stays_small(server, browser, tmp_path):
    """Uploads through the real page, in Chinese: `extends` to /etc/passwd, to ../../../../etc/passwd and to
    /proc/self/environ, `duty_list_file = "/dev/zero"`, `name = 1979-05-27`, a nested table, a county far over the
    limits, a 50 MB file. Each shows one line under the upload field, in the page's language where the page words
    it, quoting no other file and no internals; the server's RSS stays under RSS_BOUND and grows by less than
    RSS_STEP; nothing reaches the server log; a good file still loads after them."""
    url, log_path = server
    ctx, page, watch = _open(browser, url, 1280, 720)
    cases = [
        ("passwd.toml", b'extends = "/etc/passwd"\n', "extends"),
        ("up.toml", b'extends = "../../../../etc/passwd"\n', "extends"),
        ("environ.toml", b'extends = "/proc/self/environ"\n', "extends"),
        ("zero.toml", b'duty_list_file = "/dev/zero"\n', "duty_list_file"),
        ("date.toml", b"name = 1979-05-27\n", "date.toml"),
        ("nested.toml", b"[duty_shares.deep]\nx = 1\n", "nested.toml"),
        ("huge.toml", b"n_townships = 200\n", "15,000"),  # 26,000 cadres: the model allows it, the class does not
        ("households.toml", b"households_per_village = 100000\n", "households_per_village"),
        ("big.toml", b"# " + b"x" * (50 * 2**20) + b"\n", "256"),
    ]
    start = _server_rss()
    shown = ""
    for name, data, expect in cases:
        path = tmp_path / name  # a file on disk, as a visitor picks it (Playwright passes no buffer over 50 MB)
        path.write_bytes(data)
        with PeakRss() as rss:
            page.set_input_files(".scenario-upload input[type=file]", str(path))
            page.wait_for_function("p => { const e = document.querySelector('.upload-error'); return e && "
                                   "e.innerText.trim() && e.innerText !== p; }", arg=shown, timeout=T)
            shown = page.inner_text(".upload-error")
        line = shown.strip()
        assert "\n" not in line and len(line) < 400, (name, line)
        assert expect in line, (name, line)
        assert not any(s in line for s in SECRETS), (name, line)
        assert re.search(r"[\u4e00-\u9fff]", line), f"{name}: not in the page's language: {line}"
        print(f"{name}: server RSS peak {rss.peak / 2**20:.0f} MB (at start {start / 2**20:.0f} MB)")
        assert rss.peak < RSS_BOUND and rss.peak - start < RSS_STEP, (name, rss.peak / 2**20, start / 2**20)
    assert page.locator(".limits-line").count() >= 1 and "256 kB" in page.inner_text(".limits-line")
    good = (ROOT / "scenarios" / "video_conferencing.toml").read_bytes()  # `extends` a preset: allowed
    page.set_input_files(".scenario-upload input[type=file]",
                         files=[{"name": "good.toml", "mimeType": "text/plain", "buffer": good}])
    page.wait_for_function("() => !document.querySelector('.upload-error')", timeout=T)
    page.wait_for_function("() => document.querySelector('.preset-select').innerText.includes('文件')", timeout=T)
    watch.check()
    # a browser that skips the page's size check and sends 50 MB anyway: uvicorn drops the websocket message at
    # WS_MAX_BYTES before Python parses it (the page reconnects); the server stays small
    with PeakRss() as rss:
        page.evaluate("() => document.querySelector('.scenario-upload').__vue__.event_upload("
                      "{name: 'raw.toml', text: '#'.repeat(50 * 1024 * 1024)})")
        time.sleep(3)
    print(f"raw 50 MB message: server RSS peak {rss.peak / 2**20:.0f} MB (at start {start / 2**20:.0f} MB)")
    assert rss.peak < RSS_BOUND and rss.peak - start < RSS_STEP, (rss.peak / 2**20, start / 2**20)
    ctx.close()
    log = log_path.read_text()
    assert "Traceback" not in log and "ERROR" not in log, log[-2000:]


def _visitor_address() -> str | None:
    """A non-loopback address of this machine, as a visitor in the room would reach it."""
    from sim.cli.dashboard import class_urls

    urls = [u for u in class_urls("0.0.0.0", 1) if "<" not in u]
    return urlparse(urls[0]).hostname if urls else None


def test_join_code_gates_a_visitor(server, browser):
    """Over this machine's network address (not loopback): no code, nothing but the join form (no page, no app
    websocket, so no model); a wrong code, the form again; the right code, the page and its charts, with the limits
    stated and without the code itself. The projector's page (127.0.0.1) shows the address and the code."""
    url, _log = server
    ip = _visitor_address()
    if ip is None:
        pytest.skip("this machine has no non-loopback address to visit from")
    visit = f"http://{ip}:{SERVED['port']}/"
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.set_default_timeout(T)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(visit)
    assert page.locator(".join-form").count() == 1 and page.locator(".btn-play").count() == 0
    time.sleep(1.0)
    assert not sockets, sockets  # the join form has no script: nothing opened a websocket
    with pytest.raises(urllib.error.HTTPError) as refused:  # no asset either
        urllib.request.urlopen(visit + "static/main.js", timeout=5)
    assert refused.value.code == 401
    page.fill(".join-code", "WRONG1")
    page.click("button[type=submit]")
    assert page.locator(".join-form").count() == 1 and "加入码不对" in page.inner_text("body")
    page.fill(".join-code", JOIN.lower())
    page.click("button[type=submit]")
    page.wait_for_selector("img.chart-hierarchy", timeout=T)
    page.wait_for_selector(".btn-play", timeout=T)
    banner = page.inner_text(".class-banner")
    assert JOIN not in banner and "课堂模式" in banner, banner
    assert "限制" in page.inner_text(".limits-line")
    ctx.close()
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    local = ctx.new_page()
    local.goto(url, timeout=T)
    local.wait_for_selector(".class-banner", timeout=T)
    banner = local.inner_text(".class-banner")
    assert JOIN in banner and f"{ip}:{SERVED['port']}" in banner, banner
    ctx.close()


def test_dashboard_command_makes_a_join_code_beyond_localhost(monkeypatch, capsys):
    """`--host 0.0.0.0` prints the visitors' address and a random join code and hands it to the server; a local
    host has no code; a bad --join-code gets one line."""
    import sim.cli.dashboard as dash
    from sim.cli import main as cli_main

    envs = []

    class FakeServer:
        def __init__(self, cmd, env=None, **kw) -> None:
            envs.append((cmd, env))

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(dash.subprocess, "Popen", FakeServer)
    assert cli_main(["dashboard", "--host", "0.0.0.0", "--port", "8799"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"join code ([A-Z0-9]{6})$", out, flags=re.M).group(1)
    cmd, env = envs[-1]
    assert env["GRASSROOTS_JOIN_CODE"] == code and cmd[1:3] == ["-m", "sim.dashboard.serve"]
    assert "http://127.0.0.1:8799/" in out
    assert cli_main(["dashboard", "--port", "8799"]) == 0
    assert envs[-1][1]["GRASSROOTS_JOIN_CODE"] == "" and "join code" not in capsys.readouterr().out
    assert cli_main(["dashboard", "--host", "0.0.0.0", "--join-code", "a b"]) != 0
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith("--join-code: must be 4 to 32 letters or digits")
