"""The class hub (issue 14.1–14.4): settings for 30, secrets kept out of logs, the progress
table, and one learner logging in to a real hub on loopback (shared-user mode).

The end-to-end test needs the `classroom` extra (jupyterhub); it is skipped, with the reason,
where that is not installed. The isolation test is tests/test_classroom_isolation.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from lessons.classroom import address, hubconfig, learners
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
from lessons.classroom.progress import class_progress, format_table
from lessons.classroom.serve import summary
from lessons.cli import main

ROOT = Path(__file__).resolve().parents[1]
STUDENT = ROOT / "student"


def settings_for(tmp_path: Path, **changes) -> dict:
    config = ClassroomConfig(folder=tmp_path / "classroom", **changes)
    return hub_settings(
        config,
        public_ip="192.168.1.20",
        public_port=8000,
        hub_port=8081,
        api_port=8001,
        isolated=True,
        first_lesson="00_start_here.ipynb",
        lessons_dir=STUDENT,
    )


def test_settings_are_sized_for_a_class_of_thirty(tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    hub, spawner = s["JupyterHub"], s["Spawner"]
    assert hub["concurrent_spawn_limit"] == 30
    assert hub["active_server_limit"] == 30
    assert spawner["start_timeout"] >= 120 and spawner["http_timeout"] >= 120
    args = spawner["args"]
    assert "--LessonKernelManager.max_kernels=1" in args
    assert "--MappingKernelManager.cull_idle_timeout=1800" in args
    assert "--MappingKernelManager.cull_connected=True" in args
    assert "--LabApp.news_url=None" in args
    assert any("kernel_manager_class=lessons.classroom.kernels" in a for a in args)
    assert spawner["default_url"] == "/lab/tree/00_start_here.ipynb"
    assert s["Lessons"]["server_idle_s"] == 3600
    assert s["Lessons"]["memory_limit_mib"] == 1024
    assert s["Authenticator"]["allow_all"] is True
    assert "--allow-root" not in args  # isolated: servers run as the learners


def test_only_the_public_proxy_leaves_loopback(tmp_path: Path) -> None:
    s = settings_for(tmp_path)
    assert s["JupyterHub"]["bind_url"] == "http://192.168.1.20:8000/"
    assert s["JupyterHub"]["hub_bind_url"] == "http://127.0.0.1:8081"
    assert s["JupyterHub"]["hub_connect_ip"] == "127.0.0.1"
    assert s["ConfigurableHTTPProxy"]["api_url"] == "http://127.0.0.1:8001"
    assert s["Spawner"]["ip"] == "127.0.0.1"
    state = str((tmp_path / "classroom").resolve())
    assert s["JupyterHub"]["db_url"].startswith(f"sqlite:///{state}/hub/")
    assert s["JupyterHub"]["cookie_secret_file"].startswith(state)
    assert s["Lessons"]["homes_dir"] == f"{state}/homes"
    assert "user_password" not in json.dumps(s)  # the password reaches the hub by its env only


def test_with_https_the_proxy_stays_on_loopback_behind_the_tls_forwarder(tmp_path: Path) -> None:
    config = ClassroomConfig(folder=tmp_path / "classroom", https=True)
    s = hub_settings(
        config,
        public_ip="192.168.1.20",
        public_port=8000,
        hub_port=8081,
        api_port=8001,
        isolated=False,
        first_lesson=None,
        https_proxy_port=8002,
    )
    assert s["JupyterHub"]["bind_url"] == "http://127.0.0.1:8002/"
    assert s["JupyterHub"]["public_url"] == "https://192.168.1.20:8000/"
    assert s["Spawner"]["default_url"] == "/lab"


def test_settings_follow_the_teachers_choices(tmp_path: Path) -> None:
    s = settings_for(tmp_path, max_learners=12, kernels_per_learner=2, kernel_idle_s=600)
    assert s["JupyterHub"]["concurrent_spawn_limit"] == 12
    assert "--LessonKernelManager.max_kernels=2" in s["Spawner"]["args"]
    assert "--MappingKernelManager.cull_idle_timeout=600" in s["Spawner"]["args"]


def test_hub_takes_secrets_from_its_environment_and_forgets_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jupyterhub", reason="needs the classroom extra")
    from traitlets.config import Config

    layout = Layout(tmp_path / "classroom")
    layout.hub_dir.mkdir(parents=True)
    layout.settings_file.write_text(json.dumps(settings_for(tmp_path)))
    monkeypatch.setenv(PASSWORD_ENV, "class-pass-1234")
    monkeypatch.setenv(TOKEN_ENV, "f" * 64)
    c = Config()
    hubconfig.configure(c, layout.settings_file)
    assert c.SharedPasswordAuthenticator.user_password == "class-pass-1234"
    assert PASSWORD_ENV not in os.environ and TOKEN_ENV not in os.environ
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert "--timeout=3600" in services["idle-culler"]["command"]
    assert services["classroom"]["api_token"] == "f" * 64
    assert c.JupyterHub.spawner_class.__name__ == "ClassroomSpawner"
    assert c.JupyterHub.hub_bind_url == "http://127.0.0.1:8081"


def test_passwords() -> None:
    made = {generate_password() for _ in range(20)}
    assert len(made) == 20
    assert all(len(p) == 9 and not set(p) & set("0o1li") for p in made)
    assert check_password("long-enough") == "long-enough"
    with pytest.raises(ValueError, match="at least 8"):
        check_password("short")


def test_names_and_accounts() -> None:
    assert learners.system_name("anna") == "rtl-anna"
    for bad in ("Anna", "an na", "", "1anna", "a" * 21, "../x", "ayşe"):
        assert not learners.valid_name(bad)
        with pytest.raises(ValueError):
            learners.system_name(bad)


def test_a_learners_copy_is_never_overwritten(tmp_path: Path) -> None:
    home = tmp_path / "homes" / "anna"
    copied = learners.prepare_home(home, STUDENT)
    assert sorted(p.name for p in copied) == sorted(p.name for p in STUDENT.glob("[0-9]*.ipynb"))
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    (home / copied[0].name).write_text("my work")
    (home / copied[1].name).unlink()
    again = learners.prepare_home(home, STUDENT)
    assert [p.name for p in again] == [copied[1].name]  # only the missing lesson comes back
    assert (home / copied[0].name).read_text() == "my work"


def test_the_chart_bundle_built_once_reaches_every_new_home(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "russia-turkey-lessons").mkdir(parents=True)
    (cache / "russia-turkey-lessons" / "bundle.js").write_text("built once")
    home = tmp_path / "homes" / "anna"
    home.mkdir(parents=True)
    copied = learners.copy_cache(cache, home)
    assert copied == [home / ".cache" / "russia-turkey-lessons" / "bundle.js"]
    assert copied[0].read_text() == "built once"
    copied[0].write_text("the learner's own")
    assert learners.copy_cache(cache, home) == []
    assert copied[0].read_text() == "the learner's own"
    assert learners.copy_cache(tmp_path / "none", home) == []


def record(home: Path, exercises: dict) -> None:
    home.mkdir(parents=True)
    (home / "lessons_progress.json").write_text(
        json.dumps({"version": 1, "exercises": exercises}), encoding="utf-8"
    )


def test_class_progress_table_from_learners_records(tmp_path: Path) -> None:
    homes = tmp_path / "homes"
    record(homes / "anna", {"01.1": {"status": "right"}, "01.2": {"status": "written"}})
    record(homes / "ben", {"01.1": {"status": "tried"}, "02.1": {"status": "right"}})
    (homes / "cem").mkdir()  # logged in, nothing answered yet
    (homes / "dana").mkdir()
    (homes / "dana" / "lessons_progress.json").write_text("{not json")
    exercises = {"01": ["01.1", "01.2", "01.3"], "02": ["02.1"]}
    table = class_progress(homes, exercises)
    assert [(r.learner, r.done) for r in table.rows] == [
        ("anna", {"01": 2, "02": 0}),
        ("ben", {"01": 0, "02": 1}),
        ("cem", {"01": 0, "02": 0}),
        ("dana", {"01": 0, "02": 0}),
    ]
    text = format_table(table)
    assert text.splitlines()[0].split() == ["Learner", "01", "02", "Done"]
    assert text.splitlines()[1].split() == ["anna", "2/3", "0/1", "2/4"]
    assert "dana: lessons_progress.json was damaged" in text
    assert (homes / "dana" / "lessons_progress.json").read_text() == "{not json"  # untouched


def test_class_progress_uses_every_lesson_of_the_catalogue(tmp_path: Path) -> None:
    homes = tmp_path / "classroom" / "homes"
    record(homes / "anna", {"01.1": {"status": "right"}})
    result = CliRunner().invoke(
        main, ["classroom", "progress", "--folder", str(tmp_path / "classroom")]
    )
    assert result.exit_code == 0, result.output
    header, anna = result.output.splitlines()[1:3]
    assert header.split()[:3] == ["Learner", "00", "01"]
    assert anna.split()[0] == "anna" and anna.split()[2].startswith("1/")
    empty = CliRunner().invoke(main, ["classroom", "progress", "--folder", str(tmp_path / "x")])
    assert empty.exit_code == 1 and "no learners yet" in empty.output


def test_classroom_folder_must_be_inside_this_one(tmp_path: Path) -> None:
    pytest.importorskip("jupyterhub", reason="needs the classroom extra")
    result = CliRunner().invoke(main, ["classroom", "--folder", str(tmp_path)])
    assert result.exit_code == 1
    assert "inside this one" in result.output


def test_summary_tells_what_to_give_learners_and_how_to_stop() -> None:
    text = summary(
        "http://192.168.1.20:8000/",
        "kq7m-x3pd",
        Path("classroom"),
        isolated=False,
        memory="not enforced",
        qr="QR",
    )
    assert "http://192.168.1.20:8000/" in text and "kq7m-x3pd" in text
    assert "Ctrl+C" in text and "shared-user mode" in text
    assert "classroom/address.png" in text


def test_address_helpers(tmp_path: Path) -> None:
    assert lan_address().count(".") == 3
    port = free_port()
    assert free_port(preferred=port) == port
    pytest.importorskip("segno", reason="needs the classroom extra")
    png = address.qr_png("http://192.168.1.20:8000/", tmp_path / "address.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "█" in address.qr_text("http://192.168.1.20:8000/")


def test_self_signed_certificate(tmp_path: Path) -> None:
    pytest.importorskip("cryptography", reason="needs the classroom extra")
    from cryptography import x509

    cert, key = address.self_signed_certificate(tmp_path / "tls", "192.168.1.20")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert "192.168.1.20" in [str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)]
    first = cert.read_bytes()
    assert address.self_signed_certificate(tmp_path / "tls", "192.168.1.20")[0] == cert
    assert cert.read_bytes() == first  # reused for the same address
    address.self_signed_certificate(tmp_path / "tls", "10.0.0.5")
    assert cert.read_bytes() != first  # a new address, a new certificate


def _loopback_config(tmp_path: Path, **changes) -> ClassroomConfig:
    """A hub on loopback, a free port, the shared-user mode and the committed student copies."""
    return ClassroomConfig(
        folder=tmp_path / "classroom",
        ip="127.0.0.1",
        port=0,
        isolated=False,
        lessons_dir=STUDENT,
        **changes,
    )


def test_one_learner_logs_in_to_a_hub_on_loopback(tmp_path: Path) -> None:
    """The hub starts, a learner logs in with the password, gets a server and a copy."""
    pytest.importorskip("jupyterhub", reason="needs the classroom extra")
    import requests

    from lessons.classroom.hub import ClassroomError, login, start_hub

    config = _loopback_config(tmp_path, password="class-pass-1234")
    with start_hub(config, timeout=60) as hub:
        assert hub.url.startswith("http://127.0.0.1:")
        with pytest.raises(ClassroomError, match="refused"):
            login(hub.url, "anna", "wrong-password-99", timeout=20)
        session = login(hub.url, "anna", hub.password, timeout=60)
        server = f"{hub.url}user/anna/"
        assert "started" in session.get(server + "api/status").json()

        home = hub.home("anna")
        lessons = sorted(p.name for p in STUDENT.glob("[0-9]*.ipynb"))
        assert sorted(p.name for p in home.glob("[0-9]*.ipynb")) == lessons
        assert (home / lessons[0]).read_bytes() == (STUDENT / lessons[0]).read_bytes()

        admin = {"Authorization": f"token {hub.api_token}"}
        model = requests.get(f"{hub.api_url}/users/anna", headers=admin, timeout=10).json()
        pid = model["servers"][""]["state"]["pid"]
        environ = dict(
            item.split("=", 1)
            for item in Path(f"/proc/{pid}/environ").read_text().split("\0")
            if "=" in item
        )
        assert environ["LESSONS_PROGRESS"] == str(home / "lessons_progress.json")
        assert environ["JUPYTERHUB_DEFAULT_URL"] == "/lab/tree/00_start_here.ipynb"
        assert PASSWORD_ENV not in environ and hub.password not in environ.values()

        xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", path="/user/anna/") or ""}
        for _ in range(2):
            started = session.post(server + "api/kernels", json={}, headers=xsrf, timeout=60)
            assert started.status_code == 201, started.text
        assert len(session.get(server + "api/kernels").json()) == 1  # one kernel per learner

        page = session.get(server + "lab").text
        assert "@jupyterlab/apputils-extension:announcements" in page  # news pop-up disabled
    assert not hub.running()
    assert not Path(f"/proc/{pid}").exists()  # the learner's server stopped with the hub
    layout = Layout(hub.folder)
    for written in (layout.settings_file, layout.config_file):
        assert "class-pass-1234" not in written.read_text(encoding="utf-8")
    log = hub.log_path.read_text(encoding="utf-8")
    assert "User logged in: anna" in log
    assert "class-pass-1234" not in log and "wrong-password-99" not in log


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")
def test_a_restart_keeps_the_learners_and_their_work(tmp_path: Path) -> None:
    """Stopping and starting the hub on the same folder forgets no learner and no file."""
    pytest.importorskip("jupyterhub", reason="needs the classroom extra")
    import requests

    from lessons.classroom.hub import ClassroomError, start_hub

    config = _loopback_config(tmp_path, https=True)  # and over HTTPS, through the TLS forwarder
    with start_hub(config, timeout=60) as hub:
        assert hub.url.startswith("https://127.0.0.1:")
        admin = {"Authorization": f"token {hub.api_token}"}
        made = requests.post(f"{hub.api_url}/users/anna", headers=admin, timeout=10, verify=False)
        assert made.status_code == 201, made.text
        work = learners.prepare_home(hub.home("anna"), STUDENT)[0]
        work.write_text("anna's work", encoding="utf-8")
        first_password = hub.password
        with pytest.raises(ClassroomError, match="already running"):
            start_hub(config)  # a second hub on the same folder is refused
    with start_hub(config, timeout=60) as again:
        admin = {"Authorization": f"token {again.api_token}"}
        users = requests.get(f"{again.api_url}/users", headers=admin, timeout=10, verify=False)
        assert [u["name"] for u in users.json()] == ["anna"]
        assert again.password != first_password  # a new class password for each start
    assert work.read_text(encoding="utf-8") == "anna's work"
