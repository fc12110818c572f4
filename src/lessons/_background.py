"""Run blocking work that owns an event loop, even where one is already running.

Why: a Jupyter kernel (and a test session that drives a browser) already runs an asyncio event
loop in its main thread. `asyncio.run` and Playwright's synchronous API refuse to start there.
Handing the call to a short-lived thread of its own gives it a thread without a loop; outside
such places the call simply runs here.

>>> import asyncio
>>> async def double(x):
...     return 2 * x
>>> outside_running_loop(asyncio.run, double(21))
42
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def outside_running_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)`, in a thread of its own when this thread runs a loop."""
    if not _loop_running():
        return function(*args, **kwargs)
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = function(*args, **kwargs)
        except BaseException as err:  # handed back to the caller, re-raised below
            result["error"] = err

    thread = threading.Thread(target=work, name="lessons-outside-loop")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
