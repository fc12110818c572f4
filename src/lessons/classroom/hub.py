"""Start and stop the class hub: `start_hub(config) -> RunningHub`, and log a learner in.

Why a child process: JupyterHub owns its event loop, signals and proxy; running it as
`python -m jupyterhub` in its own session lets us wait until it answers through the proxy,
stop it (and every learner's server) in one call, and keep its log in a file that never
holds the password (the password travels in the hub's environment, which the hub empties).

Everything lives under the classroom folder: hub/ (0700: database, cookie secret, config,
log, certificate), homes/ (0711: one 0700 home per learner), jupyter/ (the learners'
JupyterLab settings). Used by `lessons classroom` and by the rehearsal (rehearse.py).

A folder where no hub runs is free to start one:

>>> import tempfile
>>> _running_hub_pid(Layout(Path(tempfile.mkdtemp()) / "classroom")) is None
True
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lessons.classroom import address, learners
from lessons.classroom.config import (
    PASSWORD_ENV,
    TOKEN_ENV,
    ClassroomConfig,
    Layout,
    check_password,
    generate_password,
    hub_settings,
)
from lessons.classroom.network import free_port, lan_address

CONFIG_FILE_TEXT = (
    "# Written by `lessons classroom`; the settings are in hub_settings.json beside it.\n"
    "from lessons.classroom.hubconfig import configure\n\n"
    "configure(c, {settings!r})  # noqa: F821 - `c` is JupyterHub's config object\n"
)
NEWS_OFF = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
# Server extensions no learner uses (Voilà, language servers) and the terminal (a shell is no
# part of a lesson, and one fewer way round the notebook): less memory, faster start.
LEARNER_SERVER = {
    "ServerApp": {
        "terminals_enabled": False,
        "jpserver_extensions": {
            "voila.server_extension": False,
            "jupyter_lsp": False,
            "jupyter_server_terminals": False,
        },
    }
}


class ClassroomError(RuntimeError):
    """A problem the teacher can fix; the message says how (one line, no traceback)."""


@dataclass
class RunningHub:
    """A started hub. Stop it with `.stop()` or use it as a context manager."""

    url: str
    password: str
    api_token: str
    folder: Path
    isolated: bool
    memory_limited: bool
    process: subprocess.Popen[bytes]
    https: bool = False
    shared_reason: str = ""  # why learners share one account (empty when isolated)
    _helpers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return self.url + "hub/api"

    @property
    def log_path(self) -> Path:
        return Layout(self.folder).log_file

    def home(self, learner: str) -> Path:
        """A learner's home: their copy of the lessons and their progress record."""
        return Layout(self.folder).home(learner)

    def pids(self) -> dict[str, int]:
        """{'hub': pid, 'proxy': pid} (the proxy's once it has started)."""
        found = {"hub": self.process.pid}
        pid_file = Layout(self.folder).hub_dir / "jupyterhub-proxy.pid"
        with contextlib.suppress(OSError, ValueError):
            found["proxy"] = int(pid_file.read_text().strip())
        return found

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        """Stop the hub, its proxy and every learner's server (idempotent)."""
        leftovers = _descendants(self.process.pid) if self.running() else {}
        for helper in self._helpers:  # the chart-bundle builder, the TLS forwarder
            if helper.poll() is None:
                helper.terminate()
                try:
                    helper.wait(5)
                except subprocess.TimeoutExpired:
                    helper.kill()
                    helper.wait()
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for pid, started in leftovers.items():  # servers the hub could not stop
            if _started(pid) == started:  # the same process, not a new one with its number
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGTERM)
        learners.remove_memory_cgroups()

    def __enter__(self) -> RunningHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _started(pid: int) -> str | None:
    """A process's start time (field 22 of /proc/PID/stat), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its start time (Linux /proc; empty elsewhere).

    The start time tells a learner's server from a later process that got the same number.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            started = _started(child)
            if child not in found and started is not None:
                found[child] = started
                todo.append(child)
    return found


def student_lessons() -> Path:
    """The project's student copies (what every learner gets a copy of)."""
    from lessons.project import ProjectNotFound, find_project_root, lesson_files

    try:
        root = find_project_root()
    except ProjectNotFound as err:
        raise ClassroomError(str(err)) from None
    folder = root / "student"
    if not lesson_files(folder):
        raise ClassroomError(f"no student copies in {folder}: run `lessons student` first")
    return folder


def _prepare_folders(layout: Layout) -> None:
    for folder, mode in (
        (layout.folder, 0o711),
        (layout.hub_dir, 0o700),
        (layout.homes_dir, 0o711),
        (layout.jupyter_dir, 0o755),
        (layout.jupyter_dir / "labconfig", 0o755),
        (layout.cache_dir, 0o700),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, mode)
    page_config = layout.jupyter_dir / "labconfig" / "page_config.json"
    page_config.write_text(json.dumps(NEWS_OFF, indent=1), encoding="utf-8")
    server_config = layout.jupyter_dir / "jupyter_server_config.json"
    server_config.write_text(json.dumps(LEARNER_SERVER, indent=1), encoding="utf-8")
    for path in (page_config, server_config):
        os.chmod(path, 0o644)


def _check_isolation(config: ClassroomConfig) -> tuple[bool, str]:
    """(whether learners get their own accounts, why not when they do not).

    Asked for explicitly (`isolated=True`) and impossible: ClassroomError. Left to the default
    (`None`): the shared-user mode, with the reason, so the teacher sees the warning.
    """
    if config.isolated is False:
        return False, "asked for with --shared"
    reason = learners.can_isolate()
    if reason is None:
        import lessons

        needed = {
            "the classroom folder": config.folder.resolve().parent,
            "Python": Path(sys.executable).resolve(),
            "the lessons package": Path(lessons.__file__).resolve(),
        }
        for what, path in needed.items():
            closed = learners.closed_folder(path)
            if closed is not None:
                mode = closed.stat().st_mode & 0o777
                reason = (
                    f"learners' accounts cannot reach {what} ({path}): {closed} is closed to"
                    f" other users (mode {mode:o}); see docs/classroom.md, Troubleshooting"
                )
                break
    if reason is None:
        return True, ""
    if config.isolated:
        raise ClassroomError(reason)
    return False, reason


def start_hub(config: ClassroomConfig, timeout: float = 90) -> RunningHub:
    """Start the hub for `config`; return once it answers through its public address."""
    lessons_dir = (config.lessons_dir or student_lessons()).resolve()
    from lessons.project import lesson_files

    held = lesson_files(lessons_dir)
    if not held:
        raise ClassroomError(f"no lessons in {lessons_dir}")
    first = next((p.name for p in held if p.name.startswith("00_")), held[0].name)
    password = check_password(config.password) if config.password else generate_password()
    isolated, shared_reason = _check_isolation(config)
    layout = Layout(config.folder.resolve())
    running = _running_hub_pid(layout)
    if running:
        raise ClassroomError(
            f"a hub is already running for {layout.folder} (process {running}): stop it first"
        )
    _prepare_folders(layout)
    ip = config.ip or lan_address()
    port = free_port(ip, config.port) if config.port else free_port(ip)
    hub_port = free_port()
    api_port, proxy_port = free_port(), free_port()
    while len({hub_port, api_port, proxy_port}) < 3:
        api_port, proxy_port = free_port(), free_port()
    tls = address.self_signed_certificate(layout.hub_dir / "tls", ip) if config.https else None
    settings = hub_settings(
        config,
        public_ip=ip,
        public_port=port,
        hub_port=hub_port,
        api_port=api_port,
        isolated=isolated,
        first_lesson=first,
        lessons_dir=lessons_dir,
        https_proxy_port=proxy_port if tls else None,
        as_root=hasattr(os, "geteuid") and os.geteuid() == 0,
    )
    layout.settings_file.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    layout.config_file.write_text(
        CONFIG_FILE_TEXT.format(settings=str(layout.settings_file)), encoding="utf-8"
    )
    token = secrets.token_hex(32)
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        PASSWORD_ENV: password,
        TOKEN_ENV: token,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    }
    env.pop("LESSONS_PROGRESS", None)  # each learner gets their own, set by the hook
    plain_env = {k: v for k, v in env.items() if k not in (PASSWORD_ENV, TOKEN_ENV)}
    helpers = [
        subprocess.Popen(  # the charts' JavaScript bundle, built once for every learner
            [sys.executable, "-c", "from lessons.render import setup; setup()"],
            cwd=layout.hub_dir,
            env={**plain_env, "XDG_CACHE_HOME": str(layout.cache_dir)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    with open(layout.log_file, "ab") as log:
        if tls:  # learners' HTTPS on the public address -> the proxy on 127.0.0.1
            forward = [ip, str(port), str(proxy_port), str(tls[0]), str(tls[1])]
            helpers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "lessons.classroom.tls", *forward],
                    cwd=layout.hub_dir,
                    env=plain_env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(layout.config_file)],
            cwd=layout.hub_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=0o077,
        )
    hub = RunningHub(
        url=address.learner_url(ip, port, https=bool(tls)),
        password=password,
        api_token=token,
        folder=layout.folder,
        isolated=isolated,
        memory_limited=config.memory_limit_mib > 0 and learners.memory_limits_available(),
        process=process,
        https=bool(tls),
        shared_reason=shared_reason,
        _helpers=helpers,
    )
    try:
        _wait_until_ready(hub, timeout)
    except BaseException:
        hub.stop()
        raise
    return hub


def _running_hub_pid(layout: Layout) -> int | None:
    """The process of a hub still running on this classroom folder, if any."""
    try:
        pid = int((layout.hub_dir / "jupyterhub.pid").read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"jupyterhub" in command else None


def _ssl_context(hub_url: str) -> ssl.SSLContext | None:
    if not hub_url.startswith("https"):
        return None
    context = ssl.create_default_context()
    context.check_hostname = False  # our own self-signed certificate
    context.verify_mode = ssl.CERT_NONE
    return context


def _wait_until_ready(hub: RunningHub, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    context = _ssl_context(hub.url)
    while time.monotonic() < deadline:
        if not hub.running():
            raise ClassroomError(f"the hub stopped while starting: {_log_tail(hub.log_path)}")
        try:
            with urllib.request.urlopen(hub.url + "hub/health", timeout=5, context=context) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise ClassroomError(f"the hub did not answer within {timeout:.0f} s; see {hub.log_path}")


def _log_tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return f"see {log}"
    return " | ".join(text[-lines:]) + f" (log: {log})"


def login(url: str, name: str, password: str, timeout: float = 120) -> Any:
    """Log in as a learner would (name + class password); return the `requests.Session`.

    Returns once the learner's own server answers `/user/<name>/api/status`.
    """
    import requests

    session = requests.Session()
    session.trust_env = False  # the hub is on this network: no proxy, no CA bundle from env
    session.verify = not url.startswith("https")  # our own self-signed certificate
    session.get(url + "hub/login", timeout=30)
    form = {"username": name, "password": password, "_xsrf": session.cookies.get("_xsrf", "")}
    answer = session.post(url + "hub/login", data=form, timeout=timeout)
    if answer.url.rstrip("/").endswith("/hub/login") or answer.status_code == 403:
        raise ClassroomError(f"login as {name!r} refused (HTTP {answer.status_code})")
    deadline = time.monotonic() + timeout
    server = f"{url}user/{name}/"
    while time.monotonic() < deadline:
        # /api answers without a login once the server is up; the page then runs the
        # hub's OAuth hand-shake (as a browser does), which gives the server's cookie.
        if _is_json(session.get(server + "api", timeout=30)):
            session.get(server, timeout=60)
            if _is_json(session.get(server + "api/status", timeout=30)):
                return session
        pending = session.get(f"{url}hub/spawn-pending/{name}", allow_redirects=False, timeout=30)
        failed = pending.status_code >= 500 or "/hub/spawn/" in pending.headers.get("location", "")
        if failed:  # the spawn failed, or no server is starting any more
            raise ClassroomError(f"the server of {name!r} failed to start; see the hub's log")
        time.sleep(0.5)
    raise ClassroomError(f"the server of {name!r} did not start within {timeout:.0f} s")


def _is_json(reply: Any) -> bool:
    return reply.status_code == 200 and reply.headers.get("content-type", "").startswith(
        "application/json"
    )
