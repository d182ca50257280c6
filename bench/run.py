"""make bench: the performance budgets, measured on this machine.

1. Two PostgreSQL datasets built by seed_scale: small (2 schools) and large
   (200 schools, 100,000 students; reused between runs unless --rebuild).
2. In-process: SQL queries per page on both (they must be equal), the
   median render time on the large one, and whether a wrong receipt and an
   unknown one take as long to look up (bench/measure.py).
3. HTTP: gunicorn with 2 workers on loopback, wrk from Debian for a fixed
   time against a trivial view and against lesson pages.
4. Bell-ring load: N students log in, open their lesson and submit the quiz
   within one minute.
5. Broker down: report submissions while the broker (and cache) address is
   unreachable, then the periodic sender catches up; nothing may be lost.
6. The live class's sockets (bench/live.py): one daphne node, two nodes
   with one killed, Redis down; under "live" in the JSON.

Prints a readable table, then the figures as one JSON object on the last line.
Only loopback addresses are ever contacted.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432"
# One Redis database per dataset: the two datasets share user ids and page
# paths, so a shared cache would hand one dataset's roles and routes to the other.
REDIS = {
    "bench_large": "redis://127.0.0.1:6379/3",
    "bench_small": "redis://127.0.0.1:6379/4",
    "bench_national": "redis://127.0.0.1:6379/5",
}
DEAD_REDIS = "redis://127.0.0.1:1/0"
SCALE_PASSWORD = "scale-pass-2026"  # noqa: S105 - synthetic bench people only

BUDGETS = {
    "queries": {
        "lesson_page": 15,
        "quiz_submit": 20,
        "student_home": 10,
        "teacher_dashboard": 12,
        "parent_home": 10,
        "counselor_inbox": 10,
    },
    # A fresh class with no consent, of 10 and of 40 pupils (bench/measure.py
    # class_size_queries): equal for both sizes and within these.
    "class_size_queries": {
        "consent_sheet": 15,
        "consent_sheet_save": 20,
        "class_counts_first_try": 25,
        "class_counts_dashboard": 15,
    },
    "render_ms": {"teacher_dashboard": 150, "counselor_inbox": 100, "report_submit": 300, "office_view": 300},
    "school_import_200_s": 60,
    # A wrong receipt that finds a report and an unknown one take about as long.
    "receipt_lookup_ratio": (0.4, 2.5),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def secrets_env() -> dict:
    """Production settings need secrets; the bench makes its own, once, into
    the git-ignored var/ folder (the same file `make stack` uses)."""
    path = ROOT / "var" / "stack.env"
    env = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    if "SECRET_KEY" not in env:
        import secrets

        from cryptography.fernet import Fernet

        env = {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "INCIDENT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "INCIDENT_RATE_LIMIT_PEPPER": secrets.token_urlsafe(32),
        }
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        path.chmod(0o600)
    return env


def base_env(database: str, redis_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CI"}}
    env.update(secrets_env())
    env.update(
        DJANGO_SETTINGS_MODULE="edu_platform.settings.production",
        DATABASE_URL=f"{PG}/{database}",
        REDIS_URL=redis_url or REDIS[database],
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STACK_INSECURE_LOOPBACK="true",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOCAL_DATA_DIR=str(ROOT / "var" / "bench"),
        # The bench sends many reports to one school on purpose.
        INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES="1000",
        TRUSTED_PROXY_COUNT="0",  # no proxy in front of the bench server
    )
    return env


def manage(env: dict, *args, settings="production", capture=True):
    env = {**env, "DJANGO_SETTINGS_MODULE": f"edu_platform.settings.{settings}"}
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=capture, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", f"{PG}/{database}", "-tAq", "-c", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def dataset(name: str, small: bool, rebuild: bool, schools: int, students: int, national: float | None = None) -> dict:
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname='{name}'") == "1"
    ready = exists and psql("SELECT to_regclass('incidents_incidentreport') IS NOT NULL", name) == "t"
    if ready and not rebuild:
        ready = int(psql("SELECT count(*) FROM schools_school", name) or 0) > 0
    env = base_env(name)
    if not ready or rebuild:
        log(f"building dataset {name} ...")
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")
        manage(env, "migrate", "--noinput")
        started = time.monotonic()
        args = ["--small"] if small else ["--schools", str(schools), "--students", str(students)]
        if national:
            args = ["--national", "--fraction", str(national)]
        out = manage(env, "seed_scale", *args, settings="dev")
        log(out.strip().splitlines()[0] if out.strip() else "")
        log(f"  built in {time.monotonic() - started:.0f} s")
    else:
        manage(env, "migrate", "--noinput")
    counts = {
        "name": name,
        "offices": int(psql("SELECT count(*) FROM schools_district", name)),
        "schools": int(psql("SELECT count(*) FROM schools_school", name)),
        "students": int(psql("SELECT count(*) FROM classroom_enrollment", name)),
        "attempts": int(psql("SELECT count(*) FROM curriculum_quizattempt", name)),
        "reports": int(psql("SELECT count(*) FROM incidents_incidentreport", name)),
    }
    return counts


def measure(name: str, runs: int, script: str = "bench/measure.py") -> dict:
    out = subprocess.run(
        [PY, script, str(runs)], cwd=ROOT, env=base_env(name), capture_output=True, text=True, timeout=3600
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, database: str, redis_url: str | None = None, workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "edu_platform.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=base_env(database, redis_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(120):
            try:
                if requests.get(self.url + "/ping", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url: str, seconds: int, cookie: str | None = None) -> float:
    args = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 30).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        log(f"  wrk {url}: {errors.group(1)} non-2xx responses")
    return float(match.group(1)) if match else 0.0


def login(session: requests.Session, base: str, username: str) -> float:
    start = time.perf_counter()
    page = session.get(base + "/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": username, "password": SCALE_PASSWORD},
        headers={"Referer": base + "/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed for {username}: {response.status_code}")
    return (time.perf_counter() - start) * 1000


def quiz_answers(html: str) -> dict:
    """Any answer for each question: the load test measures, it does not learn."""
    data = {}
    for name, value in re.findall(r'name="(q-[^"]+)" value="([^"]+)"', html):
        data.setdefault(name, value)
    data["form_token"] = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    # The form (A or B) the page shows: a pupil's second try is the other one.
    form = re.search(r'name="quiz_form" value="([^"]+)"', html)
    if form:
        data["quiz_form"] = form.group(1)
    data["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return data


def people(database: str, n: int) -> list[tuple[str, str]]:
    """n students of classes with an assignment, with the URL of their first lesson."""
    rows = psql(
        "SELECT u.username, p.url_path FROM classroom_enrollment e "
        "JOIN accounts_user u ON u.id = e.student_id "
        "JOIN classroom_assignment a ON a.classroom_id = e.classroom_id AND a.position = 0 "
        "JOIN wagtailcore_page p ON p.path LIKE (SELECT path FROM wagtailcore_page WHERE id = a.module_id) || '____' "
        "AND p.depth = (SELECT depth FROM wagtailcore_page WHERE id = a.module_id) + 1 "
        f"WHERE u.username LIKE '%-s%' ORDER BY e.id, p.path LIMIT {n * 8}",
        database,
    )
    seen, result = set(), []
    for line in rows.splitlines():
        username, url_path = line.split("|")
        if username not in seen:
            seen.add(username)
            result.append((username, "/" + url_path.split("/", 2)[2]))
        if len(result) == n:
            break
    return result


def bell_ring(base: str, database: str, users: int, seconds: int) -> dict:
    """Each student starts at a random moment of the minute."""
    import random

    students = people(database, users)
    rng = random.Random(7)
    offsets = sorted(rng.uniform(0, seconds * 0.8) for _ in students)
    latencies, errors, lock = [], [], threading.Lock()
    start = time.monotonic()

    def journey(item):
        (username, lesson_path), offset = item
        time.sleep(max(0.0, offset - (time.monotonic() - start)))
        session = requests.Session()
        try:
            times = [login(session, base, username)]
            t = time.perf_counter()
            page = session.get(base + lesson_path, timeout=30)
            times.append((time.perf_counter() - t) * 1000)
            if page.status_code != 200:
                raise RuntimeError(f"lesson {page.status_code}")
            t = time.perf_counter()
            result = session.post(
                base + lesson_path + "quiz/",
                data=quiz_answers(page.text),
                headers={"Referer": base + lesson_path},
                timeout=30,
            )
            times.append((time.perf_counter() - t) * 1000)
            if result.status_code != 200:
                raise RuntimeError(f"quiz {result.status_code}")
            with lock:
                latencies.extend(times)
        except Exception as error:  # noqa: BLE001 - every failure is counted
            with lock:
                errors.append(str(error))

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(journey, zip(students, offsets, strict=True)))
    elapsed = time.monotonic() - start
    if errors:
        log(f"  bell-ring errors: {errors[:3]}")
    return {
        "users": len(students),
        "seconds": round(elapsed, 1),
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "p95_ms": round(percentile(latencies, 95), 1),
    }


def percentile(values, p) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


REPORT_WARMUP = 4


def report_p95(base: str, code: str, n: int) -> tuple[float, int]:
    """n timed reports through the real form, after REPORT_WARMUP untimed
    ones (each gunicorn worker's first report loads templates and code, and
    a fresh server would otherwise be measured against a warm one); returns
    (p95 ms of the timed ones, how many of all answered 303)."""
    session = requests.Session()
    page = session.get(f"{base}/report/{code}/new/", timeout=30)
    # Report forms carry their own token instead of Django's CSRF cookie.
    token_match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    token = token_match.group(1) if token_match else ""
    started = re.search(r'name="started" value="([^"]+)"', page.text).group(1)
    time.sleep(3.2)  # people take longer than the minimum fill time
    latencies, accepted = [], 0
    for i in range(REPORT_WARMUP + n):
        t = time.perf_counter()
        response = session.post(
            f"{base}/report/{code}/new/",
            data={
                "csrfmiddlewaretoken": token,
                "school": code,
                "started": started,
                "website_url": "",
                "category": "sharing_room",
                "platform": "telegram",
                "when": "today",
                "affected": "several",
                "staff_involved": "no",
                "urgency": "1",
                "details": f"bench report {i}",
            },
            headers={"Referer": f"{base}/report/{code}/new/"},
            allow_redirects=False,
            timeout=30,
        )
        if i >= REPORT_WARMUP:
            latencies.append((time.perf_counter() - t) * 1000)
        accepted += response.status_code == 303
    return percentile(latencies, 95), accepted


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the measured dataset")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="measure on the 100,000-pupil district (bench_large) instead of the national dataset",
    )
    parser.add_argument(
        "--national-fraction",
        type=float,
        default=1.0,
        help="share of the national size to build (1.0: 17 offices, 12,000 schools, 1,000,000 pupils)",
    )
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--users", type=int, default=200, help="students in the bell-ring load")
    parser.add_argument(
        "--live-sessions", type=int, default=40, help="live class sessions of 35 pupils (bench/live.py)"
    )
    args = parser.parse_args()

    result = {
        "dataset": {},
        "queries": {},
        "queries_first_visit": {},
        "render_ms": {},
        "receipt_lookup": {},
        "http": {},
        "load": {},
        "broker_down": {},
        "class_size_queries": {},
        "sealing": {},
    }
    dataset("bench_small", True, False, 2, 420)
    if args.quick:
        big = "bench_large"
        large = dataset(big, False, args.rebuild, args.schools, args.students)
    else:
        big = "bench_national"
        large = dataset(big, False, args.rebuild, 0, 0, national=args.national_fraction)
    result["dataset"] = large

    # Production settings serve fingerprinted static files from the manifest.
    manage(base_env(big), "collectstatic", "--noinput")
    log("measuring queries and render times ...")
    for url in REDIS.values():  # every run starts from an empty cache
        redis.Redis.from_url(url).flushdb()
    m_small, m_large = measure("bench_small", 3), measure(big, args.runs)
    for page in m_large["queries"]:
        result["queries"][page] = [m_small["queries"][page], m_large["queries"][page]]
    result["queries_first_visit"] = {
        page: [m_small["queries_first_visit"][page], m_large["queries_first_visit"][page]]
        for page in m_large["queries_first_visit"]
    }
    result["render_ms"] = m_large["render_ms"]
    result["receipt_lookup"] = m_large["receipt_lookup"]
    result["class_size_queries"] = m_large["class_size_queries"]
    result["school_import"] = m_large["school_import"]
    result["office_rollup_s"] = m_large["office_rollup_s"]
    log("sealing: report submission and opening a case, sealed and as before ...")
    result["sealing"] = measure(big, 30, "bench/sealing.py")

    log("HTTP with gunicorn (2 workers) and wrk ...")
    server = Gunicorn(big)
    try:
        username, lesson_path = people(big, 1)[0]
        session = requests.Session()
        login(session, server.url, username)
        session.get(server.url + lesson_path, timeout=30)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        requests.get(server.url + lesson_path, timeout=30)  # fill the anonymous cache
        baseline = wrk(server.url + "/ping", args.seconds)
        lesson_rps = wrk(server.url + lesson_path, args.seconds, cookie)
        anon_rps = wrk(server.url + lesson_path, args.seconds)
        code = psql("SELECT code FROM schools_school ORDER BY id LIMIT 1", big)
        up_p95, _ = report_p95(server.url, code, 30)
        result["http"] = {
            "baseline_rps": round(baseline, 1),
            "lesson_page_rps": round(lesson_rps, 1),
            "lesson_page_anon_rps": round(anon_rps, 1),
            "lesson_page_ratio": round(lesson_rps / baseline, 3) if baseline else 0,
            "lesson_page_anon_ratio": round(anon_rps / baseline, 3) if baseline else 0,
            "report_submit_p95_ms": round(up_p95, 1),
        }
        log(f"bell-ring: {args.users} students in one minute ...")
        result["load"] = bell_ring(server.url, big, args.users, 60)
    finally:
        server.stop()

    log("broker down ...")
    before = int(psql("SELECT count(*) FROM incidents_incidentreport", big))
    down = Gunicorn(big, redis_url=DEAD_REDIS)
    try:
        code = psql("SELECT code FROM schools_school ORDER BY id DESC LIMIT 1", big)
        down_p95, accepted = report_p95(down.url, code, 30)
    finally:
        down.stop()
    saved = int(psql("SELECT count(*) FROM incidents_incidentreport", big)) - before
    pending_before = int(psql("SELECT count(*) FROM incidents_outboxmessage WHERE sent_at IS NULL", big))
    # The broker is back: the periodic sender catches up.
    manage(base_env(big), "shell", "-c", "from incidents.tasks import send_pending_notifications as s; s()")
    pending_after = int(psql("SELECT count(*) FROM incidents_outboxmessage WHERE sent_at IS NULL", big))
    result["broker_down"] = {
        "report_submit_p95_ms": round(down_p95, 1),
        "ratio_to_broker_up": round(down_p95 / result["http"]["report_submit_p95_ms"], 2)
        if result["http"].get("report_submit_p95_ms")
        else None,
        "submitted": 30 + REPORT_WARMUP,
        "answered": accepted,
        "saved": saved,
        "notifications_waiting": pending_before,
        "lost": (30 + REPORT_WARMUP - saved) + pending_after,
    }
    result["live"] = live_bench().run(sessions=args.live_sessions)
    print_table(result)
    live_bench().print_table(result["live"])
    print(json.dumps(result))


def live_bench():
    """bench/live.py (the live class's sockets), loaded by path: the name
    `live` is the Django app's."""
    import importlib.util

    if "bench_live" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_live", ROOT / "bench" / "live.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_live"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_live"]


def print_table(result: dict) -> None:
    print("\nSQL queries per page: small and large dataset, warm caches | first visit with nothing cached; budget")
    for page, (s, large) in result["queries"].items():
        first_s, first_large = result["queries_first_visit"][page]
        budget = BUDGETS["queries"].get(page)
        equal = s == large and first_s == first_large
        verdict = "ok" if equal and (budget is None or max(large, first_large) <= budget) else "OVER"
        print(
            f"  {page:<20} {s:>4} {large:>4} | {first_s:>4} {first_large:>4}   "
            f"{'≤ ' + str(budget) if budget else '':<6} {verdict}"
        )
    print("\nSQL queries for a fresh class with no consent, 10 and 40 pupils; budget")
    for page, (ten, forty) in result["class_size_queries"].items():
        budget = BUDGETS["class_size_queries"].get(page)
        verdict = "ok" if ten == forty and (budget is None or forty <= budget) else "OVER"
        print(f"  {page:<24} {ten:>4} {forty:>4}   {'≤ ' + str(budget) if budget else '':<6} {verdict}")
    print("\nMedian in-process render time, large dataset (ms; budget)")
    for page, ms in result["render_ms"].items():
        budget = BUDGETS["render_ms"].get(page)
        verdict = "" if budget is None else ("ok" if ms < budget else "OVER")
        print(f"  {page:<20} {ms:>8.1f}   {'< ' + str(budget) if budget else '':<6} {verdict}")
    imp = result.get("school_import") or {}
    if imp:
        verdict = "ok" if imp["seconds"] < BUDGETS["school_import_200_s"] else "OVER"
        print(
            f"\nSchool import: {imp['schools']} schools read, checked and confirmed in {imp['seconds']} s "
            f"({imp['confirm_queries']} queries to confirm; < {BUDGETS['school_import_200_s']} s) {verdict}"
        )
    print("Office rollup (what Celery beat adds up per office):", result.get("office_rollup_s"))
    lookup = result["receipt_lookup"]
    low, high = BUDGETS["receipt_lookup_ratio"]
    verdict = "ok" if lookup.get("ratio") and low < lookup["ratio"] < high else "OVER"
    print(
        f"\nReceipt lookup, median ms: wrong code {lookup.get('wrong_ms')}, unknown code {lookup.get('unknown_ms')}, "
        f"ratio {lookup.get('ratio')} (between {low} and {high}) {verdict}"
    )
    http = result["http"]
    print("\nHTTP, gunicorn with 2 workers (requests per second)")
    for key, value in http.items():
        print(f"  {key:<24} {value}")
    print("\nSealing (bench/sealing.py):", result["sealing"])
    print("\nBell-ring load:", result["load"])
    print("Broker down:", result["broker_down"])
    print("Dataset:", result["dataset"])
    print()


if __name__ == "__main__":
    main()
