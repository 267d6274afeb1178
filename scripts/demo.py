"""``make demo``: run the Graph sandbox, the bot and the Microsoft 365 Agents Playground together.

Starts, in order, each one only after the previous one answers:

1. the local Graph sandbox: ``python -m m365_sandbox --tenant ... --db var/sandbox.db --port 3979``
   (ready when ``GET /_admin/health`` answers 200);
2. the bot: ``python -m bot`` on ``http://127.0.0.1:3978/api/messages`` (ready when its port accepts
   connections), pointed at the sandbox through ``YA_GRAPH_BASE_URL``;
3. the Agents Playground from ``node_modules`` (``npm ci`` installs it), with a
   ``.m365agentsplayground.yml`` generated from the tenant file so that the Playground's user is
   a near worker of the sandbox tenant (ready when its web page answers).

Then it prints the Playground URL and waits.  Ctrl-C (or SIGTERM) stops all three; if one of
them dies, the others are stopped and the runner says which one failed and shows the end of its
log.  Each service runs in its own process group, so its children are stopped too.

Ports come from ``SANDBOX_PORT`` (3979), ``BOT_PORT`` (3978) and ``PLAYGROUND_PORT`` (56150);
state and logs live under ``var/`` (``--fresh`` deletes the databases first). ``--now`` (or ``DEMO_NOW``)
runs the demo at another date: the sandbox and the bot clocks both start at that moment.

The ``start_*`` functions are also used by the end-to-end tests (``tests/e2e``), which run the
same three services on free ports.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import IO

import yaml

from m365_sandbox.core.tenant import default_tenant_path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TENANT_FILE = default_tenant_path()
PLAYGROUND_PACKAGE_DIR = ROOT / "node_modules" / "@microsoft" / "m365agentsplayground"
PLAYGROUND_CLI = PLAYGROUND_PACKAGE_DIR / "cli.js"
DEFAULT_SANDBOX_PORT = 3979
DEFAULT_BOT_PORT = 3978
DEFAULT_PLAYGROUND_PORT = 56150
LOCALHOST = "127.0.0.1"
_LISTENING = re.compile(r"Listening on (\d+)")


class ServiceError(RuntimeError):
    """A service did not start, or stopped when it should have been running."""

    def __init__(self, service: str, message: str, log_path: Path | None = None) -> None:
        """Remember which service failed and where its log is."""
        super().__init__(f"{service}: {message}")
        self.service = service
        self.log_path = log_path


@dataclass(frozen=True)
class DemoConfig:
    """Where things are and which ports they use."""

    root: Path = ROOT
    state_dir: Path = ROOT / "var"
    tenant_file: Path = DEFAULT_TENANT_FILE
    host: str = LOCALHOST
    sandbox_port: int = DEFAULT_SANDBOX_PORT
    bot_port: int = DEFAULT_BOT_PORT
    playground_port: int = DEFAULT_PLAYGROUND_PORT
    python: str = sys.executable
    node: str = "node"
    startup_timeout: float = 60.0
    bot_env: Mapping[str, str] = field(default_factory=dict)
    # A demo or trial at another date: the sandbox's and the bot's clocks both start here and run on.
    now: datetime | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, tenant_file: Path = DEFAULT_TENANT_FILE) -> DemoConfig:
        """Build the config from ``SANDBOX_PORT``, ``BOT_PORT``, ``PLAYGROUND_PORT`` (with defaults) and
        ``DEMO_NOW`` (an ISO date-time with its offset: the demo runs from that moment on)."""
        source = os.environ if env is None else env
        return cls(
            now=parse_now(source.get("DEMO_NOW", "")),
            tenant_file=tenant_file,
            sandbox_port=_port(source, "SANDBOX_PORT", DEFAULT_SANDBOX_PORT),
            bot_port=_port(source, "BOT_PORT", DEFAULT_BOT_PORT),
            playground_port=_port(source, "PLAYGROUND_PORT", DEFAULT_PLAYGROUND_PORT),
        )

    @property
    def log_dir(self) -> Path:
        """Directory of the services' log files."""
        return self.state_dir / "logs"

    @property
    def sandbox_db(self) -> Path:
        """The sandbox's SQLite database."""
        return self.state_dir / "sandbox.db"

    @property
    def bot_db(self) -> Path:
        """The bot's state database (``YA_STATE_DB``)."""
        return self.state_dir / "bot.db"

    @property
    def playground_dir(self) -> Path:
        """The Playground's working directory (its config file and its own log)."""
        return self.state_dir / "playground"

    @property
    def sandbox_url(self) -> str:
        """Base URL of the sandbox (admin endpoints live under it)."""
        return f"http://{self.host}:{self.sandbox_port}"

    @property
    def graph_base_url(self) -> str:
        """The sandbox's Graph v1.0 root, as the bot's ``YA_GRAPH_BASE_URL``."""
        return f"{self.sandbox_url}/v1.0"

    @property
    def bot_endpoint(self) -> str:
        """The bot's messaging endpoint, which the Playground posts activities to."""
        return f"http://{self.host}:{self.bot_port}/api/messages"


def parse_now(raw: str) -> datetime | None:
    """``DEMO_NOW`` / ``--now``: an ISO 8601 date-time with its offset, or nothing (the real time)."""
    text = raw.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"DEMO_NOW must be an ISO date-time such as 2027-03-27T09:00+02:00, not {text!r}") from None
    if moment.tzinfo is None:
        raise SystemExit(f"DEMO_NOW needs a time zone offset, e.g. {text}+02:00")
    return moment


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a port number, not {raw!r}") from None
    if not 0 < value < 65536:
        raise SystemExit(f"{name} must be between 1 and 65535, not {value}")
    return value


@dataclass
class Service:
    """A running child process in its own process group, with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""
    #: What another service needs to reach this one (the sandbox: the bot's Graph credential settings).
    env: dict[str, str] = field(default_factory=dict)

    def returncode(self) -> int | None:
        """The exit code if the process has ended, else ``None``."""
        return self.process.poll()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        # Children that outlived the group leader (e.g. node workers) get the same treatment.
        _signal_group(self.process, signal.SIGKILL)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the service's log."""
        return log_tail(self.log_path, lines)


def log_tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file ("" if it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    env: Mapping[str, str] | None = None,
) -> Service:
    """Start ``argv`` in a new session (its own process group), its output in ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    with log_path.open("wb") as log:  # one run per log: a failure shows this run's lines
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Service(name=name, process=process, log_path=log_path)


def describe_exit(code: int) -> str:
    """``exit code 3`` or ``killed by SIGKILL`` for a ``Popen.returncode``."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _check_alive(service: Service) -> None:
    code = service.returncode()
    if code is not None:
        raise ServiceError(service.name, f"exited while starting ({describe_exit(code)})", service.log_path)


def _http_status(host: str, port: int, path: str, timeout: float = 2.0) -> int | None:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def wait_for_http(service: Service, host: str, port: int, path: str, timeout: float) -> None:
    """Wait until ``GET path`` answers 200, failing early if the service exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_alive(service)
        if _http_status(host, port, path) == 200:
            return
        time.sleep(0.2)
    raise ServiceError(service.name, f"no answer from http://{host}:{port}{path} in {timeout:.0f} s", service.log_path)


def wait_for_tcp(service: Service, host: str, port: int, timeout: float) -> None:
    """Wait until ``host:port`` accepts connections, failing early if the service exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_alive(service)
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1.0):
            return
        time.sleep(0.2)
    raise ServiceError(service.name, f"port {host}:{port} did not open in {timeout:.0f} s", service.log_path)


def wait_for_log_line(service: Service, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
    """Wait until the service's log has a line matching ``pattern`` and return the match."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_alive(service)
        with contextlib.suppress(OSError):
            match = pattern.search(service.log_path.read_text(encoding="utf-8", errors="replace"))
            if match:
                return match
        time.sleep(0.2)
    raise ServiceError(service.name, f"did not log {pattern.pattern!r} in {timeout:.0f} s", service.log_path)


def free_port(host: str = LOCALHOST) -> int:
    """An ephemeral TCP port that is free right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def playground_missing_reason(config: DemoConfig | None = None) -> str | None:
    """Why the Playground cannot be started (``None`` if it can)."""
    cli = (config.root if config else ROOT) / PLAYGROUND_CLI.relative_to(ROOT)
    if not cli.is_file():
        return f"the Agents Playground is not installed ({cli} is missing): run npm ci"
    if shutil.which(config.node if config else "node") is None:
        return "node is not on PATH: install Node.js 20 (Debian: apt-get install -y nodejs npm)"
    return None


def ensure_port_free(name: str, host: str, port: int, variable: str) -> None:
    """Fail clearly if something already listens on ``host:port`` (e.g. a demo still running)."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        raise ServiceError(name, f"port {port} on {host} is already in use (another demo running?); set {variable}")


def start_sandbox(config: DemoConfig) -> Service:
    """Start the Graph sandbox and wait until ``GET /_admin/health`` answers."""
    ensure_port_free("sandbox", config.host, config.sandbox_port, "SANDBOX_PORT")
    config.state_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        config.python,
        "-m",
        "m365_sandbox",
        "--tenant",
        str(config.tenant_file),
        "--db",
        str(config.sandbox_db),
        "--host",
        config.host,
        "--port",
        str(config.sandbox_port),
        # The bot gets the same moment (YA_DEV_NOW): the two clocks stay in step.
        "--now",
        config.now.isoformat() if config.now else "real",
    ]
    app = graph_app(config.tenant_file)
    if app is not None:
        # Several organisations: every Graph request carries a token of one tenant, fetched by the bot through
        # azure-identity from the sandbox's own token endpoint (over TLS, as Entra's), as in production.
        argv += ["--tls-port", "0"]
    service = spawn("sandbox", argv, cwd=config.root, log_path=config.log_dir / "sandbox.log")
    service.url = config.graph_base_url
    try:
        wait_for_http(service, config.host, config.sandbox_port, "/_admin/health", config.startup_timeout)
        if app is not None:
            authority = wait_for_log_line(service, re.compile(r"SANDBOX_AUTHORITY=(\S+)"), config.startup_timeout)
            ca_file = wait_for_log_line(service, re.compile(r"SANDBOX_CA_FILE=(\S+)"), config.startup_timeout)
            service.env = {
                "YA_GRAPH_AUTH": "client_secret", "YA_PARTNER_AUTH": "client_secret",
                "YA_GRAPH_CLIENT_ID": app["client_id"], "YA_GRAPH_CLIENT_SECRET": app["secret"],
                "YA_GRAPH_TENANT_ID": app["home_tenant"], "YA_GRAPH_AUTHORITY": authority.group(1),
                "YA_GRAPH_CA_FILE": ca_file.group(1)}
    except BaseException:
        service.stop()
        raise
    return service


def graph_app(tenant_file: Path) -> dict[str, str] | None:
    """The bot's Graph app registration in a sandbox data file with several organisations (the first app of
    the home tenant), or None for a single-tenant file (the bot then calls the sandbox anonymously)."""
    data = yaml.safe_load(tenant_file.read_text(encoding="utf-8")) or {}
    home = str((data.get("tenant") or {}).get("id", ""))
    for app in data.get("apps") or []:
        if str(app.get("home_tenant")) == home:
            return {key: str(app[key]) for key in ("client_id", "secret", "home_tenant")}
    return None


def start_bot(config: DemoConfig, command: Sequence[str] | None = None,
              graph_env: Mapping[str, str] | None = None) -> Service:
    """Start the bot (``python -m bot`` unless ``command`` is given) and wait until its port is open.

    ``graph_env``: how the bot gets Graph tokens from the sandbox (its ``Service.env``)."""
    env = {
        **(graph_env or {}),
        "YA_MODE": "development",
        "YA_HOST": config.host,
        "YA_PORT": str(config.bot_port),
        "YA_GRAPH_BASE_URL": config.graph_base_url,
        "YA_STATE_DB": str(config.bot_db),
        "BOT_PORT": str(config.bot_port),
        **({"YA_DEV_NOW": config.now.isoformat()} if config.now else {}),
        **config.bot_env,
    }
    ensure_port_free("bot", config.host, config.bot_port, "BOT_PORT")
    argv = list(command) if command else [config.python, "-m", "bot"]
    service = spawn("bot", argv, cwd=config.root, log_path=config.log_dir / "bot.log", env=env)
    service.url = config.bot_endpoint
    try:
        wait_for_tcp(service, config.host, config.bot_port, config.startup_timeout)
    except BaseException:
        service.stop()
        raise
    return service


def playground_env(config: DemoConfig, config_path: Path) -> dict[str, str]:
    """Environment for the Playground: no browser, config and log under ``var/``, Helsinki time."""
    return {
        "TEAMSAPPTESTER_BROWSER": "none",  # do not try to open a browser
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config_path),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(config.playground_dir / "m365agentsplayground.log"),
        "TZ": "Europe/Helsinki",  # becomes the activities' localTimezone
        "NO_UPDATE_NOTIFIER": "1",
    }


def start_playground(config: DemoConfig) -> Service:
    """Write the Playground config from the tenant file, start the Playground and wait for its page.

    The Playground takes another port if the requested one is busy, so the real port is read
    from its ``Listening on N`` line; ``Service.url`` is the page to open.
    """
    from scripts.playground_config import CONFIG_FILE_NAME, write_playground_config  # noqa: PLC0415

    reason = playground_missing_reason(config)
    if reason:
        raise ServiceError("playground", reason)
    config.playground_dir.mkdir(parents=True, exist_ok=True)
    config_path = config.playground_dir / CONFIG_FILE_NAME
    write_playground_config(config.tenant_file, config_path)
    argv = [
        config.node,
        str(config.root / PLAYGROUND_CLI.relative_to(ROOT)),
        "-e",
        config.bot_endpoint,
        "-c",
        "msteams",
        "-p",
        str(config.playground_port),
        "--disable-telemetry",
    ]
    log_path = config.log_dir / "playground.log"  # truncated: no stale "Listening on" line
    service = spawn(
        "playground", argv, cwd=config.playground_dir, log_path=log_path, env=playground_env(config, config_path)
    )
    try:
        port = int(wait_for_log_line(service, _LISTENING, config.startup_timeout).group(1))
        wait_for_http(service, config.host, port, "/", config.startup_timeout)
    except BaseException:
        service.stop()
        raise
    service.url = f"http://{config.host}:{port}"
    return service


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore further Ctrl-C while stopping (only possible in the main thread)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_services(services: Sequence[Service]) -> None:
    """Stop services in reverse start order (a second Ctrl-C does not interrupt this)."""
    with _interrupts_ignored():
        for service in reversed(services):
            service.stop()


def start_all(
    config: DemoConfig,
    bot_command: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Service]:
    """Start sandbox, bot and Playground in order; on failure stop what was started and re-raise."""
    say = progress or (lambda _message: None)
    services: list[Service] = []
    try:
        say(f"Starting the Graph sandbox on {config.sandbox_url} ...")
        services.append(start_sandbox(config))
        say(f"Starting the bot on {config.bot_endpoint} ...")
        services.append(start_bot(config, bot_command, services[0].env))
        say("Starting the Microsoft 365 Agents Playground ...")
        services.append(start_playground(config))
    except BaseException:
        stop_services(services)
        raise
    return services


def current_user_id(config: DemoConfig) -> str:
    """The Graph id of the Playground's current user (the first ``playground: true`` user)."""
    from scripts.playground_config import load_tenant  # noqa: PLC0415

    return load_tenant(config.tenant_file).current_user.id


def banner(config: DemoConfig, playground_url: str) -> str:
    """The text printed once everything runs."""
    user_id = current_user_id(config)
    logs = config.log_dir.relative_to(config.root) if config.log_dir.is_relative_to(config.root) else config.log_dir
    return "\n".join(
        [
            "",
            f"  Microsoft 365 Agents Playground: {playground_url}",
            "",
            "  Kirjoita 'uusi' aloittaaksesi. / Type 'uusi' (new) to start.",
            "",
            f"  Bot:     {config.bot_endpoint}",
            f"  Sandbox: {config.graph_base_url}",
            f"  Events:  curl {config.graph_base_url}/users/{user_id}/events",
            f"  Admin:   {config.sandbox_url}/_admin/?user={user_id}  (answer invitations as a team member)",
            f"  Logs:    tail -f {logs}/*.log",
            "",
            "  Ctrl-C pysäyttää kaiken. / Ctrl-C stops everything.",
            "",
        ]
    )


def _raise_keyboard_interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def supervise(services: Sequence[Service], out: IO[str], poll_seconds: float = 0.5) -> int:
    """Wait until Ctrl-C/SIGTERM (exit 0) or until a service dies (exit 1); then stop everything."""
    try:
        while True:
            for service in services:
                code = service.returncode()
                if code is not None:
                    out.write(
                        f"\n{service.name} stopped unexpectedly ({describe_exit(code)}); "
                        f"stopping the others. Last lines of {service.log_path}:\n"
                    )
                    out.write(service.log_tail() + "\n")
                    return 1
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        out.write("\nStopping... / Pysäytetään...\n")
        return 0
    finally:
        stop_services(services)


def run(config: DemoConfig, out: IO[str] = sys.stdout, fresh: bool = False) -> int:
    """Start everything, print the banner, and supervise until stopped. Returns the exit code."""
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    # Ctrl-C must work even if the runner was started with SIGINT ignored (e.g. `cmd &` in a script).
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if fresh:
            for database in (config.sandbox_db, config.bot_db):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{database}{suffix}").unlink(missing_ok=True)

        def progress(message: str) -> None:
            out.write(message + "\n")
            out.flush()

        try:
            services = start_all(config, progress=progress)
        except ServiceError as err:
            out.write(f"\nCould not start the demo: {err}\n")
            if err.log_path:
                out.write(f"Last lines of {err.log_path}:\n{log_tail(err.log_path)}\n")
            return 1
        except KeyboardInterrupt:
            out.write("\nInterrupted while starting.\n")
            return 130
        out.write(banner(config, services[-1].url) + "\n")
        out.flush()
        return supervise(services, out)
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point of ``make demo``."""
    parser = argparse.ArgumentParser(description="Run the Graph sandbox, the bot and the Agents Playground")
    parser.add_argument("--tenant", type=Path, default=DEFAULT_TENANT_FILE, help="sandbox tenant YAML")
    parser.add_argument("--fresh", action="store_true", help="delete var/sandbox.db and var/bot.db first")
    parser.add_argument("--now", default="", help="run at another date: 2027-03-27T09:00+02:00 (or DEMO_NOW)")
    args = parser.parse_args(argv)
    config = DemoConfig.from_env(tenant_file=args.tenant.resolve())
    if args.now:
        config = dataclasses.replace(config, now=parse_now(args.now))
    return run(config, fresh=args.fresh)


if __name__ == "__main__":
    # Run as a file (python scripts/demo.py): make the repository importable as in the tests.
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
