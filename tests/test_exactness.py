"""Exactness by construction (issue 8): the same seed gives the same run bit for bit under any OpenBLAS kernel
and thread count, extra-staff slots leave every day before the reform bit-identical, the core makes no BLAS
products, and the service queue's waiting-time accounting is exact (Little's law holds day by day)."""

import hashlib
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import sim

from .conftest import ROOT, SMALL

SHORT = {**SMALL, "days": 150, "policy_start_day": 90}
KERNELS = [(kernel, threads) for kernel in ("Haswell", "Sandybridge", "Nehalem") for threads in ("1", "2")]
CHILD = (
    "import hashlib, json, numpy as np, sim\n"
    "from threadpoolctl import threadpool_info\n"
    f"r = sim.run_scenario({SHORT!r}, seed=11, duty_list=True, extra_staff=1)\n"
    "blas = [(i['architecture'], i['num_threads']) for i in threadpool_info() if i['user_api'] == 'blas']\n"
    "print(json.dumps([hashlib.sha256(np.ascontiguousarray(r.timeseries.to_numpy()).tobytes()).hexdigest(), blas]))\n"
)


def _child(kernel: str, threads: str) -> tuple[str, list]:
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    env.update(OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS=threads)
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    digest, blas = json.loads(out.stdout)
    return digest, blas


def test_same_run_bit_for_bit_under_every_blas_kernel_and_thread_count():
    runs = {(k, n): _child(k, n) for k, n in KERNELS}
    for (kernel, threads), (_, blas) in runs.items():  # the forced kernel and thread count really were in use
        assert blas and all(arch == kernel and str(n) == threads for arch, n in blas), (kernel, threads, blas)
    digests = {digest for digest, _ in runs.values()}
    here = sim.run_scenario(SHORT, seed=11, duty_list=True, extra_staff=1).timeseries.to_numpy()
    digests.add(hashlib.sha256(np.ascontiguousarray(here).tobytes()).hexdigest())
    assert len(digests) == 1, runs


@pytest.mark.parametrize("fields", [{"extra_staff": 1}, {"extra_staff": 3}, {"village_cadres": 7, "extra_staff": 2},
                                    {"extra_staff": 2, "secondment_share": 0.3}])
def test_extra_staff_leave_every_day_before_the_reform_bit_identical(fields):
    base = {k: v for k, v in fields.items() if k != "extra_staff"}
    a = sim.run_scenario({**SHORT, **base}, seed=4).timeseries
    b = sim.run_scenario({**SHORT, **fields}, seed=4).timeseries
    start = SHORT["policy_start_day"]
    before_a, before_b = a.iloc[:start].to_numpy(), b.iloc[:start].to_numpy()
    assert before_a.tobytes() == before_b.tobytes()  # bit for bit, every column, every day
    assert not np.array_equal(a.iloc[start:].to_numpy(), b.iloc[start:].to_numpy())  # and the lever does act


def test_the_core_makes_no_blas_products():
    """Products with vectors of ones (or any matrix product) go through BLAS, whose order of summation depends
    on the CPU kernel and thread count; the core sums along numpy axes instead."""
    core = ROOT / "sim" / "core"
    pattern = re.compile(r"(?<![\w\"'])@(?!\w)|\bnp\.(?:dot|matmul|inner|einsum|tensordot|vdot)\b|\.dot\(")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in core.rglob("*.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line.split("#", 1)[0]) and not line.lstrip().startswith(("@", '"', "'"))]
    assert offenders == []


def test_littles_law_waiting_time_accounting_is_exact():
    """Each request counts once in the end-of-day backlog for every day it waited: over a run, the summed
    backlog equals the summed response days of the resolved plus (age + 1) for each request still waiting."""
    # from an empty queue (no warm start): requests carried over from the spin-up waited days before day 0
    m = sim.GrassrootsModel(rng=2, setup={**SHORT, "village_cadres": 3, "requests_per_household_year": 6.0,
                                             "warmup_days": 0})
    m.run()
    ts = m.timeseries
    q = m.county.queue
    still = float((q.sum(1) * (np.arange(len(q)) + 1)).sum())
    lhs = ts["service_backlog"].sum()
    rhs = ts["service_response_days_sum"].sum() + ts["service_given_up_days_sum"].sum() + still
    assert ts["service_backlog"].iloc[-1] > 100  # a county that keeps people waiting, so the test has teeth
    assert lhs == pytest.approx(rhs, rel=1e-9)
    # problems found on patrol join the next day's queue: the last day's are not in it yet
    arrived = ts["service_requests_arrived"].sum() + ts["service_problems_found"].iloc[:-1].sum()
    left = ts["service_resolved"].sum() + ts["service_given_up"].sum()
    assert arrived == pytest.approx(left + q.sum(), rel=1e-9)  # conservation


def test_compiled_sums_add_in_numpys_and_pythons_order():
    """The kernels' county sums give the bits of the numpy and Python sums they replaced: numpy's pairwise
    order for a contiguous run (float64 and float32), Python's compensated `sum` of a list of floats."""
    from sim.core.jit import pairwise_sum, python_sum

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        for n in (0, 1, 7, 8, 9, 16, 127, 128, 129, 255, 256, 257, 300, 1584, 8_191, 8_192, 10_000, 40_000):
            a = (rng.standard_normal(n + 3) * 10 ** rng.uniform(-4, 4, n + 3)).astype(dtype)
            assert np.asarray(pairwise_sum(a, 3, n + 3), dtype).tobytes() == a[3:].sum().tobytes(), (dtype, n)
            zeros = np.full(n, -0.0, dtype)  # numpy adds the sum to +0.0: negative zeros sum to +0.0
            assert np.asarray(pairwise_sum(zeros, 0, n), dtype).tobytes() == zeros.sum().tobytes(), (dtype, n)
    for n in (0, 1, 2, 5, 50):
        a = rng.standard_normal(n) * 10 ** rng.uniform(-8, 8, n)
        assert python_sum(a, 0, n) == sum(a.tolist())
    assert python_sum(np.array([1e16, 1.0, -1e16]), 0, 3) == 1.0  # compensated, as Python >= 3.12 adds


STRESSED = {"n_townships": 2, "days": 90, "policy_start_day": 45, "warmup_days": 10, "village_cadres": 2,
            "requests_per_household_year": 8.0, "request_give_up_days": 30, "meeting_consolidation": True,
            "video_conferencing": 0.5}
PLAIN = (
    "import hashlib, numpy as np, sim\n"
    f"r = sim.run_scenario({STRESSED!r}, seed=3, duty_list=True, extra_staff=1)\n"
    "print(hashlib.sha256(np.ascontiguousarray(r.timeseries.to_numpy()).tobytes()).hexdigest())\n"
)


def test_kernels_run_as_plain_python_give_the_same_bits():
    """Without numba's compiler (NUMBA_DISABLE_JIT=1, as when numba is missing) the kernels run as Python on
    numpy scalars: slowly, and with the same results, in a county where villages empty and residents give up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["NUMBA_DISABLE_JIT"] = "1"
    out = subprocess.run([sys.executable, "-c", PLAIN], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    here = sim.run_scenario(STRESSED, seed=3, duty_list=True, extra_staff=1).timeseries
    assert here["service_given_up"].sum() > 0 and here[["dropped_document", "dropped_form"]].to_numpy().sum() > 0
    assert out.stdout.strip() == hashlib.sha256(np.ascontiguousarray(here.to_numpy()).tobytes()).hexdigest()


def test_the_days_record_equals_its_numpy_definition():
    """`record._day_sums` (one compiled pass over the day's per-cadre arrays) writes what the numpy sums it
    replaced give, bit for bit: the level sums township and village apart over the slots in post, clock hours
    by demand, the county sums among the scalars, task flows and counts. Checked on workdays and weekends of a
    county with extra staff hired on the reform day and cadres quitting."""
    from sim.core import record as R

    seen = []
    kernel = R._day_sums

    def spy(*args):
        kernel(*args)
        seen.append([a.copy() if isinstance(a, np.ndarray) else a for a in args])

    R._day_sums = spy
    try:
        sim.GrassrootsModel(rng=2, n_townships=2, days=40, policy_start_day=20, warmup_days=5, extra_staff=1,
                            quit_rate=0.3, quit_after_days=2, severe_threshold=0.5).run()
    finally:
        R._day_sums = kernel
    assert len(seen) == 40
    for (row, _, _, active, exhaustion, burnout, severe, thresholds, work, worked, x, inv_prod, regular, fake_hours,
         has_meet, meetings, travel, fixed, app, repeated, hall, tlo, thi, vlo, vhi, stock_n, done, faked, found,
         _, *_) in seen:
        t, v = slice(tlo, thi), slice(vlo, vhi)
        e = exhaustion * active

        def levels(a, t=t, v=v):
            return [a[t].sum(), a[v].sum()]

        expected = [*levels(active.astype(float)), *levels(e), *levels((e > burnout).astype(float)),
                    *levels((e > severe).astype(float)), *levels(work), *levels(worked),
                    *(levels(meetings) if has_meet else [0.0, 0.0]),
                    *levels((x[R.FORM] * inv_prod.astype(np.float32)).astype(float)),
                    *levels(np.maximum(worked - regular, 0.0))]
        assert row[R.S0 : R.K0].tobytes() == np.array(expected).tobytes()
        hours = x.astype(float) * inv_prod.astype(np.float32).astype(float)
        clock = [hours[j, t].sum() + hours[j, v].sum() for j in range(7)]
        assert row[R.K0 : R.F0 - 2].tobytes() == np.array(clock[:5] + [clock[5]]).tobytes()
        assert row[R.FAKE_HOURS] == fake_hours[t].sum() + fake_hours[v].sum()
        assert row[R.FOUND] == found[t].sum() + found[v].sum()
        if has_meet:
            assert row[R.TRAVEL] == travel[t].sum() + travel[v].sum() and row[R.FIXED_HOURS] == fixed[t].sum() + fixed[v].sum()
            assert (row[R.APP_T], row[R.APP_V]) == (app[t].sum(), app[v].sum())
            patterns = row[R.X0 :]
            assert patterns[11] == repeated[t].sum() + repeated[v].sum() and patterns[16] == hall[t].sum() + hall[v].sum()
        flows = row[R.F0 : R.X0].reshape(6, 5)
        by_kind = [done[j, t].sum() + done[j, v].sum() for j in range(10)]
        assert flows[1].tobytes() == (np.array(by_kind[:5], np.float32) + np.array(by_kind[5:], np.float32)).astype(float).tobytes()
        assert flows[2].tobytes() == np.array([faked[j, t].sum() + faked[j, v].sum() for j in range(5)], np.float32).astype(float).tobytes()
        pending = [np.float32(stock_n[j, t].sum() + stock_n[j, v].sum()) + np.float32(stock_n[5 + j, t].sum() + stock_n[5 + j, v].sum())
                   for j in range(5)]
        assert flows[5].tobytes() == np.array(pending, np.float32).astype(float).tobytes()
        counts = [active.sum(), *((e > th).sum() for th in thresholds)]
        assert row[R.X0 : R.X0 + 4].tolist() == [float(k) for k in counts]
        assert row[R.WEEKEND_WORKERS] == (0.0 if has_meet else float(np.count_nonzero(worked)))  # no meetings: a weekend
