"""The machinery around bench/load.py: Redis, PostgreSQL and the demo data, a throw-away TLS
certificate, gunicorn started with explicit flags, the `flask` command line, and CPU time read
from /proc. Everything listens on and talks to 127.0.0.1 only."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from load_figures import cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def machine() -> dict:
    """What the figures were measured on, and how busy it was just before."""
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    return {"nproc": os.cpu_count(), "memory_gib": round(int(memory) / 1024 / 1024, 1),
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, everyone's processes)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / TICKS


def ensure_redis() -> None:
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode != 0:
        subprocess.run(["redis-server", "--daemonize", "yes", "--port", "6379", "--bind", "127.0.0.1"], check=True)
        time.sleep(1)


def app_environment(database_url: str, redis_db: int, secret_key: str, mode: str = "production") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_"))}
    env.update(FLASK_APP="tracker", FLASK_ENV=mode, SECRET_KEY=secret_key, DATABASE_URL=database_url,
               RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{redis_db}", PYTHONUNBUFFERED="1")
    return env


def flask(args: list[str], env: dict, extra_env: dict | None = None) -> str:
    """Run `flask ARGS` (the operator's command line) from the repository; its output, or exit on failure."""
    done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env={**env, **(extra_env or {})},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def ensure_database(database_url: str, env: dict, staff: int, years: int) -> str:
    """PostgreSQL running with the database, migrated, and the trust-scale demo in it (loaded once)."""
    name = database_url.rsplit("/", 1)[1]
    subprocess.run(["bash", "scripts/postgres.sh", name], cwd=ROOT, check=True, capture_output=True)
    flask(["db", "upgrade"], env)
    # The demo command refuses production (its accounts share a published password), so the
    # data is loaded in development mode; the server and every account used below run in production.
    dev = {**env, "FLASK_ENV": "development"}
    return flask(["demo", "load", "--staff", str(staff), "--years", str(years), "--if-empty"], dev).strip()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this run and thrown away with `folder`.
    The client trusts exactly this certificate (it verifies against it), nothing is turned off."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class Server:
    """gunicorn in front of the app as `make serve` runs it (gunicorn.conf.py: sync workers, the
    worker check, JSON logs), with this run's workers, port, timeout and a throw-away certificate."""

    def __init__(self, env: dict, port: int, workers: int, timeout: int, folder: Path):
        self.env, self.port, self.workers, self.timeout, self.folder = env, port, workers, timeout, folder
        self.cert, self.key = make_certificate(folder)
        self.log = folder / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(self.workers),
                   "-b", f"127.0.0.1:{self.port}", "--timeout", str(self.timeout),
                   "--certfile", str(self.cert), "--keyfile", str(self.key)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=open(self.log, "ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_until_healthy()

    def wait_until_healthy(self, seconds: float = 60) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn stopped: see {self.log}\n{self.log.read_text()[-2000:]}")
            done = subprocess.run(["curl", "-s", "--cacert", str(self.cert), "-o", "/dev/null", "-w", "%{http_code}",
                                   f"{self.base}/healthz"], capture_output=True, text=True)
            if done.stdout == "200" and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.5)
        sys.exit(f"gunicorn did not answer /healthz within {seconds} s: see {self.log}")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid)

    def kill_one_worker(self) -> int:
        """SIGKILL a worker (the one started first): gunicorn's master starts a new one."""
        pid = min(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def cpu(self) -> float:
        """CPU seconds of the master and its workers, living and reaped."""
        own, reaped = process_cpu(self.process.pid)
        return own + reaped + sum(sum(process_cpu(pid)) for pid in self.worker_pids())

    def timeouts_logged(self) -> int:
        return self.log.read_text(errors="replace").count("WORKER TIMEOUT")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # our own gunicorn master, by its id; it stops its workers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(found)


def process_cpu(pid: int) -> tuple[float, float]:
    try:
        return cpu_seconds(Path(f"/proc/{pid}/stat").read_text(), TICKS)
    except (OSError, ValueError):
        return 0.0, 0.0  # it ended between listing and reading


def postgres_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `database` (their process title names it).
    Other databases on the shared cluster, and its background writers, are not counted."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            total += process_cpu(int(proc.name))[0]
    return total


def restart_postgres() -> str:
    """`pg_ctlcluster 15 main restart` as scripts/postgres.sh drives the cluster (no systemd here),
    then wait until it takes connections; says how long that took."""
    started = time.time()
    done = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"],
                          capture_output=True, text=True)
    for _ in range(120):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0:
            break
        time.sleep(0.5)
    if done.returncode != 0:
        return f"PostgreSQL restart FAILED ({done.returncode}): {done.stderr.strip()[:200]}"
    return f"PostgreSQL restarted, taking connections after {time.time() - started:.1f} s"


def new_secret() -> str:
    return secrets.token_hex(32)


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
