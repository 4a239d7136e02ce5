#!/usr/bin/env bash
# The package as a researcher installs it: build the sdist, build the wheel from that sdist (so both carry the
# scenarios, duty lists, experiments and dashboard files), install it into fresh venvs OUTSIDE the repository and
# run the `grassroots` console script from another folder:
#   with [dashboard]: `grassroots run baseline`, `grassroots sensitivity small_morris`, `grassroots dashboard`
#                     (the page answers 200), shipped names resolved from an empty folder;
#   plain install:    `grassroots run baseline`, and `grassroots dashboard` / `--dask` say which extra to install.
# Installs ~100 packages and compiles the kernels twice (two fresh venvs): a step of .ci/run, not of the suite.
#   tests/install_check.sh [WORKDIR]      (default: a new temporary folder, removed at the end)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d)}"
keep="${1:+yes}"
mkdir -p "$work"
server=""
cleanup() {
  if [ -n "$server" ]; then kill -- "-$server" 2>/dev/null || kill "$server" 2>/dev/null || true; fi
  if [ -z "$keep" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "install_check: FAIL: $*" >&2; exit 1; }
step() { echo "install_check: [$(date +%T)] $*" >&2; }

find_python() {
  for cand in python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  for v in 3.12 3.13; do
    p="$(pyenv root 2>/dev/null)/versions"
    for d in "$p"/$v*; do [ -x "$d/bin/python3" ] && { echo "$d/bin/python3"; return 0; }; done
  done
  return 1
}
py="$(find_python)" || fail "no Python >= 3.12"
py="$("$py" -c 'import sys; print(sys.executable)')"  # a pyenv shim answers only in folders that select it
export PIP_DISABLE_PIP_VERSION_CHECK=1 MPLBACKEND=Agg
unset PYTHONPATH  # the installed package, never the clone's sim/

step "sdist, then the wheel built from the sdist ($("$py" --version))"
"$py" -m venv "$work/buildenv"
"$work/buildenv/bin/python" -m pip install -q build
(cd "$repo" && "$work/buildenv/bin/python" -m build --sdist --outdir "$work/dist" . >"$work/build.log" 2>&1) \
  || { tail -20 "$work/build.log"; fail "python -m build --sdist"; }
sdist="$(ls "$work"/dist/grassroots_sim-*.tar.gz)"
"$work/buildenv/bin/python" -m pip wheel -q --no-deps "$sdist" -w "$work/dist" >>"$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log"; fail "wheel from the sdist"; }
wheel="$(ls "$work"/dist/grassroots_sim-*.whl)"
for f in sim/shipped/scenarios/baseline.toml sim/shipped/scenarios/targets.toml \
         sim/shipped/scenarios/duty_lists/national_2024.toml sim/shipped/experiments/small_morris.toml \
         sim/dashboard/viewport.vue sim/dashboard/upload.vue; do
  "$work/buildenv/bin/python" -c "import sys, zipfile; sys.exit(0 if sys.argv[2] in zipfile.ZipFile(sys.argv[1]).namelist() else 1)" \
    "$wheel" "$f" || fail "$f missing from $(basename "$wheel")"
done
pins="$("$work/buildenv/bin/python" - "$wheel" <<'PY'
import email, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
meta = email.message_from_string(z.read(next(n for n in z.namelist() if n.endswith("METADATA"))).decode())
print(" ".join(r for r in meta.get_all("Requires-Dist") or [] if "==" in r.split(";")[0]))  # markers say extra ==
PY
)"
[ -z "$pins" ] || fail "exact pins (==) in the wheel's Requires-Dist: $pins"

install() {  # install VENV SPEC
  local t0=$SECONDS
  "$py" -m venv "$1"
  "$1/bin/python" -m pip install -q "$2" >"$1.log" 2>&1 || { tail -20 "$1.log"; fail "pip install $2"; }
  step "pip install $2: $((SECONDS - t0)) s, $("$1/bin/python" -m pip list 2>/dev/null | tail -n +3 | wc -l) packages"
}

timed() {  # timed LABEL CMD...: run, fail on a non-zero exit, print wall and user+sys CPU seconds
  local label="$1"; shift
  local t0=$SECONDS
  /usr/bin/env time -f "%U %S" -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" \
    || { cat "$work/out.txt" "$work/err.txt" | tail -20; fail "$label: exit $?"; }
  step "$label: $((SECONDS - t0)) s wall, $(awk '{printf "%.1f", $1 + $2}' "$work/time.txt") s CPU"
}

# --- full: [dashboard] -------------------------------------------------------------------------------------
full="$work/venv-full"
install "$full" "$wheel[dashboard]"
here="$work/elsewhere"; mkdir -p "$here"; cd "$here"
gr="$full/bin/grassroots"
timed "grassroots --help" "$gr" --help
timed "grassroots run baseline (cold kernels)" "$gr" run baseline --out "$here/base"
[ -s "$here/base/summary.json" ] || fail "run baseline wrote no summary.json"
grep -q "sim/shipped/scenarios/baseline.toml" "$here/base/manifest.json" || fail "manifest does not name the shipped baseline"
timed "grassroots run baseline.toml --days 60 (warm)" "$gr" run baseline.toml --days 60 --out "$here/base60"
printf 'extends = "baseline.toml"\nmeeting_cut = 0.3\n' >"$here/mine.toml"
timed "grassroots run mine.toml (extends the shipped baseline)" "$gr" run mine.toml --days 60 --out "$here/mine"
timed "grassroots sensitivity small_morris" "$gr" sensitivity small_morris --out "$here/morris" --workers 2 --quiet
ls "$here/morris" | grep -q . || fail "sensitivity wrote nothing"
timed "grassroots fields" "$gr" fields

port="$("$full/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
setsid "$gr" dashboard --port "$port" >"$work/dash.log" 2>&1 &
server=$!
t0=$SECONDS; code=000
while [ $((SECONDS - t0)) -lt 180 ]; do
  code="$(curl -s -o "$work/page.html" -w '%{http_code}' "http://127.0.0.1:$port/" || true)"
  [ "$code" = 200 ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/dash.log"; fail "the dashboard exited"; }
  sleep 1
done
[ "$code" = 200 ] || { tail -20 "$work/dash.log"; fail "the dashboard did not answer 200 (got $code)"; }
step "grassroots dashboard answered 200 after $((SECONDS - t0)) s"
kill -- "-$server" 2>/dev/null || kill "$server"
wait "$server" 2>/dev/null || true
server=""
if grep -q "Traceback" "$work/dash.log"; then cat "$work/dash.log"; fail "the dashboard logged a traceback"; fi
# the page's Vue templates are read beside sim/dashboard/app.py when a browser renders it: they must be there
"$full/bin/python" -c "
import inspect, pathlib, sim.dashboard.app as app
for name in ('viewport.vue', 'upload.vue'):
    assert (pathlib.Path(inspect.getfile(app)).parent / name).is_file(), name
" || fail "the dashboard's .vue files are not installed beside sim/dashboard/app.py"

# --- plain: no extras --------------------------------------------------------------------------------------
plain="$work/venv-plain"
install "$plain" "$wheel"
gr="$plain/bin/grassroots"
mkdir -p "$work/plain"; cd "$work/plain"
timed "plain: grassroots run baseline (cold kernels)" "$gr" run baseline --out "$work/plain/base"
[ -s "$work/plain/base/summary.json" ] || fail "plain: run baseline wrote no summary.json"
set +e
"$gr" dashboard >"$work/out.txt" 2>"$work/err.txt"; rc=$?
set -e
[ "$rc" = 2 ] || fail "plain: dashboard exited $rc, expected 2"
[ "$(wc -l <"$work/err.txt")" = 1 ] && grep -q "pip install 'grassroots-sim\[dashboard\]'" "$work/err.txt" \
  || { cat "$work/err.txt"; fail "plain: dashboard did not say, in one line, which extra to install"; }
set +e
"$gr" sweep small_morris --out "$work/plain/sw" --dask local >"$work/out.txt" 2>"$work/err.txt"; rc=$?
set -e
[ "$rc" = 2 ] && [ "$(wc -l <"$work/err.txt")" = 1 ] && grep -q "pip install 'grassroots-sim\[dask\]'" "$work/err.txt" \
  || { cat "$work/err.txt"; fail "plain: sweep --dask did not say, in one line, which extra to install (exit $rc)"; }
step "plain: dashboard and --dask name their extra: $(cat "$work/err.txt")"
step "OK"
