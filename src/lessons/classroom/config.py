"""What the class hub is set to: sizes, limits and addresses for a class of 30, as plain data.

Why plain data: every setting the hub gets is built here by one pure function
(`hub_settings`), so a test can check the limits for 30 learners without starting anything,
and the hub applies exactly this dict (hubconfig.py). Secrets are not in it: the class
password and the API token reach the hub through its environment, never a file or a log.

Only the public proxy listens on the room's network; the hub, the proxy's API and every
learner's server stay on 127.0.0.1.

>>> config = ClassroomConfig(folder=Path("/tmp/class"))
>>> s = hub_settings(config, public_ip="192.168.1.20", public_port=8000, hub_port=8081,
...                  api_port=8001, isolated=False, first_lesson="00_start_here.ipynb")
>>> s["JupyterHub"]["bind_url"], s["JupyterHub"]["hub_bind_url"]
('http://192.168.1.20:8000/', 'http://127.0.0.1:8081')
>>> s["JupyterHub"]["concurrent_spawn_limit"], s["Spawner"]["ip"], s["Spawner"]["default_url"]
(30, '127.0.0.1', '/lab/tree/00_start_here.ipynb')
>>> len(generate_password()) >= 8
True
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PASSWORD_ENV = "LESSONS_CLASSROOM_PASSWORD"
TOKEN_ENV = "LESSONS_CLASSROOM_API_TOKEN"
SETTINGS_FILE = "hub_settings.json"
USER_PREFIX = "rtl-"
# No 0/o, 1/l/i: a password read aloud or from a projector is typed right the first time.
_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass
class ClassroomConfig:
    """What a teacher can choose (the CLI's options); everything else follows from it."""

    folder: Path = Path("classroom")  # all hub state and learners' homes (made if missing)
    ip: str | None = None  # the address learners open; None = this machine's LAN address
    port: int = 8000  # the public port (the next free one if taken); 0 = any free port
    password: str | None = None  # the class password; None = generated
    isolated: bool | None = None  # one Unix user per learner; None = yes when root on Linux
    lessons_dir: Path | None = None  # what each learner gets a copy of; None = student/
    https: bool = False  # a self-signed certificate (browsers warn once)
    max_learners: int = 30
    kernels_per_learner: int = 1  # a new kernel shuts the learner's older one down
    memory_limit_mib: int = 1024  # per learner, where the machine can enforce it; 0 = none
    kernel_idle_s: int = 1800  # a kernel idle this long is shut down
    server_idle_s: int = 3600  # a learner's server idle this long is stopped (work is kept)
    spawn_timeout_s: int = 180  # 30 learners logging in at once on 2 cores take ~60 s
    log_level: str = "INFO"


@dataclass(frozen=True)
class Layout:
    """Where everything lives under the classroom folder (and nowhere else).

    >>> Layout(Path("/tmp/class")).home("anna")
    PosixPath('/tmp/class/homes/anna')
    """

    folder: Path

    @property
    def hub_dir(self) -> Path:  # 0700: database, cookie secret, config, log, certificate
        return self.folder / "hub"

    @property
    def homes_dir(self) -> Path:  # 0711: one 0700 folder per learner
        return self.folder / "homes"

    @property
    def jupyter_dir(self) -> Path:  # 0755: the learners' JupyterLab settings (news off)
        return self.folder / "jupyter"

    @property
    def cache_dir(self) -> Path:  # 0700: what every learner's cache starts with (chart bundle)
        return self.folder / "cache"

    @property
    def config_file(self) -> Path:
        return self.hub_dir / "jupyterhub_config.py"

    @property
    def settings_file(self) -> Path:
        return self.hub_dir / SETTINGS_FILE

    @property
    def log_file(self) -> Path:
        return self.hub_dir / "hub.log"

    @property
    def qr_png(self) -> Path:
        return self.folder / "address.png"

    def home(self, learner: str) -> Path:
        return self.homes_dir / learner


def generate_password() -> str:
    """A class password easy to read aloud and type on a tablet, e.g. 'kq7m-x3pd'."""
    half = [secrets.choice(_PASSWORD_LETTERS) for _ in range(8)]
    return "".join(half[:4]) + "-" + "".join(half[4:])


def check_password(password: str) -> str:
    """The password if usable by the hub; ValueError with the rule otherwise."""
    if len(password) < 8:
        raise ValueError("the class password needs at least 8 characters")
    return password


def hub_settings(
    config: ClassroomConfig,
    *,
    public_ip: str,
    public_port: int,
    hub_port: int,
    api_port: int,
    isolated: bool,
    first_lesson: str | None,
    lessons_dir: Path | None = None,
    bin_dir: Path | None = None,
    https_proxy_port: int | None = None,
    as_root: bool = False,
) -> dict[str, dict[str, Any]]:
    """Every JupyterHub setting for the class, by configurable class (JSON-ready).

    With `https_proxy_port`, learners reach the hub over HTTPS on the public address through
    our TLS forwarder (tls.py), and the proxy itself listens on 127.0.0.1 at that port.
    The `Lessons` section is ours: what the pre-spawn hook and spawner need.
    """
    folder = config.folder.resolve()
    layout = Layout(folder)
    bin_dir = bin_dir or Path(sys.executable).parent
    limit = config.max_learners
    hub: dict[str, Any] = {
        "bind_url": f"http://{public_ip}:{public_port}/",
        "hub_bind_url": f"http://127.0.0.1:{hub_port}",
        "hub_connect_ip": "127.0.0.1",
        "db_url": f"sqlite:///{layout.hub_dir / 'jupyterhub.sqlite'}",
        "cookie_secret_file": str(layout.hub_dir / "jupyterhub_cookie_secret"),
        "pid_file": str(layout.hub_dir / "jupyterhub.pid"),
        "authenticator_class": "shared-password",
        "concurrent_spawn_limit": limit,
        "active_server_limit": limit,
        "cleanup_servers": True,
        "cleanup_proxy": True,
        "log_level": config.log_level,
        "template_vars": {
            "announcement_login": "Type a name for yourself (letters a-z and digits, no spaces) "
            "and the class password your teacher gives you."
        },
    }
    if https_proxy_port:
        hub["bind_url"] = f"http://127.0.0.1:{https_proxy_port}/"
        hub["public_url"] = f"https://{public_ip}:{public_port}/"
    server_args = [
        "--ServerApp.kernel_manager_class=lessons.classroom.kernels.LessonKernelManager",
        f"--LessonKernelManager.max_kernels={config.kernels_per_learner}",
        f"--MappingKernelManager.cull_idle_timeout={config.kernel_idle_s}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=True",
        # kernels talk over sockets in the learner's own runtime folder, not TCP ports that
        # 30 servers starting at once can pick twice (learners.runtime_dir says why)
        "--KernelManager.transport=ipc",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if as_root and not isolated:  # shared mode started with sudo: servers run as root too
        server_args.append("--allow-root")
    default_url = f"/lab/tree/{first_lesson}" if first_lesson else "/lab"
    return {
        "JupyterHub": hub,
        "ConfigurableHTTPProxy": {
            "api_url": f"http://127.0.0.1:{api_port}",
            # a kernel's websocket waits for the kernel to start: 30 at once on 2 cores can
            # take longer than the proxy's default 20 s
            "command": [str(bin_dir / "configurable-http-proxy"), "--proxy-timeout=120000"],
            "should_start": True,
        },
        "Authenticator": {
            "allow_all": True,
            "username_pattern": r"^[a-z][a-z0-9_-]{0,19}$",
        },
        "Spawner": {
            "ip": "127.0.0.1",
            "cmd": [str(bin_dir / "jupyterhub-singleuser")],
            "args": server_args,
            "default_url": default_url,
            "start_timeout": config.spawn_timeout_s,
            "http_timeout": config.spawn_timeout_s,
        },
        "Lessons": {
            "homes_dir": str(layout.homes_dir),
            "jupyter_dir": str(layout.jupyter_dir),
            "cache_dir": str(layout.cache_dir),
            "lessons_dir": str(lessons_dir) if lessons_dir else "",
            "isolated": isolated,
            "memory_limit_mib": config.memory_limit_mib,
            "server_idle_s": config.server_idle_s,
            "python": str(bin_dir / Path(sys.executable).name),
        },
    }
