"""One self-contained HTML page of an output folder (run, compare or sweep): its figures (drawn from the tables in
the language asked for, embedded as PNG data), its headline tables, the manifest with the provenance record, and
the scenario and experiment files. No external reference: it opens offline, from a USB stick or an e-mail."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from sim.core.record import HEADLINE
from sim.figures.folder import figures_of, kind, manifest
from sim.figures.style import field_name, point_text, scenario_name, setup, tr
from sim.presentation.labels import label

EMBED_DPI = 150
TEXT = {
    "title": ("Results: {name}", "结果：{name}"),
    "kind": ({"run": "one run", "compare": "scenario comparison", "sweep": "sweep"},
             {"run": "单次运行", "compare": "情景比较", "sweep": "参数扫描"}),
    "made": ("How these results were made", "结果的来历"),
    "figures": ("Figures", "图"),
    "tables": ("Tables", "表"),
    "differences": ("Differences from the reference after the reform day", "改革实施后相对于参照情景的差值"),
    "estimates": ("Means after the reform day", "改革实施后的均值"),
    "files": ("Files in this folder", "本文件夹中的文件"),
    "manifest": ("Manifest (manifest.json)", "清单（manifest.json）"),
    "inputs": ("Scenario and experiment files", "情景与实验文件"),
    "resolved": ("Resolved scenario fields", "情景参数（展开后）"),
    "outcome": ("Outcome", "结果"), "mean": ("Mean", "均值"), "difference": ("Difference", "差值"),
    "ci": ("95% CI", "95%置信区间"), "n": ("n", "n"), "method": ("Interval", "区间方法"),
    "reference": ("Reference", "参照"), "full": ("All outcomes and both windows: {file} ({rows} rows).",
                                                  "全部结果与两个时段见 {file}（{rows} 行）。"),
    "row": ("Command", "命令"), "version": ("Version", "版本"), "commit": ("Git commit", "Git 提交"),
    "dirty": ("uncommitted changes", "有未提交的修改"), "clean": ("clean", "无未提交修改"),
    "started": ("Started", "开始"), "finished": ("Finished", "结束"), "machine": ("Machine", "机器"),
    "seeds": ("Seeds", "随机种子"), "python": ("Python / NumPy", "Python / NumPy"),
    "none": ("(none)", "（无）"),
}
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
figure{margin:1.5em 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .5em;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.8em;max-height:40em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
.sig{font-weight:700}
"""


def _t(key: str, lang: str, **fmt: Any) -> str:
    return tr(TEXT[key], lang, **fmt)


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def png_data(fig: plt.Figure, dpi: int = EMBED_DPI) -> str:
    """A figure as a data: URI of a PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _num(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return _esc(x)
    if v != v:
        return ""
    return f"{v:.3g}" if abs(v) >= 1000 or (v != 0 and abs(v) < 0.01) else f"{v:.3f}"


def _key_text(row: pd.Series, keys: list[str], lang: str, descriptions: dict[str, str]) -> str:
    if keys == ["scenario"]:
        return scenario_name(str(row["scenario"]), lang, descriptions.get(str(row["scenario"])))
    return point_text({k: row[k] for k in keys}, lang)


def _table(df: pd.DataFrame, keys: list[str], value: str, lang: str, descriptions: dict[str, str]) -> str:
    """Headline outcomes after the reform day: one row per outcome, one column group per key value."""
    part = df[(df["window"] == "after") & df["outcome"].isin(HEADLINE)]
    if part.empty:
        return f"<p>{_esc(_t('none', lang))}</p>"
    head_key = ", ".join(field_name(k, lang) for k in keys)
    rows = [f"<tr><th>{_esc(head_key)}</th><th>{_esc(_t('outcome', lang))}</th><th>{_esc(_t(value, lang))}</th>"
            f"<th>{_esc(_t('ci', lang))}</th><th>{_esc(_t('n', lang))}</th></tr>"]
    for _, r in part.iterrows():
        sig = value == "difference" and bool(r.get("significant", False))
        rows.append(f"<tr><td>{_esc(_key_text(r, keys, lang, descriptions))}</td><td>{_esc(label(r['outcome'], lang))}</td>"
                    f"<td{' class=sig' if sig else ''}>{_num(r[value])}</td>"
                    f"<td>[{_num(r['ci_low'])}, {_num(r['ci_high'])}]</td><td>{int(r['n'])}</td></tr>")
    method = ", ".join(dict.fromkeys(str(m) for m in part["ci_method"]))
    return (f"<p>{_esc(_t('method', lang))}: {_esc(method)}, {_esc(_t('ci', lang))}</p>"
            f"<table>{''.join(rows)}</table>")


def _made(m: dict[str, Any], lang: str) -> str:
    p = m.get("provenance") or {}
    mach = p.get("machine") or {}
    dirty = p.get("git_dirty")
    items = [
        ("row", p.get("command_line") or " ".join(map(str, m.get("command", [])))),
        ("version", p.get("version", m.get("version", ""))),
        ("commit", f"{p.get('git_commit') or ''} ({_t('dirty', lang) if dirty else _t('clean', lang)})"
         if p.get("git_commit") else _t("none", lang)),
        ("started", p.get("started", m.get("start_time", ""))), ("finished", p.get("finished", m.get("end_time", ""))),
        ("machine", f"{mach.get('host', '')}, {mach.get('platform', '')}, {mach.get('cpus', '')} CPUs"),
        ("python", f"{p.get('python', '')} / {p.get('numpy', '')}"),
        ("seeds", ", ".join(map(str, (p.get("seeds") or m.get("seeds") or [])[:20]))
         + (" ..." if len(p.get("seeds") or []) > 20 else "")),
    ]
    return "<dl>" + "".join(f"<dt>{_esc(_t(k, lang))}</dt><dd>{_esc(v)}</dd>" for k, v in items) + "</dl>"


def _inputs(folder: Path, m: dict[str, Any], lang: str) -> str:
    p = m.get("provenance") or {}
    out = []
    for f in p.get("inputs", []):
        text = f.get("text")
        body = _esc(text) if text is not None else _esc(f"sha256 {f.get('sha256')}")
        out.append(f"<h3>{_esc(f.get('path'))}</h3><pre>{body}</pre>")
    for name in ("scenario.json", "scenarios.json"):
        if (folder / name).is_file():
            out.append(f"<details><summary>{_esc(_t('resolved', lang))} ({name})</summary>"
                       f"<pre>{_esc((folder / name).read_text(encoding='utf-8'))}</pre></details>")
    return "".join(out) or f"<p>{_esc(_t('none', lang))}</p>"


def embedded_font(text: str) -> str:
    """An @font-face rule carrying the packaged Noto Sans CJK SC cut down to the characters of `text` (a few
    hundred glyphs, tens of kB), so Chinese shows on a machine with no CJK font and no network."""
    import mplfonts
    from fontTools import subset

    chars = {c for c in text if ord(c) > 0x2000}
    if not chars:
        return ""
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    options = subset.Options()
    options.flavor = None
    options.desubroutinize = True
    options.name_IDs = ["*"]
    font = subset.load_font(str(path), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return ("@font-face{font-family:'Report CJK';src:url(data:font/otf;base64," + data + ") format('opentype');}"
            "body,h1,h2,h3,dt,th{font-family:'Report CJK',system-ui,sans-serif}")


def build(folder: str | Path, lang: str = "en") -> str:
    """The HTML page of an output folder, in `lang` ('en' or 'zh')."""
    setup()
    folder = Path(folder)
    m = manifest(folder)
    k = kind(folder)
    descriptions = {s["name"]: s.get("description", "") for s in m.get("scenarios", []) if isinstance(s, dict)}
    keys = list(m.get("keys") or m.get("swept") or ["scenario"])
    title = _t("title", lang, name=folder.resolve().name)
    parts = [f"<!DOCTYPE html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
             "<meta name=\"generator\" content=\"grassroots-sim report\">",
             f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{_esc(title)}</h1><p>{_esc(TEXT['kind'][1 if lang == 'zh' else 0].get(k, k))}</p>",
             f"<h2>{_esc(_t('made', lang))}</h2>{_made(m, lang)}", f"<h2>{_esc(_t('figures', lang))}</h2>"]
    for name, fig in figures_of(folder, lang).items():
        parts.append(f"<figure><img src=\"{png_data(fig)}\" alt=\"{_esc(name)}\"><figcaption>{_esc(name)}.svg, "
                     f"{_esc(name)}.png</figcaption></figure>")
        plt.close(fig)
    parts.append(f"<h2>{_esc(_t('tables', lang))}</h2>")
    for name, value in (("differences", "difference"), ("estimates", "mean")):
        path = folder / f"{name}.parquet"
        if not path.is_file():
            continue
        df = pd.read_parquet(path)
        if df.empty:
            continue
        parts.append(f"<h3>{_esc(_t(name, lang))}</h3>")
        if name == "differences" and len(df):
            parts.append(f"<p>{_esc(_t('reference', lang))}: {_esc(_ref_text(df, keys, lang, descriptions))}</p>")
        parts.append(_table(df, keys, value, lang, descriptions))
        parts.append(f"<p>{_esc(_t('full', lang, file=f'{name}.csv', rows=len(df)))}</p>")
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    parts.append(f"<h3>{_esc(_t('files', lang))}</h3><p>{_esc(', '.join(files))}</p>")
    parts.append(f"<h2>{_esc(_t('inputs', lang))}</h2>{_inputs(folder, m, lang)}")
    parts.append(f"<h2>{_esc(_t('manifest', lang))}</h2><details><summary>manifest.json</summary>"
                 f"<pre>{_esc(json.dumps(m, indent=2, ensure_ascii=False))}</pre></details>")
    parts.append("</body></html>\n")
    page = "".join(parts)
    return page.replace("</style>", embedded_font(page) + "</style>", 1)


def _ref_text(df: pd.DataFrame, keys: list[str], lang: str, descriptions: dict[str, str]) -> str:
    ref = str(df["reference"].iloc[0])
    if keys == ["scenario"]:
        return scenario_name(ref, lang, descriptions.get(ref))
    values = dict(kv.split("=", 1) for kv in ref.split(", ") if "=" in kv)
    return point_text({k: _parse(values.get(k, "")) for k in keys}, lang) if values else ref


def _parse(v: str) -> Any:
    if v in ("True", "False"):
        return v == "True"
    try:
        return float(v)
    except ValueError:
        return v
