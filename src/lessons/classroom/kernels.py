"""One running lesson kernel per learner: a new one shuts the learner's oldest one down.

Why: every open notebook starts a kernel of ~230 MiB. A learner who opens five lessons
would hold five, and thirty learners would fill the teacher's laptop. Shutting the oldest
down (its notebook stays open and saved; running a cell there asks for a kernel again) keeps
each learner at one kernel with no dialog to answer. The learner's server loads this class
by name (`--ServerApp.kernel_manager_class=lessons.classroom.kernels.LessonKernelManager`).

>>> LessonKernelManager.class_traits()["max_kernels"].default_value
1
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer


class LessonKernelManager(AsyncMappingKernelManager):
    """AsyncMappingKernelManager that keeps at most `max_kernels` kernels running."""

    max_kernels = Integer(1, config=True, help="Kernels kept running; 0 means no limit.")

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs: Any) -> str:
        if kernel_id is None and self.max_kernels > 0:
            running = self.list_kernel_ids()  # in the order they started
            for old in running[: max(0, len(running) - self.max_kernels + 1)]:
                self.log.info("One kernel per learner: shutting down kernel %s", old)
                await self.shutdown_kernel(old)
        return await super().start_kernel(kernel_id=kernel_id, **kwargs)
