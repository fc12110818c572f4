"""Inside JupyterHub: apply the class settings, pick the spawner, give each learner a home.

Why a module and not a generated config file full of code: the hub's config file is two
lines that call `configure(c, settings_file)`, so every rule lives in tested, linted code.
The class password and the API token come from the hub's environment and are removed from
it at once, so neither the proxy, the services nor any learner's server inherits them.

>>> from traitlets.config import Config
>>> import json, tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "s.json").write_text(json.dumps({"JupyterHub": {"log_level": "INFO"},
...     "Lessons": {"isolated": False, "homes_dir": str(folder), "jupyter_dir": str(folder),
...                 "cache_dir": str(folder),
...                 "lessons_dir": "", "memory_limit_mib": 0, "server_idle_s": 60,
...                 "python": "python3"}}))
>>> c = Config()
>>> apply_settings(c, folder / "s.json")["isolated"], c.JupyterHub.log_level
(False, 'INFO')
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from lessons.classroom import learners
from lessons.classroom.config import PASSWORD_ENV, TOKEN_ENV

CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
TEACHER_SCOPES = [
    "admin:users",
    "admin:servers",
    "tokens",
    "access:servers",
    "list:users",
    "read:users",
    "read:servers",
]


def apply_settings(c: Any, settings_file: str | Path) -> dict[str, Any]:
    """Copy every JupyterHub setting of the file into `c`; return our own `Lessons` section."""
    settings = json.loads(Path(settings_file).read_text(encoding="utf-8"))
    ours = settings.pop("Lessons")
    for section, values in settings.items():
        for key, value in values.items():
            c[section][key] = value
    return ours


def configure(c: Any, settings_file: str | Path) -> None:
    """The whole hub configuration (called from the hub's two-line config file)."""
    ours = apply_settings(c, settings_file)
    password = os.environ.pop(PASSWORD_ENV, "")
    token = os.environ.pop(TOKEN_ENV, "")
    c.SharedPasswordAuthenticator.user_password = password
    services: list[dict[str, Any]] = [
        {
            "name": "idle-culler",
            "command": [
                ours["python"],
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={ours['server_idle_s']}",
                "--cull-every=300",
            ],
        }
    ]
    roles = [{"name": "idle-culler", "scopes": CULLER_SCOPES, "services": ["idle-culler"]}]
    if token:
        services.append({"name": "classroom", "api_token": token})
        roles.append({"name": "classroom", "scopes": TEACHER_SCOPES, "services": ["classroom"]})
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles
    c.JupyterHub.spawner_class = spawner_class(ours["isolated"])
    c.Spawner.pre_spawn_hook = pre_spawn_hook(ours)
    c.SimpleLocalProcessSpawner.home_dir_template = str(Path(ours["homes_dir"]) / "{username}")


def pre_spawn_hook(ours: dict[str, Any]) -> Any:
    """The hook run before each learner's server starts: account, home, lessons, settings."""
    homes = Path(ours["homes_dir"])
    lessons_dir = Path(ours["lessons_dir"]) if ours["lessons_dir"] else None

    def hook(spawner: Any) -> None:
        learner = spawner.user.name
        home = homes / learner
        account = learners.ensure_account(learner, home) if ours["isolated"] else None
        copied = learners.prepare_home(home, lessons_dir, account)
        learners.copy_cache(Path(ours["cache_dir"]), home, account)
        if copied:
            spawner.log.info("Copied %d lessons into the home of %s", len(copied), learner)
        spawner.environment = {
            **spawner.environment,
            "LESSONS_PROGRESS": str(home / learners.PROGRESS_FILE),
            "JUPYTER_CONFIG_PATH": ours["jupyter_dir"],
            "JUPYTER_RUNTIME_DIR": str(learners.runtime_dir(learner, account)),
        }
        spawner.lessons_cgroup = learners.memory_cgroup(learner, ours["memory_limit_mib"])

    return hook


def spawner_class(isolated: bool) -> type:
    """The learners' spawner: their own Unix account (isolated) or the hub's user (shared)."""
    from jupyterhub.spawner import (
        LocalProcessSpawner,
        SimpleLocalProcessSpawner,
        set_user_setuid,
    )

    class ClassroomSpawner(LocalProcessSpawner):
        """Each learner's server runs as `rtl-<name>`, in their memory group, umask 077."""

        lessons_cgroup: Path | None = None

        def make_preexec_fn(self, name: str) -> Any:
            become_learner = set_user_setuid(learners.system_name(self.user.name))
            group = self.lessons_cgroup

            def preexec() -> None:
                learners.join_cgroup(group)
                os.umask(0o077)
                become_learner()

            return preexec

        def user_env(self, env: dict[str, str]) -> dict[str, str]:
            import pwd

            entry = pwd.getpwnam(learners.system_name(self.user.name))
            env.update(USER=entry.pw_name, HOME=entry.pw_dir, SHELL="/bin/bash")
            return env

    class SharedClassroomSpawner(SimpleLocalProcessSpawner):
        """Every learner's server runs as the hub's user (no isolation), in its memory group."""

        lessons_cgroup: Path | None = None

        def make_preexec_fn(self, name: str) -> Any:
            go_home = super().make_preexec_fn(name)
            group = self.lessons_cgroup

            def preexec() -> None:
                learners.join_cgroup(group)
                go_home()

            return preexec

    return ClassroomSpawner if isolated else SharedClassroomSpawner
