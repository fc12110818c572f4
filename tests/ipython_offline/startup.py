# IPython start-up file for kernels started by the test suite (PYTHONSTARTUP points here; see
# network_guard.py). It runs in the kernel's user namespace, so it defines one function and
# deletes it again, prints nothing, and does not use up an execution count.


def _lessons_network_guard_startup() -> None:
    import importlib.util
    import os
    import sys

    if os.environ.get("LESSONS_NETWORK_GUARD") != "1":
        return
    if not os.environ.get("LESSONS_PROGRESS"):  # exercise progress: never into the notebooks
        import tempfile

        os.environ["LESSONS_PROGRESS"] = os.path.join(
            tempfile.gettempdir(), f"lessons_progress_test_{os.getpid()}.json"
        )
    name = "_lessons_network_guard"
    if name not in sys.modules:
        folder = os.path.dirname(os.path.abspath(os.environ["PYTHONSTARTUP"]))
        spec = importlib.util.spec_from_file_location(
            name, os.path.join(folder, "network_guard.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    sys.modules[name].install()


_lessons_network_guard_startup()
del _lessons_network_guard_startup
