"""`make bench`: JFO Registry at national scale on PostgreSQL, every figure a ratio measured in
the same run. Writes benchmarks/results.md. Never part of `make test`.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jfo_bench .venv/bin/python -m benchmarks.run
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import io
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jfo_bench"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
sys.path.insert(0, str(ROOT))

def create_database_if_missing(url: str) -> None:
    """`make bench` on a fresh machine: the benchmark database is created on first use."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if os.environ["DATABASE_URL"].startswith("postgres"):
    create_database_if_missing(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from agreements.inventory import load_inventory  # noqa: E402
from agreements.synthetic import generate  # noqa: E402
from jfo_registry.core.fiscal import FiscalYear  # noqa: E402
from jfo_registry.core.roles import Role  # noqa: E402
from operations.services import user_set_role  # noqa: E402
from operations import importers, selectors  # noqa: E402
from operations.models import Assignment, JointForceOperation, Officer, Region  # noqa: E402
from operations.selectors import active_during  # noqa: E402

YEAR = None  # set in main: the last complete fiscal year of the synthetic data
LINES: list[str] = []


def say(line: str) -> None:
    print(line, flush=True)
    LINES.append(line)


def median_seconds(call, repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


# --- Data -----------------------------------------------------------------------------------

def ensure_data(units: int, officers: int, years: int) -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("make bench runs on PostgreSQL: set DATABASE_URL=postgresql://...")
    call_command("migrate", verbosity=0)
    if not JointForceOperation.objects.filter(acronym__startswith="SYN-").exists():
        load_inventory()
        started = time.monotonic()
        generate(units=units, officers=officers, years=years, seed=2012)
        say(f"generated the national registry in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "units": JointForceOperation.objects.count(),
        "assignments": Assignment.objects.count(),
    }


# --- 1. Resources report: API ÷ one hand-written SQL query ----------------------------------

SQL_GROUP = {
    "region": ("r.code", "JOIN operations_region r ON r.id = j.region_id", "1"),
    "program": ("p.code", "LEFT JOIN operations_program p ON p.id = j.program_id", "1"),
    "classification": ("o.classification", "", "1"),
    "position": ("o.position", "", "1"),
    "jfo_type": ("j.jfo_type", "", "1"),
    "lead_agency": (
        "ag.acronym",
        "LEFT JOIN operations_participation pa ON pa.jfo_id = j.id AND pa.role = 'lead' "
        "LEFT JOIN operations_agency ag ON ag.id = pa.agency_id "
        "LEFT JOIN (SELECT jfo_id, COUNT(*) AS n FROM operations_participation WHERE role = 'lead' GROUP BY jfo_id) lc "
        "ON lc.jfo_id = j.id",
        "1.0 / COALESCE(lc.n, 1)",
    ),
}


def resources_sql(group_by: str) -> str:
    key, joins, share = SQL_GROUP[group_by]
    ys, ye = YEAR.start.isoformat(), YEAR.end.isoformat()
    fte_years = (
        f"a.fte * ((LEAST(COALESCE(a.end_date, DATE '{ye}'), DATE '{ye}') - GREATEST(a.start_date, DATE '{ys}')) + 1)"
        f" / {YEAR.days}.0 * {share}"
    )
    children = ", p2.code" if group_by == "jfo_type" else ""
    child_join = "LEFT JOIN operations_program p2 ON p2.id = j.program_id" if group_by == "jfo_type" else ""
    grouping = f"GROUPING SETS (({key}{children}), ({key}), ())" if children else f"GROUPING SETS (({key}), ())"
    return f"""
        SELECT {key}{children}, COUNT(DISTINCT a.jfo_id), SUM({fte_years}), SUM({fte_years} * s.annual_salary)
        FROM operations_assignment a
        JOIN operations_officer o ON o.id = a.officer_id
        JOIN operations_jointforceoperation j ON j.id = a.jfo_id
        {joins} {child_join}
        JOIN operations_salaryrate s ON s.classification = o.classification AND s.fiscal_year = {YEAR.start_year}
        WHERE a.start_date <= DATE '{ye}' AND (a.end_date IS NULL OR a.end_date >= DATE '{ys}')
        GROUP BY {grouping}
    """


def bench_resources(token: str) -> dict:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    raw = psycopg.connect(os.environ["DATABASE_URL"])
    results = {}
    for group_by in ("region", "jfo_type", "program", "classification", "position", "lead_agency"):
        url = f"/api/v1/reports/resources/?fiscal_year={YEAR.label}&group_by={group_by}"

        def api():
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]

        def sql():
            with raw.cursor() as cursor:
                cursor.execute(resources_sql(group_by))
                cursor.fetchall()

        api_s, sql_s = median_seconds(api), median_seconds(sql)
        results[group_by] = api_s / sql_s
        say(f"resources report by {group_by:<14} API {api_s * 1000:7.1f} ms ÷ SQL {sql_s * 1000:7.1f} ms = "
            f"{api_s / sql_s:.2f} (target ≤ 1.5)")
    raw.close()
    return results


# --- 2. Assignment list throughput with gunicorn ---------------------------------------------

def load(port: int, path: str, headers: dict, seconds: float, concurrency: int) -> float:
    done = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            count += 1
        conn.close()
        with lock:
            done[0] += count

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started)


def bench_throughput(token: str, region: str) -> float:
    port = 8765
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": "2", "CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--threads", "4",
         "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        query = f"region={region}&fiscal_year={YEAR.label}"
        api_path = f"/api/v1/assignments/?{query}&page_size=100"
        bare_path = f"/bench/bare-assignments/?{query}"
        auth = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}
        load(port, api_path, auth, 2, 2)  # warm up both
        load(port, bare_path, {"Host": "127.0.0.1"}, 2, 2)
        api_rps = load(port, api_path, auth, 12, 4)
        bare_rps = load(port, bare_path, {"Host": "127.0.0.1"}, 12, 4)
    finally:
        server.terminate()
        server.wait(timeout=20)
    say(f"assignment list API (region {region}, {YEAR.label}, 100 rows) {api_rps:6.1f} req/s ÷ bare view "
        f"{bare_rps:6.1f} req/s = {api_rps / bare_rps:.2f} (target ≥ 0.5)")
    return api_rps / bare_rps


# --- 3. Pages against the Django admin --------------------------------------------------------

def page_cost(client: Client, url: str) -> tuple[float, int]:
    """Median render time (steady state) and SQL queries of one render."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return median_seconds(lambda: client.get(url), repeat=5), count[0]


def cold_seconds(client: Client, url: str) -> float:
    cache.clear()
    started = time.perf_counter()
    client.get(url)
    return time.perf_counter() - started


def bench_pages(analyst, manager, admin) -> dict:
    results = {}
    admin_client = Client()
    admin_client.force_login(admin)
    for who, user in (("HQ analyst", analyst), ("GTA manager", manager)):
        client = Client()
        client.force_login(user)
        for name, page, changelist in (
            ("dashboard", "/", "/admin/operations/assignment/"),
            ("JFO list", "/jfos/", "/admin/operations/jointforceoperation/"),
        ):
            cold = cold_seconds(client, page)
            page_s, page_q = page_cost(client, page)
            admin_s, admin_q = page_cost(admin_client, changelist)
            ratio = page_s / admin_s
            results[f"{name} ({who})"] = ratio
            say(f"{name:<9} page ({who}): {page_q:3d} queries, {page_s * 1000:7.1f} ms (first render after a change "
                f"{cold * 1000:.0f} ms) ÷ admin changelist {changelist} {admin_q} queries, {admin_s * 1000:7.1f} ms "
                f"= {ratio:.2f} (target ≤ 1.0)")
    return results


# --- 4. Import -------------------------------------------------------------------------------

def bench_import(rows: int = 10_000) -> float:
    region = Region.objects.get(code="GTA")
    stamp = datetime.datetime.now().strftime("%H%M%S")
    officers = Officer.objects.bulk_create(
        Officer(employee_number=f"IMP{stamp}-{i:05d}", name=f"Imported Officer {i}", position="IO",
                classification="FB-04", home_region=region)
        for i in range(rows)
    )
    units = list(JointForceOperation.objects.filter(region=region).values_list("acronym", flat=True)[:200])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["employee_number", "jfo", "fte", "start_date", "end_date", "role", "notes"])
    for index, officer in enumerate(officers):
        writer.writerow([officer.employee_number, units[index % len(units)], "0.50", YEAR.start.isoformat(), "",
                         "Intelligence officer", ""])
    data = buffer.getvalue().encode()
    started = time.perf_counter()
    summary = importers.import_file("assignments", data, "csv", dry_run=False)
    elapsed = time.perf_counter() - started
    assert not summary.errors, summary.errors[:3]
    say(f"import of {rows} assignment rows with every rule checked: {rows / elapsed:,.0f} rows/s ({elapsed:.1f} s)")
    return rows / elapsed


# --- 5. Memory of the report ---------------------------------------------------------------

def report_peak_memory(year) -> int:
    tracemalloc.start()
    for group_by in ("region", "jfo_type", "lead_agency"):
        selectors.resources_report(year, group_by)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def bench_memory() -> None:
    """The same reports over a fiscal year with few assignments and over the busiest one: the
    units and groups are the same, only the number of assignments differs."""
    first = FiscalYear.of(Assignment.objects.filter(officer__employee_number__startswith="SYN-").earliest("start_date").start_date)
    counts = {
        year: active_during(Assignment.objects.all(), year.start, year.end).count() for year in (first, YEAR)
    }
    small, large = report_peak_memory(first), report_peak_memory(YEAR)
    say(f"peak memory of the resources report: {large / 1e6:.1f} MB over {counts[YEAR]:,} assignments ({YEAR.label}) "
        f"÷ {small / 1e6:.1f} MB over {counts[first]:,} ({first.label}) = {large / small:.2f} for "
        f"{counts[YEAR] / counts[first]:.1f}× the assignments (must not grow with assignments)")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "?")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB, PostgreSQL {version}, Python {platform.python_version()}"


def main() -> None:
    global YEAR
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--officers", type=int, default=50000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--skip", nargs="*", default=[], choices=["resources", "throughput", "pages", "import", "memory"])
    options = parser.parse_args()

    YEAR = FiscalYear.current().previous()
    sizes = ensure_data(options.units, options.officers, options.years)
    say(f"data: {sizes['units']:,} JFO units, {sizes['assignments']:,} assignments; fiscal year {YEAR.label}")

    User = get_user_model()
    analyst, _ = User.objects.get_or_create(username="bench-analyst")
    user_set_role(user=analyst, role=Role.HQ_ANALYST)
    manager, _ = User.objects.get_or_create(username="bench-manager")
    user_set_role(user=manager, role=Role.REGIONAL_MANAGER, region_codes=["GTA"])
    admin, _ = User.objects.get_or_create(username="bench-admin")
    user_set_role(user=admin, role=Role.ADMINISTRATOR)
    token = Token.objects.get_or_create(user=analyst)[0].key

    if "resources" not in options.skip:
        bench_resources(token)
    if "throughput" not in options.skip:
        bench_throughput(token, "GTA")
    if "pages" not in options.skip:
        bench_pages(analyst, manager, admin)
    if "import" not in options.skip:
        bench_import()
    if "memory" not in options.skip:
        bench_memory()

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    results = ROOT / "benchmarks" / "results.md"
    results.write_text(
        "# Benchmark results\n\n"
        f"- machine: {machine()}\n- date: {datetime.datetime.now().isoformat(timespec='seconds')}\n"
        f"- commit: {commit or 'uncommitted'}\n- command: `make bench`\n\n```\n" + "\n".join(LINES) + "\n```\n",
        encoding="utf-8",
    )
    print(f"written {results}")


if __name__ == "__main__":
    main()
