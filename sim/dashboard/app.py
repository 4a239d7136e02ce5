"""The teaching dashboard page (Solara), designed for a classroom projector first.

Run with `python -m sim dashboard`. Laid out like Mesa's SolaraViz (app bar, sidebar of controls and model
parameters, matplotlib components in the main area, play/pause/step/reset on a worker thread with a shared redraw
counter), written out here so every label switches language. At 1280x720 the first chart is on the first screen:
play, the day and the state stay pinned at the top of the sidebar, five headline levers follow, the rest fold
into groups. The charts are drawn at the pixel size the browser shows them (sim/dashboard/viewport.vue reports
it). The model and the drawing live in classroom.py and charts.py; this file only wires them to the browser.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import time
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import solara
import solara.lab

from sim.core.blas import pin_blas
from sim.core.scenario import ScenarioError
from sim.dashboard import charts, limits
from sim.dashboard.classroom import (
    CLASS_DAYS,
    CLASS_POLICY_DAY,
    LOADED,
    SCENARIO_DIR,
    Classroom,
    Settings,
    lever_spec,
    preset_levers,
    presets,
    read_scenario_upload,
    settings_for,
)
from sim.dashboard.gate import MARK, same_code
from sim.dashboard.limits import LimitError
from sim.io.loader import load_scenario
from sim.presentation import texts as txt

pin_blas()  # one BLAS thread in the dashboard's server process, as wherever the model runs

PLAY_PAUSE_S = 0.04  # breathing room between frames so clicks get through while playing
SIDEBAR_PX = 340
TWO_COLUMNS_PX = 1300  # chart area at least this wide: two charts a row
CHART_GAP_PX = 12

# Mesa's SolaraViz redraws on a shared counter (mesa.visualization.utils.update_counter); importing that module
# needs altair, which this project does not install, so the same two lines live here.
update_counter = solara.reactive(0)
settings_version = solara.reactive(0)  # bumps when settings change (sidebar redraws on this, not every frame)
lang_state = solara.reactive(os.environ.get("GRASSROOTS_LANG", "zh") if os.environ.get("GRASSROOTS_LANG") in txt.LANGS else "zh")
playing = solara.reactive(False)
speed = solara.reactive(1)
lesson_index = solara.reactive(0)
lesson_open = solara.reactive(False)
error = solara.reactive("")
upload_error = solara.reactive("")  # the last upload's one-line refusal, shown under the upload field
joined = solara.reactive(False)  # this session entered the join code on the page (class mode without the gate)
JOIN_CODE = os.environ.get("GRASSROOTS_JOIN_CODE", "")  # class mode when set (python -m sim dashboard --host ...)
CLASS_URLS = os.environ.get("GRASSROOTS_CLASS_URLS", "")
viewport = solara.reactive({"width": 1280 - SIDEBAR_PX - 24, "height": 720, "top": 200, "dpr": 1.0})

try:  # no "This website runs on Solara" badge over the page (the command also sets SOLARA_THEME_SHOW_BANNER)
    import solara.server.settings as _server_settings

    _server_settings.theme.show_banner = False
except Exception:  # pragma: no cover - older Solara
    pass


def force_update() -> None:
    """Tell every component to redraw (Mesa's force_update)."""
    update_counter.value += 1


def initial_settings() -> Settings:
    """Settings from the environment that `python -m sim dashboard` sets (preset, days, reform day, size)."""
    env = os.environ
    found = presets()
    preset = env.get("GRASSROOTS_PRESET", "baseline")
    preset = preset if preset in found else next(iter(found), "baseline")
    days = int(env.get("GRASSROOTS_DAYS", CLASS_DAYS))
    s = Settings(preset=preset, days=days, policy_start_day=min(int(env.get("GRASSROOTS_REFORM_DAY", CLASS_POLICY_DAY)), days - 1),
                 n_townships=int(env["GRASSROOTS_TOWNSHIPS"]) if env.get("GRASSROOTS_TOWNSHIPS") else None)
    s.levers = preset_levers(load_scenario(found.get(preset)))
    return s


def chart_size(vp: dict[str, Any]) -> tuple[tuple[int, int], int]:
    """(width, height) in CSS px of each chart and the number of columns, from the chart area's width and the
    window: two columns when there is room, 16:9-ish, and the first chart no taller than the space left on the
    first screen."""
    width = max(360, int(vp.get("width") or 900))
    cols = 2 if width >= TWO_COLUMNS_PX else 1
    w = (width - CHART_GAP_PX * (cols - 1)) // cols - 2
    room_left = int(vp.get("height") or 720) - int(vp.get("top") or 200) - 16
    h = int(min(round(w * 0.56), max(330, room_left)))
    return (w, max(300, h)), cols


def fmt(key: str, v: float | None) -> str:
    """A headline number for the back of the room: shares as percent (one decimal below 10%), meetings as a count."""
    if v is None or not np.isfinite(v):
        return "–"
    if key == "kpi_meetings":
        return f"{v:.1f}"
    pct = 100 * v
    return f"{pct:.1f}%" if 0 < pct < 10 else f"{pct:.0f}%"


def share_label(v: float) -> str:
    return f"{100 * v:.0f}%"


@cache
def page_css() -> str:
    """Page CSS: projector type sizes, the pinned run controls, no Solara badge, and the Chinese glyphs the page
    uses embedded as a web font (a ~130 kB subset of the Noto Sans CJK SC that mplfonts ships), so Chinese shows
    on a machine with no CJK font and no network."""
    css = (
        ".v-application { font-size: 16px; }"
        f".v-navigation-drawer {{ width: {SIDEBAR_PX}px !important; min-width: {SIDEBAR_PX}px !important; }}"
        ".run-controls { position: sticky; top: 0; z-index: 5; box-shadow: 0 2px 6px rgba(0,0,0,.15) !important; }"
        ".chart { display: block; border: 1px solid #ddd; }"
        ".lever-head { font-size: 16px; font-weight: 600; line-height: 1.3; }"
        ".lever-help { font-size: 14px; color: #444; line-height: 1.35; }"
        ".lever-source, .preset-source { font-size: 13px; color: #666; line-height: 1.3; }"
        ".v-slider { margin-top: 0 !important; } .v-input--slider .v-messages { display: none; }"
        "#solara-banner, .solara-banner { display: none !important; }"
        ".v-navigation-drawer__content { overflow-x: hidden; }"
        ".v-navigation-drawer .v-btn { text-transform: none; letter-spacing: 0; max-width: 100%; white-space: normal; }"
        ".v-navigation-drawer .v-btn:not(.v-btn--round) { height: auto !important; min-height: 30px; padding: 4px 10px; }"
        ".v-navigation-drawer .v-btn__content { white-space: normal; flex-shrink: 1; text-align: left; }"
    )
    try:
        import mplfonts
        from fontTools import subset

        chars: set[str] = set(map(chr, range(32, 127)))

        def walk(o: Any) -> None:
            if isinstance(o, str):
                chars.update(o)
            elif isinstance(o, dict):
                for k, v in o.items():
                    walk(k)
                    walk(v)
            elif isinstance(o, list | tuple):
                for v in o:
                    walk(v)

        from sim.presentation import labels

        for mod in (txt, labels):
            walk([v for k, v in vars(mod).items() if not k.startswith("_")])
        chars.update("0123456789%–·：，。（）")
        opts = subset.Options()
        opts.flavor = "woff"
        font = subset.load_font(str(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"), opts)
        sub = subset.Subsetter(opts)
        sub.populate(text="".join(sorted(chars)))
        sub.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, opts)
        data = base64.b64encode(buf.getvalue()).decode()
        css += ("@font-face { font-family: 'Grassroots CJK'; src: url(data:font/woff;base64," + data + ") format('woff'); }"
                ".v-application, .v-application .headline, .v-application .title, .v-application [class*='text-'] "
                "{ font-family: Roboto, 'Grassroots CJK', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif !important; }")
    except Exception:  # no fontTools: fall back to the system's CJK fonts
        css += ".v-application { font-family: Roboto, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; }"
    return css


@solara.component_vue("viewport.vue")
def ViewportProbe(event_viewport=None):  # noqa: ANN001 - a Vue component; reports {width, height, top, dpr}
    pass


@solara.component_vue("upload.vue")
def ScenarioUpload(label: str = "", max_bytes: int = 0, event_upload=None):  # noqa: ANN001 - a Vue component; sends
    # {name, text}, or {name, size, too_big} without reading a file over max_bytes
    pass


# ---- actions ----------------------------------------------------------------------------------------------------
def _rebuild(room: Classroom, replay: bool = True, **changes: Any) -> None:
    """Apply new settings and rebuild on the same seed, replaying to today; a bad combination shows one line."""
    old = Settings(**{**room.settings.__dict__, "levers": dict(room.settings.levers)})
    for k, v in changes.items():
        setattr(room.settings, k, v)
    room.settings.policy_start_day = max(1, min(room.settings.policy_start_day, room.settings.days - 1))
    try:
        with room.runner.slot():
            try:
                limits.check_size(room.scenario(), 2 if room.settings.mode == "compare" else 1, room.allowed)
                room.runner.new_run()
                with room.runner.metered():
                    room.build(min(room.day, room.settings.days) if replay else 0)
                error.set("")
            except ValueError as err:  # ScenarioError is a ValueError
                room.settings = old
                room.build(min(room.day, old.days))
                error.set(f"{txt.t('error', lang_state.value)}: {_one_line(err)}")
    except LimitError as err:  # refused before anything was built: the models are the old ones
        room.settings = old
        error.set(_refusal(err))
    settings_version.value += 1
    force_update()


def _one_line(err: BaseException, limit: int = 300) -> str:
    """An error message on one line, at most `limit` characters."""
    line = " ".join(str(err).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _refusal(err: LimitError) -> str:
    """A limit's one-line message in the page's language."""
    return txt.t(err.key, lang_state.value, **err.fmt)


def _safe_name(name: object) -> str:
    """An uploaded file's name as the page may show it: its last part, no control or direction characters, short."""
    text = re.split(r"[\\/]", name)[-1] if isinstance(name, str) else ""
    text = "".join(c for c in text if c.isprintable() and c not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    return (text[:60] + "…" if len(text) > 60 else text) or "scenario.toml"


def _quote(value: object) -> str:
    """A visitor's value quoted in a message: printable, at most 60 characters."""
    text = "".join(c for c in str(value) if c.isprintable())
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def scenario_file(value: str) -> Path | None:
    """The file in scenarios/ that a relative `extends` / `duty_list_file` names, or None if it names anything
    else (absolute, outside scenarios/ after resolving links and `..`, not a regular file). The one place the page
    looks up a path a visitor gave."""
    if not value or "\x00" in value or Path(value).is_absolute():
        return None
    root = SCENARIO_DIR.resolve()
    try:
        path = (root / value).resolve()
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(root) and path.is_file() else None


def _confine(data: bytes, name: str) -> None:
    """Refuse an upload whose `extends` or `duty_list_file` names anything but a file in scenarios/, before the
    reader opens it (read_scenario_upload confines too; this keeps the page safe whatever version it has)."""
    try:
        fields = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return  # the reader says what is wrong with the file itself
    for key in ("extends", "duty_list_file"):
        value = fields.get(key)
        if value is not None and (not isinstance(value, str) or scenario_file(value) is None):
            raise LimitError("upload_outside", name=name, field=key, value=_quote(value))


def _load_preset(room: Classroom, name: str) -> None:
    _rebuild(room, preset=name, loaded=None, levers=preset_levers(load_scenario(presets().get(name))))


def _upload(room: Classroom, file: Any) -> None:
    """A scenario file from the class: run it (its levers, days and reform day), or say in one line what is wrong.
    The size is checked before anything is parsed (the browser sends only the size of a file over the limit);
    `extends` / `duty_list_file` may name only files in scenarios/; any failure at all gives one line on the page
    in its language, never a traceback, never another file's content."""
    lang = lang_state.value
    file = file if isinstance(file, dict) else {}
    name = _safe_name(file.get("name"))
    kb = limits.MAX_UPLOAD_BYTES // 1024
    try:
        text = file.get("text")
        if file.get("too_big") or not isinstance(text, str) or len(text) > limits.MAX_UPLOAD_BYTES:
            raise LimitError("upload_too_big", name=name, kb=kb)
        data = text.encode("utf-8")
        if len(data) > limits.MAX_UPLOAD_BYTES:
            raise LimitError("upload_too_big", name=name, kb=kb)
        _confine(data, name)
        sc = read_scenario_upload(data, name)
        limits.check_size(sc, 2 if room.settings.mode == "compare" else 1, room.allowed)
        new = settings_for(sc, room.settings)
    except LimitError as err:
        upload_error.set(_refusal(err))
    except ScenarioError as err:
        upload_error.set(f"{txt.t('error', lang)}: {_one_line(err)}")
    except Exception:  # noqa: BLE001 - whatever a file does to the reader, the page says one line, logs nothing
        upload_error.set(txt.t("upload_failed", lang, name=name))
    else:
        upload_error.set("")
        playing.set(False)
        _rebuild(room, replay=False, **{k: getattr(new, k) for k in ("preset", "loaded", "levers", "n_townships",
                                                                       "days", "policy_start_day")})


# ---- components -------------------------------------------------------------------------------------------------
@solara.component
def LanguageSwitch():
    lang = lang_state.value
    with solara.Row(gap="4px", classes=["lang-switch"]):
        for code, name in (("zh", "中文"), ("en", "English")):
            solara.Button(name, on_click=lambda code=code: lang_state.set(code), color="primary" if lang == code else None,
                          outlined=lang != code, classes=[f"lang-{code}"])


@solara.component
def RunControls(room: Classroom):
    """Play, pause, step, reset, the day and what is in force: pinned at the top of the sidebar."""
    lang = lang_state.value
    update_counter.get()
    settings_version.get()

    def play_loop():
        # One frame at a time: step, ask for a redraw, wait until the charts are drawn, then give the page a
        # moment to send them and to take clicks. Without the wait, redraw requests pile up faster than they
        # render and the page never gets a finished frame.
        # The session holds a run slot while it plays (limits.py); its run's CPU time is metered frame by frame.
        if not playing.value:
            return
        try:
            with room.runner.slot(wait_s=0):
                while playing.value and room.running:
                    t0 = time.perf_counter()
                    room.drawn.clear()
                    with room.runner.metered():
                        room.step(speed.value)
                    force_update()
                    room.drawn.wait(10)
                    took = time.perf_counter() - t0
                    if os.environ.get("GRASSROOTS_DEBUG"):
                        print(f"frame day {room.day} {took:.3f}s", flush=True)
                    time.sleep(max(PLAY_PAUSE_S, 0.25 * took))  # on a slow machine, a longer gap so a pause gets in
        except LimitError as err:
            playing.set(False)
            error.set(_refusal(err))
            return
        if not room.running:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def do_step(n: int) -> None:
        try:
            with room.runner.slot(), room.runner.metered():
                room.step(n)
        except LimitError as err:
            error.set(_refusal(err))
        force_update()

    def do_reset() -> None:
        playing.set(False)
        try:
            with room.runner.slot():
                room.runner.new_run()
                with room.runner.metered():
                    room.build(0)
            error.set("")
        except LimitError as err:
            error.set(_refusal(err))
        force_update()

    state = txt.t("finished", lang) if not room.running else room.state(lang)
    with solara.Card(margin=0, classes=["run-controls"], style={"padding": "10px 12px"}):
        with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(txt.t("pause" if playing.value else "play", lang), color="primary", classes=["btn-play"],
                          on_click=lambda: playing.set(not playing.value), disabled=not room.running,
                          style={"font-size": "17px"})
            solara.Button(txt.t("step", lang), on_click=lambda: do_step(1), disabled=playing.value or not room.running,
                          classes=["btn-step"], small=True)
            solara.Button(txt.t("step_week", lang), on_click=lambda: do_step(7), disabled=playing.value or not room.running,
                          classes=["btn-week"], small=True)
            solara.Button(txt.t("reset", lang), on_click=do_reset, classes=["btn-reset"], small=True)
        solara.Text(txt.t("day_of", lang, day=room.day, days=room.days), classes=["day-counter"],
                    style={"font-size": "24px", "font-weight": "bold", "display": "block", "margin-top": "6px"})
        solara.Text(state, classes=["run-state"], style={"font-size": "16px", "display": "block", "line-height": "1.3"})
        solara.SliderInt(f"{txt.t('speed', lang)}: {speed.value}", value=speed, min=1, max=30)


@solara.component
def ScenarioControls(room: Classroom):
    """Preset (explained, with its source), the view, and the preset it is compared with."""
    lang = lang_state.value
    settings_version.get()
    s = room.settings
    found = presets()
    names = {txt.preset_name(k, lang): k for k in found}
    current = txt.preset_name(s.preset, lang) if s.preset != LOADED else room.run_name("main", lang)
    values = list(names) if s.preset != LOADED else [current, *names]
    modes = {txt.t("mode_single", lang): "single", txt.t("mode_compare", lang): "compare"}

    def describe(stem: str, cls: str) -> None:
        desc = s.loaded.description if stem == LOADED and s.loaded else ""
        help_, source = txt.preset_help(stem, lang, desc)
        if help_:
            solara.Text(help_, classes=["lever-help", f"{cls}-help"], style={"display": "block"})
        if source:
            solara.Text(f"{txt.t('source', lang)}: {source}", classes=["preset-source"], style={"display": "block"})

    with solara.Card(margin=0, classes=["scenario-controls"], style={"padding": "8px 12px"}):
        solara.Select(txt.t("preset", lang), values=values, value=current,
                      on_value=lambda v: _load_preset(room, names[v]) if v in names else None, classes=["preset-select"])
        describe(s.preset, "preset")
        solara.Select(txt.t("mode", lang), values=list(modes), value=[k for k, v in modes.items() if v == s.mode][0],
                      on_value=lambda v: _rebuild(room, mode=modes[v]), classes=["mode-select"])
        if s.mode == "compare":
            solara.Select(txt.t("compare_with", lang), values=list(names), value=txt.preset_name(s.other, lang),
                          on_value=lambda v: _rebuild(room, other=names[v]), classes=["other-select"])
            describe(s.other, "other")
        if error.value:
            solara.Error(error.value, classes=["error-line"])


@solara.component
def LeverControl(room: Classroom, name: str):
    """One lever: its name and value (shares in percent) above a full-width control, what it does, its source."""
    lang = lang_state.value
    spec = lever_spec(name)
    value = room.settings.levers.get(name)

    def set_lever(v: Any) -> None:
        _rebuild(room, levers={**room.settings.levers, name: v})

    title = txt.lever_name(name, lang)
    with solara.Div(classes=[f"lever-{name}", "lever"], style={"margin": "4px 0 10px 0"}):
        if spec["kind"] == "bool":
            solara.Switch(label=f"{title}: {txt.t('on' if value else 'off', lang)}", value=bool(value),
                          on_value=lambda v: set_lever(bool(v)), classes=["lever-switch"], style={"margin-top": "0"})
        elif spec["kind"] == "int":
            unit = txt.unit(spec["unit"], lang)
            solara.Text(f"{title}: {int(value or 0)} ({unit})", classes=["lever-head"], style={"display": "block"})
            solara.SliderInt("", value=int(value or 0), min=spec["min"], max=spec["max"], on_value=lambda v: set_lever(int(v)))
        else:
            solara.Text(f"{title}: {share_label(float(value or 0.0))}", classes=["lever-head"], style={"display": "block"})
            solara.SliderInt("", value=int(round(100 * float(value or 0.0))), min=0, max=100, step=5,
                             on_value=lambda v: set_lever(round(int(v) / 100, 2)))
        solara.Text(txt.lever_help(name, lang), classes=["lever-help"], style={"display": "block"})
        solara.Text(f"{txt.t('source', lang)}: {txt.lever_source(name, lang)}", classes=["lever-source"],
                    style={"display": "block"})


@solara.component
def LeverControls(room: Classroom):
    """Five headline levers in view; every other lever in a folded group."""
    lang = lang_state.value
    settings_version.get()
    with solara.Card(margin=0, classes=["lever-controls"], style={"padding": "8px 12px"}):
        solara.Text(txt.t("levers", lang), style={"font-size": "17px", "font-weight": "bold", "display": "block"})
        solara.Text(txt.t("levers_note", lang), style={"font-size": "13px", "color": "#555", "display": "block"})
        for name in txt.HEADLINE_LEVERS:
            LeverControl(room, name)
        solara.Text(txt.t("more_levers", lang), style={"font-size": "16px", "font-weight": "bold", "display": "block"})
        for en, zh, group in txt.LEVER_GROUPS:
            rest = [n for n in group if n not in txt.HEADLINE_LEVERS]
            if rest:
                with solara.Details(zh if lang == "zh" else en, expand=False):
                    for name in rest:
                        LeverControl(room, name)
        solara.Text(txt.seeds_note(lang), classes=["lever-source"], style={"display": "block", "margin-top": "6px"})


@solara.component
def RunSettings(room: Classroom):
    """Days to run, reform day, seed: folded away (the defaults suit a lesson)."""
    lang = lang_state.value
    settings_version.get()
    s = room.settings
    with solara.Details(f"{txt.t('days', lang)} · {txt.t('policy_start_day', lang)} · {txt.t('seed', lang)}", expand=False):
        solara.SliderInt(f"{txt.t('days', lang)}: {s.days}", value=s.days, min=60, max=max(1095, s.days), step=5,
                         on_value=lambda v: _rebuild(room, days=v))
        solara.SliderInt(f"{txt.t('policy_start_day', lang)}: {s.policy_start_day}", value=s.policy_start_day, min=1,
                         max=s.days - 1, step=5, on_value=lambda v: _rebuild(room, policy_start_day=v))
        solara.InputInt(txt.t("seed", lang), value=s.seed, on_value=lambda v: _rebuild(room, seed=max(0, int(v or 0))))


@solara.component
def Files(room: Classroom):
    """Save the settings as a scenario TOML, load one, download this run as CSV, export the charts."""
    lang = lang_state.value
    update_counter.get()
    settings_version.get()
    stem = room.settings.loaded.name if room.settings.preset == LOADED and room.settings.loaded else room.settings.preset
    with solara.Card(margin=0, classes=["files"], style={"padding": "8px 12px"}):
        solara.Text(txt.t("files", lang), style={"font-size": "17px", "font-weight": "bold", "display": "block"})
        solara.FileDownload(lambda: room.scenario_toml().encode("utf-8"), filename=f"{stem}_seed{room.settings.seed}.toml",
                            label=txt.t("save_toml", lang), mime_type="application/toml")
        ScenarioUpload(label=txt.t("load_toml", lang), max_bytes=limits.MAX_UPLOAD_BYTES, event_upload=lambda f: _upload(room, f))
        if upload_error.value:
            solara.Error(upload_error.value, classes=["upload-error"])
        if JOIN_CODE:
            solara.Text(txt.t("limits", lang, **limits.stated()), classes=["limits-line"],
                        style={"font-size": "13px", "color": "#555", "display": "block"})
        solara.FileDownload(lambda: room.csv(), filename=f"{stem}_seed{room.settings.seed}_day{room.day}.csv",
                            label=txt.t("csv", lang), mime_type="text/csv")
        solara.Text(txt.t("export", lang), style={"font-size": "16px", "font-weight": "bold", "display": "block"})
        solara.FileDownload(lambda: charts.slide_png(room, lang), filename=f"grassroots_{stem}_day{room.day}.png",
                            label=txt.t("export_all", lang), mime_type="image/png")
        solara.FileDownload(lambda: charts.zip_bytes(room, lang), filename=f"grassroots_{stem}_day{room.day}.zip",
                            label=txt.t("export_zip", lang), mime_type="application/zip")


@solara.component
def Lesson(room: Classroom):
    """The guided lesson on one line (step, title, back / set up / next); the text to read out folds open."""
    lang = lang_state.value
    i = lesson_index.value
    n = len(txt.LESSON)
    step = txt.LESSON[i]

    def setup() -> None:
        playing.set(False)
        path = presets().get(step["preset"])
        levers = preset_levers(load_scenario(path)) if path else {**preset_levers(load_scenario(None)), **step["levers"]}
        other = step.get("other", "baseline")
        _rebuild(room, replay=False, preset=step["preset"] if path else "baseline", loaded=None, levers=levers,
                 mode=step["mode"], other=other if other in presets() else "baseline")

    def part(key: str) -> str:
        return html.escape(txt.lesson_text(i, key, lang))

    with solara.Card(margin=0, classes=["lesson"], style={"padding": "4px 12px"}):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(f"{txt.t('lesson', lang)} · {txt.t('lesson_step', lang, i=i + 1, n=n)}: {txt.lesson_text(i, 'title', lang)}",
                        classes=["lesson-title"], style={"font-size": "19px", "font-weight": "bold"})
            solara.Button(txt.t("lesson_prev", lang), on_click=lambda: lesson_index.set(max(0, i - 1)), disabled=i == 0,
                          small=True, classes=["lesson-prev"])
            solara.Button(txt.t("lesson_setup", lang), on_click=setup, color="primary", small=True, classes=["lesson-setup"])
            solara.Button(txt.t("lesson_next", lang), on_click=lambda: lesson_index.set(min(n - 1, i + 1)),
                          disabled=i == n - 1, small=True, classes=["lesson-next"])
            solara.Button(("▴ " if lesson_open.value else "▾ ") + txt.t("lesson_read", lang), text=True, small=True,
                          on_click=lambda: lesson_open.set(not lesson_open.value), classes=["lesson-toggle"])
        if lesson_open.value:
            solara.HTML(tag="div", classes=["lesson-text"], style={"font-size": "19px", "line-height": "1.5"}, unsafe_innerHTML=(
                f"<p>{part('text')}</p>"
                f"<p><b>{html.escape(txt.t('lesson_watch', lang))}:</b> {part('watch')}</p>"
                f"<p><b>{html.escape(txt.t('lesson_ask', lang))}:</b> {part('ask')}</p>"))


@solara.component
def Kpis(room: Classroom):
    """Five headline numbers over the last 28 days in one compact row (the compared run's value beside each)."""
    lang = lang_state.value
    update_counter.get()
    values = room.kpis()
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["kpis"]):
        for key in txt.KPI_KEYS:
            main, base = values[key]
            with solara.Card(margin=0, style={"min-width": "150px", "flex": "1", "padding": "4px 10px"}, classes=[key]):
                solara.Text(txt.t(key, lang), style={"font-size": "15px", "color": "#333", "display": "block", "line-height": "1.25"})
                with solara.Row(gap="8px", style={"align-items": "baseline"}):
                    solara.Text(fmt(key, main), classes=["kpi-value"],
                                style={"font-size": "30px", "font-weight": "bold", "line-height": "1.2"})
                    if key == "kpi_burnout" and main is not None and np.isfinite(main):
                        solara.Text(txt.t("cadres_n", lang, n=f"{round(main * room.cadres_in_post()):,}"),
                                    style={"font-size": "15px", "color": "#333"})
                    if base is not None:
                        solara.Text(f"{txt.t('kpi_other', lang)}: {fmt(key, base)}", classes=["kpi-other"],
                                    style={"font-size": "16px", "color": "#9a5b00", "font-weight": "bold"})
        note = txt.t("kpi_window", lang) if room.day else txt.t("kpi_not_yet", lang)
        if room.base is not None:
            note += f" · {txt.t('kpi_other', lang)}: {room.run_name('other', lang)}"
        solara.Text(note,
                    style={"font-size": "13px", "color": "#666", "align-self": "flex-end"})


def _on_viewport(v: dict[str, Any]) -> None:
    if os.environ.get("GRASSROOTS_DEBUG"):
        print(f"viewport {v}", flush=True)
    new = {**viewport.value, **{k: v[k] for k in ("width", "height", "top", "dpr") if isinstance(v, dict) and k in v}}
    if new != viewport.value:  # an equal report must not trigger a render (issue 22: too many renders while playing)
        viewport.set(new)


@solara.component
def Charts(room: Classroom):
    """The five charts at the size shown; one frame = a redraw of the data layer of each (see charts.frame_png)."""
    lang = lang_state.value
    frame = update_counter.get()
    vp = viewport.value
    (w, h), cols = chart_size(vp)
    dpr = float(vp.get("dpr") or 1.0)

    def draw() -> dict[str, bytes]:
        t0 = time.perf_counter()
        out = charts.frame(room, lang, (w, h), dpr)
        room.drawn.set()
        if os.environ.get("GRASSROOTS_DEBUG"):
            print(f"charts day {room.day} {w}x{h} {time.perf_counter() - t0:.3f}s", flush=True)
        return out

    pngs = solara.use_memo(draw, dependencies=[frame, lang, room.day, id(room.main), w, h, dpr])
    with solara.Div(classes=["charts-area"], style={"width": "100%"}):
        ViewportProbe(event_viewport=_on_viewport)
        with solara.Div(classes=["charts"], style={"display": "grid", "gap": f"{CHART_GAP_PX}px",
                                                  "grid-template-columns": f"repeat({cols}, {w + 2}px)"}):
            for name in charts.CHARTS:
                solara.Image(pngs[name], width=f"{w}px", classes=["chart", f"chart-{name}"])


def client_kind() -> str:
    """'local' (the projector's own browser), 'joined' (a visitor with the join code) or 'open' (no class mode), as
    the join gate (gate.py) marked this session's websocket; '' if nothing marked it (then a visitor, to be safe)."""
    headers = solara.lab.headers.value or {}
    got = headers.get(MARK.decode()) or [""]
    return got[-1] if got[-1] in ("local", "joined", "open") else ""


def admitted(kind: str) -> bool:
    """Whether this session may use the page: no class mode, the projector, or a visitor who gave the code."""
    return not JOIN_CODE or kind in ("local", "joined") or joined.value


@solara.component
def JoinForm():
    """Class mode without the gate in front (or a stale cookie): only a code field until the right code is typed;
    the code is checked here, on the server, for this session."""
    lang = lang_state.value
    typed, set_typed = solara.use_state("")
    wrong, set_wrong = solara.use_state(False)

    def submit(*_: Any) -> None:
        if same_code(typed, JOIN_CODE):
            joined.set(True)
        else:
            set_wrong(True)

    with solara.Column(classes=["join"], style={"max-width": "560px", "margin": "40px auto", "font-size": "20px"}):
        LanguageSwitch()
        solara.Text(txt.t("join_title", lang), style={"font-size": "28px", "font-weight": "bold", "display": "block"})
        solara.Text(txt.t("join_prompt", lang), style={"display": "block"})
        solara.InputText(txt.t("join_button", lang), value=typed, on_value=set_typed, continuous_update=True,
                         classes=["join-code"])
        solara.Button(txt.t("join_button", lang), on_click=submit, color="primary", classes=["join-submit"])
        if wrong:
            solara.Error(txt.t("join_wrong", lang), classes=["join-wrong"])


@solara.component
def ClassBanner(kind: str):
    """In the app bar (so the first chart stays on the first screen): on the projector where to join and the code,
    on a visitor's page that it runs on the teacher's machine. The limits are stated beside the upload field."""
    lang = lang_state.value
    urls = CLASS_URLS.replace(" ", " / ") or "?"
    line = txt.t("class_banner", lang, urls=urls, code=JOIN_CODE) if kind == "local" else txt.t("class_visitor", lang)
    solara.Text(line, classes=["class-banner"], style={"font-size": "20px" if kind == "local" else "15px",
                                                        "font-weight": "bold", "background": "#fff8e1", "color": "#000",
                                                        "padding": "2px 10px", "border-radius": "4px",
                                                        "margin": "0 12px", "white-space": "normal", "line-height": "1.2"})


@solara.component
def Page():
    """Class mode: a visitor without the code sees only the join form. Otherwise the app bar with the language
    switch; sidebar: run controls (pinned), scenario, levers, files; main: lesson, numbers, charts."""
    lang = lang_state.value
    solara.Title(f"{txt.t('title', lang)} · {txt.t('subtitle', lang)}")
    solara.Style(page_css())
    kind = client_kind()
    if not admitted(kind):
        JoinForm()
        return
    Dashboard(kind)


def _new_room(kind: str) -> Classroom:
    """This session's classroom, its share of the server, and the county size the teacher's options allow."""
    room = Classroom(initial_settings())
    room.runner = limits.Runner(trusted=kind in ("local", "open"))
    room.allowed = limits.county_size(room.scenario(), runs=2)
    return room


@solara.component
def Dashboard(kind: str):
    """The page once admitted."""
    room = solara.use_memo(lambda: _new_room(kind), dependencies=[])
    lang = lang_state.value
    with solara.AppBar():
        if JOIN_CODE:  # class mode: the join line takes the subtitle's place
            solara.AppBarTitle(txt.t("title", lang))
            ClassBanner(kind)
        else:
            solara.AppBarTitle(f"{txt.t('title', lang)} — {txt.t('subtitle', lang)}")
        LanguageSwitch()
    with solara.Sidebar():
        with solara.Column(gap="8px", style={"padding": "0"}):
            RunControls(room)
            ScenarioControls(room)
            LeverControls(room)
            RunSettings(room)
            Files(room)
    with solara.Column(gap="8px", style={"padding": "0"}):
        Lesson(room)
        Kpis(room)
        Charts(room)
