"""A newcomer's first minutes (issue 18): `--help` and a one-line input error without loading the model, the
compile notice on a cold kernel cache only, the cache folder under GRASSROOTS_CACHE_DIR (shared by cluster
workers, one subfolder per source version), and the small kernels that replaced costly-to-compile ones."""

import os
import subprocess
import sys

import numpy as np

from .conftest import ROOT

HEAVY = ("mesa", "pandas", "numba", "matplotlib")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_") and k != "GRASSROOTS_CACHE_DIR"}
    env.pop("GRASSROOTS_COMPILE_NOTICE_SHOWN", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **extra}


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(**env), capture_output=True, text=True)


def test_help_imports_no_heavy_module():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "sim", "--help"], cwd=ROOT, env=_env(),
                         capture_output=True, text=True)
    assert out.returncode == 0 and "usage: grassroots" in out.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "sim" in imported and "argparse" in imported  # the import log was read
    assert imported.isdisjoint(HEAVY), imported & set(HEAVY)


def test_bad_scenario_field_is_one_line_without_loading_the_model(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nno_such_field = 3\n')
    code = ("import sys\nfrom sim.cli import main\n"
            f"rc = main(['run', {str(bad)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
            f"print(rc, sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))\n")
    out = _python(code)
    assert out.stdout.split() == ["2", "[]"], out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and "no_such_field" in out.stderr and str(bad) in out.stderr
    assert not (tmp_path / "out").exists()


def test_missing_scenario_file_is_one_line_named_by_the_prog():
    out = subprocess.run([sys.executable, "-m", "sim", "run", "no_such.toml", "--out", "/nonexistent/x"], cwd=ROOT,
                         env=_env(), capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "no_such.toml" in out.stderr
    out = subprocess.run([sys.executable, "-m", "sim", "run"], cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.startswith("error: grassroots run:")


def test_cache_folder_under_grassroots_cache_dir_named_by_the_sources(tmp_path):
    code = ("import os\nfrom sim.core import jit\n"
            "print(jit.CACHE_DIR)\nprint(os.environ['NUMBA_CACHE_DIR'])\n"
            "import numba\nprint(numba.config.CACHE_DIR)\n")
    out = _python(code, GRASSROOTS_CACHE_DIR=str(tmp_path), NUMBA_DISABLE_JIT="1")
    lines = out.stdout.split()
    assert len(lines) == 3 and len(set(lines)) == 1, out.stdout + out.stderr
    folder = lines[0]
    assert os.path.dirname(folder) == str(tmp_path) and os.path.basename(folder).startswith("numba-")
    # a worker process inherits the resolved folder (NUMBA_CACHE_DIR) and uses it as is, not a folder below it
    again = _python("from sim.core import jit\nprint(jit.CACHE_DIR)", NUMBA_CACHE_DIR=folder, NUMBA_DISABLE_JIT="1")
    assert again.stdout.strip() == folder
    # NUMBA_CACHE_DIR set by hand is a root like GRASSROOTS_CACHE_DIR: the version's subfolder goes below it
    user = _python("from sim.core import jit\nprint(jit.CACHE_DIR)", NUMBA_CACHE_DIR=str(tmp_path / "u"),
                   NUMBA_DISABLE_JIT="1")
    assert user.stdout.strip() == str(tmp_path / "u" / os.path.basename(folder))


def test_compile_notice_once_on_a_cold_cache_only(tmp_path):
    """Importing the kernels compiles `pairwise_sum` (its fixed versions): the notice shows the first time,
    never once the cache holds machine code, and never in a worker process of a process that showed it."""
    code = "import sim.core.jit as j\nprint(j.COLD_AT_IMPORT)"
    first = _python(code, GRASSROOTS_CACHE_DIR=str(tmp_path))
    assert first.stdout.strip() == "True" and first.stderr.count("grassroots: compiling") == 1, first.stderr
    second = _python(code, GRASSROOTS_CACHE_DIR=str(tmp_path))
    assert second.stdout.strip() == "False" and "compiling" not in second.stderr
    child = _python(code, GRASSROOTS_CACHE_DIR=str(tmp_path / "other"), GRASSROOTS_COMPILE_NOTICE_SHOWN="1")
    assert child.stdout.strip() == "True" and "compiling" not in child.stderr


def test_heapsort_kernel_gives_np_sort():
    from sim.core.record import _sort_in_place

    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 3, 7, 8, 31, 100, 1000):
        a = np.round(rng.uniform(0, 20, n + 4))  # whole numbers with ties, like the secretaries' forms a day
        a[:2] = a[2:4]
        for m in (n, n // 2):
            b = a.copy()
            got = _sort_in_place(b, m)
            assert got.tobytes() == np.sort(a[:m]).tobytes(), (n, m)
            assert b[m:].tobytes() == a[m:].tobytes()  # past m untouched


def test_warm_up_command_fills_the_cache_for_a_run(tmp_path):
    """`grassroots warm-up` leaves a cache from which a run compiles nothing more (numba's compile events)."""
    env = {"GRASSROOTS_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "sim", "warm-up"], cwd=ROOT, env=_env(**env), capture_output=True,
                         text=True)
    assert out.returncode == 0 and "kernels compiled" in out.stdout, out.stdout + out.stderr
    code = ("from numba.core import event\nseen = []\n"
            "class L(event.Listener):\n"
            "    def on_start(self, ev): seen.append(ev.data['dispatcher'].py_func.__name__)\n"
            "    def on_end(self, ev): pass\n"
            "event.register('numba:compile', L())\n"
            "import sim\nsim.run_scenario({'n_townships': 2, 'days': 40, 'policy_start_day': 20, 'warmup_days': 5},"
            " seed=1)\nprint(seen)")
    run = _python(code, **env)
    assert run.stdout.strip() == "[]", run.stdout + run.stderr


def test_read_only_install_caches_in_the_users_cache_folder(tmp_path):
    """Where the sources cannot be written (a read-only site-packages), the kernels go to the user's cache
    folder, still one subfolder per source version (root bypasses file modes, so `os.access` says no here)."""
    code = ("import os\nfrom sim.core import jit\nos.environ.pop('NUMBA_CACHE_DIR')\n"
            "os.access = lambda *a, **k: False\nprint(jit._cache_dir())\nprint(jit._source_hash())")
    out = _python(code, NUMBA_DISABLE_JIT="1", XDG_CACHE_HOME=str(tmp_path))
    folder, name = out.stdout.split()
    assert folder == str(tmp_path / "grassroots-sim" / name), out.stdout + out.stderr
