"""Research outputs (issue 13): every figure the commands write meets the house style (labelled axes with units,
text of at least 9 pt at the saved size, no raw field names in Chinese), run/compare/sweep share one table schema
and one provenance record, and `sim report` makes a self-contained page that chromium opens with every image."""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main as cli_main
from sim.figures import style
from sim.io import tables

from .conftest import ROOT

TINY = {"n_townships": 2, "villages_per_township": 8, "days": 70, "policy_start_day": 35, "warmup_days": 10}


def _toml(path: Path, name: str, description: str = "", **fields) -> Path:
    lines = [f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"', f'name = "{name}"',
             f'description = "{description}"']
    for k, v in {**TINY, **fields}.items():
        lines.append(f"{k} = {str(v).lower() if isinstance(v, bool) else v}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every figure the commands save, as (file stem, Figure), checked before it is closed."""
    seen: list[tuple[str, object]] = []
    original = style.save

    def save(fig, stem, formats=style.FORMATS):
        seen.append((Path(stem).name, fig, style.check(fig), style.raw_names(fig, ("base_case", "doc_cut")),
                     [t.get_text() for t in fig.findobj(style.matplotlib.text.Text) if t.get_visible()]))
        return original(fig, stem, formats)

    monkeypatch.setattr(style, "save", save)
    monkeypatch.setattr(style, "DPI", 72)  # the saved size in inches (and so in points) does not depend on dpi
    return seen


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run (no reform), a compare and a sweep folder, made by the commands."""
    tmp = tmp_path_factory.mktemp("outputs")
    base = _toml(tmp / "base.toml", "base_case", "Base case")
    cut = _toml(tmp / "cut.toml", "doc_cut", "Documents cut by half", document_cut=0.5, displacement=0.5)
    exp = tmp / "exp.toml"
    exp.write_text(textwrap.dedent(f"""
        name = "grid"
        base = "{base.as_posix()}"
        replicates = 3
        seed = 4
        [grid]
        meeting_cut = [0.0, 0.6]
        duty_list = [false, true]
    """), encoding="utf-8")
    out = {k: tmp / k for k in ("run", "compare", "sweep")}
    assert cli_main(["run", str(base), "--out", str(out["run"]), "--seed", "2", "--no-figures"]) == 0
    assert cli_main(["compare", str(base), str(cut), "--replicates", "3", "--workers", "1",
                     "--out", str(out["compare"]), "--no-figure"]) == 0
    assert cli_main(["sweep", str(exp), "--out", str(out["sweep"]), "--workers", "1", "--quiet"]) == 0
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_has_labelled_axes_with_units_and_9pt_text(folders, recorded, tmp_path, lang):
    base, cut = folders["run"].parent / "base.toml", folders["run"].parent / "cut.toml"
    assert cli_main(["run", str(cut), "--out", str(tmp_path / "r"), "--lang", lang]) == 0
    assert cli_main(["compare", str(base), str(cut), "--replicates", "2", "--workers", "1", "--lang", lang,
                     "--out", str(tmp_path / "c")]) == 0
    assert len(recorded) == 4  # what run and compare write themselves
    for kind in ("run", "compare", "sweep"):
        assert cli_main(["plot", str(folders[kind]), "--lang", lang, "--out", str(tmp_path / kind)]) == 0
    names = {n for n, *_ in recorded}
    assert {"time_use", "burnout", "service", "compare", "curves_meeting_cut", "curves_duty_list", "timeseries",
            "differences"} <= names
    for name, _fig, problems, raw, _texts in recorded:
        assert problems == [], (lang, name, problems)
        if lang == "zh":
            assert raw == [], (name, raw)  # labels and legends from the bilingual tables
    texts = {name: texts for name, _f, _p, _r, texts in recorded}  # the last drawn of each name: plot's
    mark = "Reform day" if lang == "en" else "改革实施日"
    assert not any(mark in t for n in ("time_use", "burnout", "service") for t in texts[n])  # baseline: no reform
    assert any(mark in t for t in texts["timeseries"])  # the grid sets levers
    for kind in ("run", "compare", "sweep"):
        for stem in {n for n, *_ in recorded if (tmp_path / kind / f"{n}.svg").exists()}:
            assert (tmp_path / kind / f"{stem}.png").stat().st_size > 5_000
            assert "</svg>" in (tmp_path / kind / f"{stem}.svg").read_text(encoding="utf-8")


def test_the_style_check_catches_a_bad_figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("Day")  # no unit
    ax.tick_params(labelsize=6)
    problems = style.check(fig)
    assert any("no unit" in p for p in problems) and any("no label" in p for p in problems)
    assert any("< 9" in p for p in problems)
    plt.close(fig)


def test_compare_and_sweep_tables_share_their_schema(folders):
    c, s = folders["compare"], folders["sweep"]
    for name, cols, keys_c, keys_s in (("estimates", tables.ESTIMATE_COLUMNS, ["scenario"], ["meeting_cut", "duty_list"]),
                                       ("differences", tables.DIFFERENCE_COLUMNS, ["scenario"],
                                        ["meeting_cut", "duty_list"])):
        a, b = pd.read_parquet(c / f"{name}.parquet"), pd.read_parquet(s / f"{name}.parquet")
        assert list(a.columns) == [*keys_c, *cols] and list(b.columns) == [*keys_s, *cols]
        assert (a.dtypes[list(cols)] == b.dtypes[list(cols)]).all(), name
        assert a["n"].dtype == "int64" and (a["n"] == 3).all() and (b["n"] == 3).all()
        assert set(a["ci_method"]) == set(b["ci_method"]) and set(a["ci_level"]) == {0.95}
        assert list(pd.read_csv(c / f"{name}.csv").columns) == list(a.columns)
    d = pd.read_parquet(s / "differences.parquet")
    assert "point" not in d.columns and set(d["meeting_cut"]) == {0.0, 0.6}  # keyed by the swept values
    assert set(d["ci_method"]) == {tables.CI_METHOD}
    e = pd.read_parquet(s / "estimates.parquet")
    assert set(e["ci_method"]) == {tables.CI_METHOD_MEAN}
    for folder in (c, s, folders["run"]):
        runs = pd.read_parquet(folder / "runs.parquet")
        assert set(tables.RUN_COLUMNS) <= set(runs.columns) and runs["seed"].dtype == "int64"
        summary = pd.read_parquet(folder / "summary.parquet")
        assert summary["policy_start_day"].dtype == "int64" and summary["days"].dtype == "int64"
    assert json.loads((folders["run"] / "summary.json").read_text())["days"] == 70


def test_a_paired_difference_is_the_mean_of_seed_by_seed_differences(folders):
    s = folders["sweep"]
    per = tables.per_run(pd.read_parquet(s / "runs.parquet"), pd.read_parquet(s / "summary.parquet"))
    d = pd.read_parquet(s / "differences.parquet")
    row = d[(d["meeting_cut"] == 0.6) & d["duty_list"] & (d["outcome"] == "burnout_share")
            & (d["window"] == "after")].iloc[0]
    a = per[(per["meeting_cut"] == 0.0) & ~per["duty_list"]].set_index("seed")["burnout_share_after"]
    b = per[(per["meeting_cut"] == 0.6) & per["duty_list"]].set_index("seed")["burnout_share_after"]
    manual = (b - a.loc[b.index]).to_numpy()
    m, lo, hi, _ = tables.t_interval(manual)
    assert (row["difference"], row["ci_low"], row["ci_high"]) == pytest.approx((m, lo, hi))


def test_every_command_writes_the_same_provenance_record(folders):
    records = {k: json.loads((f / "manifest.json").read_text())["provenance"] for k, f in folders.items()}
    keys = {k: set(r) for k, r in records.items()}
    assert keys["run"] == keys["compare"] == keys["sweep"]
    for kind, r in records.items():
        assert r["command"] == kind and r["version"] and r["started"] <= r["finished"]
        assert isinstance(r["git_dirty"], bool) and re.fullmatch(r"[0-9a-f]{40}", r["git_commit"])
        assert r["python"] and r["numpy"] and r["machine"]["cpus"] and r["argv"][:3] == ["python", "-m", "sim"]
        assert r["inputs"] and all(i["sha256"] and i["text"] for i in r["inputs"])
    assert records["compare"]["seeds"] == [0, 1, 2] and len(records["sweep"]["seeds"]) == 3


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "data", "action")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_is_self_contained_and_opens_with_every_image(folders, lang):
    from playwright.sync_api import sync_playwright

    pages = {}
    for kind in ("run", "compare", "sweep"):
        assert cli_main(["report", str(folders[kind]), "--lang", lang]) == 0
        path = folders[kind] / ("report.zh.html" if lang == "zh" else "report.html")
        page = path.read_text(encoding="utf-8")
        p = _Refs()
        p.feed(page)
        assert p.refs and all(r.startswith(("data:", "#")) for r in p.refs), [r[:40] for r in p.refs]
        assert "link" not in p.tags and not re.search(r"url\((?!data:)", page) and "@import" not in page
        pages[kind] = path
    text = pages["compare"].read_text(encoding="utf-8")
    assert "<td>Documents cut by half</td>" in text and "<td>doc_cut</td>" not in text  # display name in tables
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        try:
            for kind, path in pages.items():
                page = browser.new_page()
                requests: list[str] = []
                page.on("request", lambda r, log=requests: log.append(r.url))
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
                assert images and all(ok and w > 100 for ok, w in images), (kind, images)
                assert all(u.startswith(("data:", "file:")) for u in requests), requests
                assert [u for u in requests if u.startswith("file:")] == [path.as_uri()]
                page.close()
        finally:
            browser.close()


def test_fields_prints_range_and_source(capsys):
    assert cli_main(["fields"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("meeting_cut"))
    assert "0.0 .. 1.0" in line and "S1" in line
    assert "range" in out.splitlines()[0] and "source" in out.splitlines()[0]
