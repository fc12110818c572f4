"""`lessons classroom`: start the hub, tell the teacher what to give learners, stop on Ctrl+C.

Why a separate module: the command's text (address, QR code, password, safety mode, how to
stop) is what a teacher reads in front of a class, so it is built by one function that a
test can read (`summary`), and the command in cli.py stays a thin wrapper.

>>> print(summary("http://192.168.1.20:8000/", "kq7m-x3pd", Path("classroom"), isolated=True,
...               memory="1024 MiB per learner (enforced)", qr="").splitlines()[2])
  Learners open:    http://192.168.1.20:8000/
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable
from pathlib import Path

SHARED_WARNING = (
    "WARNING: shared-user mode: {reason}. Every learner's server runs as your own user, so a"
    " learner's notebook can read the other learners' work and your files (see"
    " docs/classroom.md, Safety modes)."
)
NO_NETWORK = (
    "WARNING: no network found, so only this machine can open the address. Join the room's"
    " Wi-Fi and start again, or give the address with --ip."
)


def missing_extra() -> str | None:
    """A one-line fix when the hub cannot run here (Windows, or no `classroom` extra), else None."""
    if os.name == "nt":
        return (
            "JupyterHub does not run on Windows itself: run the class from WSL2 (Ubuntu);"
            " see docs/classroom.md, Windows"
        )
    if importlib.util.find_spec("jupyterhub") and importlib.util.find_spec("segno"):
        return None
    return (
        "the classroom tools are not installed: run `python3 run.py classroom`, or"
        " `uv sync --extra classroom` in the project folder"
    )


def summary(url: str, password: str, folder: Path, *, isolated: bool, memory: str, qr: str) -> str:
    """What the teacher reads once the hub is up."""
    mode = "one account per learner" if isolated else "shared-user mode"
    lines = [
        f"The class hub is running ({mode}).",
        "",
        f"  Learners open:    {url}",
        f"  Class password:   {password}",
        "",
        qr.rstrip("\n"),
        f"  QR code picture:  {folder / 'address.png'} (show it on the projector)",
        "",
        "  Each learner types a name of their own (letters a-z, digits, no spaces) and the class",
        "  password, and gets their own copy of the lessons (their work stays in",
        f"  {folder / 'homes'}/<name>, also after a restart).",
        f"  Memory limit:     {memory}",
        "  Class progress:   `lessons classroom progress` in another terminal",
        f"  Hub log:          {folder / 'hub' / 'hub.log'}",
        "  Stop:             press Ctrl+C (the learners' work is kept)",
    ]
    return "\n".join(line for line in lines if line is not None)


def run_class(config: object, echo: Callable[[str], None]) -> int:
    """Start the hub for `config`, print the summary, wait for Ctrl+C; return an exit code."""
    from lessons.classroom import address
    from lessons.classroom.config import Layout
    from lessons.classroom.hub import ClassroomError, start_hub

    echo("Starting the class hub (about 10 s) …")
    try:
        hub = start_hub(config)  # type: ignore[arg-type]
    except (ClassroomError, ValueError) as err:
        echo(f"Error: {err}")
        return 1
    try:
        layout = Layout(hub.folder)
        address.qr_png(hub.url, layout.qr_png)
        relative = _relative(hub.folder)
        if not hub.isolated:
            echo(SHARED_WARNING.format(reason=hub.shared_reason))
        if getattr(config, "ip", None) is None and hub.url.split("//")[1].startswith("127."):
            echo(NO_NETWORK)
        if hub.https:
            echo("HTTPS: browsers warn once about the self-signed certificate; choose to go on.")
        memory = getattr(config, "memory_limit_mib", 0)
        limit = (
            f"{memory} MiB per learner (enforced)"
            if hub.memory_limited
            else "not enforced on this machine (needs root and a memory cgroup)"
        )
        echo(
            summary(
                hub.url,
                hub.password,
                relative,
                isolated=hub.isolated,
                memory=limit,
                qr=address.qr_text(hub.url),
            )
        )
        while hub.running():
            time.sleep(1)
        echo(f"Error: the hub stopped by itself; see {layout.log_file}")
        return 1
    except KeyboardInterrupt:
        echo("\nStopping the hub and every learner's server …")
        return 0
    finally:
        hub.stop()
        echo(f"Stopped. The learners' work is kept in {_relative(hub.folder) / 'homes'}.")


def _relative(folder: Path) -> Path:
    try:
        return folder.relative_to(Path.cwd())
    except ValueError:
        return folder
