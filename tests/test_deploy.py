"""The Kubernetes values (deploy/z2jh-values.yaml): keys the chart knows, figures we measured.

Helm is not installed here, so the chart's own `values.schema.yaml` cannot be run. Instead
SCHEMA below transcribes, from the Zero to JupyterHub chart's `values.schema.yaml`, the part
of it this file uses, with the chart's `additionalProperties: false` kept: a misspelt key
(`gaurantee`, `maxage`) fails here as it would fail `helm upgrade`. The resource figures must
follow deploy/measured.json by the rules deploy/README.md states.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with jupyter-events, a JupyterLab dependency

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "z2jh-values.yaml"
MEASURED = ROOT / "deploy" / "measured.json"
README = ROOT / "deploy" / "README.md"

_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_BOOL = {"type": ["boolean", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}


def _closed(**properties: object) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties}


_EXTRA_FILE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["mountPath"],
    "properties": {
        "mountPath": {"type": "string"},
        "data": {"type": "object"},
        "stringData": {"type": "string"},
        "binaryData": {"type": "string"},
        "mode": {"type": "integer"},
    },
}

# The chart's schema, restricted to the sections used (names and types as the chart has them).
SCHEMA = _closed(
    hub=_closed(
        config={"type": "object", "additionalProperties": True},
        concurrentSpawnLimit=_NULLABLE_INT,
        consecutiveFailureLimit=_NULLABLE_INT,
        activeServerLimit=_NULLABLE_INT,
    ),
    singleuser=_closed(
        image=_closed(
            name={"type": "string"},
            tag={"type": "string"},
            pullPolicy={"enum": [None, "", "IfNotPresent", "Always", "Never"]},
        ),
        memory=_closed(
            limit={"type": ["number", "string", "null"]},
            guarantee={"type": ["number", "string", "null"]},
        ),
        cpu=_closed(limit={"type": ["number", "null"]}, guarantee={"type": ["number", "null"]}),
        storage={
            **_closed(
                type={"enum": ["dynamic", "static", "none"]},
                capacity=_NULLABLE_STR,
                homeMountPath={"type": "string"},
                dynamic=_closed(
                    storageClass=_NULLABLE_STR,
                    pvcNameTemplate=_NULLABLE_STR,
                    volumeNameTemplate=_NULLABLE_STR,
                    storageAccessModes={"type": "array"},
                ),
            ),
            "required": ["type", "homeMountPath"],
        },
        lifecycleHooks=_closed(
            postStart={"type": "object", "additionalProperties": True},
            preStop={"type": "object", "additionalProperties": True},
        ),
        defaultUrl=_NULLABLE_STR,
        extraEnv={"type": ["object", "array"], "additionalProperties": True},
        extraFiles={
            "type": "object",
            "additionalProperties": False,
            "patternProperties": {".*": _EXTRA_FILE},
        },
        startTimeout=_NULLABLE_INT,
    ),
    prePuller={
        **_closed(
            hook={**_closed(enabled={"type": "boolean"}), "required": ["enabled"]},
            continuous={**_closed(enabled={"type": "boolean"}), "required": ["enabled"]},
        ),
        "required": ["hook", "continuous"],
    },
    cull={
        **_closed(
            enabled={"type": "boolean"},
            users=_NULLABLE_BOOL,
            adminUsers=_NULLABLE_BOOL,
            removeNamedServers=_NULLABLE_BOOL,
            timeout=_NULLABLE_INT,
            every=_NULLABLE_INT,
            concurrency=_NULLABLE_INT,
            maxAge=_NULLABLE_INT,
        ),
        "required": ["enabled"],
    },
)


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measured() -> dict:
    return json.loads(MEASURED.read_text(encoding="utf-8"))


def _mib(value: str) -> int:
    """KubeSpawner's byte units ("320M") are powers of 1024, so M is MiB."""
    match = re.fullmatch(r"(\d+)([KMG])", value)
    assert match, f"{value!r} is not a KubeSpawner byte size like 320M"
    number, unit = int(match[1]), match[2]
    return {"K": number / 1024, "M": number, "G": number * 1024}[unit]


def _up(mib: float, step: int = 32) -> int:
    return step * math.ceil(mib / step)


def test_values_use_only_keys_the_chart_names(values):
    jsonschema.validate(values, SCHEMA)


def test_schema_subset_rejects_a_misspelt_key(values):
    broken = json.loads(json.dumps(values))
    broken["singleuser"]["memory"]["gaurantee"] = broken["singleuser"]["memory"].pop("guarantee")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_memory_follows_the_measured_learner(values, measured):
    memory = values["singleuser"]["memory"]
    per_learner = measured["mem_per_learner_mib"]
    # guarantee: one learner (server + one kernel) after lesson 01, rounded up to 32 MiB
    assert _mib(memory["guarantee"]) == _up(per_learner)
    # limit: that learner counted with every shared page (RSS: a pod may be charged for all of
    # them) plus one more kernel at its peak (a second open notebook), rounded up to 32 MiB
    worst = measured["rss_per_learner_mib"] + measured["kernel_peak_mib"]
    assert _mib(memory["limit"]) == _up(worst)


def test_cpu_follows_the_measured_run(values, measured):
    cpu = values["singleuser"]["cpu"]
    # guarantee: the CPU one learner's "run all" needs, spread over the burst we accept when a
    # whole class runs at once (deploy/README.md), rounded up to 0.05 core
    share = measured["cpu_s_per_run"] / measured["class_burst_target_s"]
    assert cpu["guarantee"] == pytest.approx(math.ceil(share * 20) / 20)
    assert cpu["limit"] == 1


def test_lessons_pulled_by_nbgitpuller_into_the_default_url(values):
    single = values["singleuser"]
    command = " ".join(single["lifecycleHooks"]["postStart"]["exec"]["command"])
    match = re.search(r"gitpuller (\S+) (\S+) (\S+)", command)
    assert match, command
    url, branch, folder = match.groups()
    assert url == "<student-lessons-repo-url>"
    assert folder == "/home/jovyan/lessons"
    assert folder.startswith(single["storage"]["homeMountPath"])
    # the branch the README's `git subtree split` makes, holding student/ and nothing else
    assert f"-b {branch}" in README.read_text(encoding="utf-8")
    first = sorted(p.name for p in (ROOT / "student").glob("0*.ipynb"))[0]
    assert single["defaultUrl"] == f"/lab/tree/lessons/{first}"


def test_class_sized_defaults(values):
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]
    cull = values["cull"]
    assert cull["enabled"] and 0 < cull["timeout"] < cull["maxAge"]
    assert values["singleuser"]["storage"]["type"] == "dynamic"
    news = values["singleuser"]["extraFiles"]["lab-no-news"]
    assert news["mountPath"].endswith("/share/jupyter/lab/settings/overrides.json")
    assert news["data"]["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_only_user_chosen_placeholders(values):
    text = VALUES.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert set(re.findall(r"<[^<>]+>", body)) == {
        "<your-registry>",
        "<tag>",
        "<student-lessons-repo-url>",
    }
    # the class password is given on the command line, never kept in the file
    assert not re.search(r"password\s*:", body, re.IGNORECASE)


def test_image_appendix_matches_the_classroom_hub():
    """The image's single-user server has the same JupyterHub as `lessons classroom`."""
    from packaging.requirements import Requirement

    appendix = (ROOT / "deploy" / "repo2docker-appendix").read_text(encoding="utf-8")
    pins = dict(re.findall(r'"([a-z-]+)==([\d.]+)"', appendix))
    assert set(pins) == {"nbgitpuller", "jupyterhub"}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = [Requirement(spec) for spec in project["optional-dependencies"]["classroom"]]
    hub = next(requirement for requirement in extra if requirement.name == "jupyterhub")
    assert hub.specifier.contains(pins["jupyterhub"])
    assert "--appendix" in README.read_text(encoding="utf-8")


def test_chart_bundle_built_in_the_image_lands_where_lessons_looks(values, monkeypatch):
    """The appendix builds the bundle under /opt/lessons-cache; postStart copies it to the
    folder lessons.render reads in the learner's home. Both paths follow render's rule."""
    from lessons import render

    appendix = (ROOT / "deploy" / "repo2docker-appendix").read_text(encoding="utf-8")
    built = re.search(r"XDG_CACHE_HOME=(\S+) ", appendix)
    assert built, "the appendix does not build the bundle"
    monkeypatch.setenv("XDG_CACHE_HOME", built[1])
    image_cache = render._cache_dir()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/jovyan")
    home_cache = render._cache_dir()
    command = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"][-1]
    expected = f"cp -n {image_cache}/*.js {home_cache.as_posix().replace('/home/jovyan', '~')}/"
    assert expected in command


def test_learner_server_set_as_in_the_rehearsal(values):
    """The measured figures are for a server without Voilà, language servers and terminal."""
    from lessons.classroom.hub import LEARNER_SERVER

    server = values["singleuser"]["extraFiles"]["learner-server"]
    assert server["mountPath"] == "/etc/jupyter/jupyter_server_config.json"
    assert server["data"]["ServerApp"] == LEARNER_SERVER["ServerApp"]
    assert server["data"]["MappingKernelManager"]["cull_idle_timeout"] > 0
