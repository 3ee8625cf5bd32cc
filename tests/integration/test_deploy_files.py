"""The deployment files (Dockerfile, Compose, Prometheus, Grafana, Procfile) are consistent.

No Docker engine is needed: the files are parsed and cross-checked in Python, and every PromQL
expression may only name metrics that ``innertalk.infrastructure.observability.metrics``
registers (or Prometheus' ``up``). ``promtool`` and ``docker compose`` add their own checks when
installed.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from innertalk.infrastructure.observability import metrics  # noqa: F401 - registers InnerTalk's metrics

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docker-compose.yml"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "innertalk.json"
PROCFILE = ROOT / "Procfile"

STANDARD_METRICS = frozenset({"up"})
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "enum": ("",),
}


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = _yaml(COMPOSE)
    return data


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


# --- PromQL: which metric names does an expression use? ---------------------------------------

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.$:])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}
)
_LABEL_VALUES = re.compile(r"label_values\(\s*([A-Za-z_:][\w:]*)")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, labels, keywords left out)."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    return {
        match.group(1)
        for match in _IDENTIFIER.finditer(text)
        if not match.group(2) and match.group(1).lower() not in _KEYWORDS
    }


@functools.cache
def known_metrics() -> frozenset[str]:
    """Every sample name InnerTalk exports, suffixes included (``_total``, ``_bucket``, ...)."""
    names: set[str] = set()
    for family in REGISTRY.collect():
        if family.name.startswith("innertalk_"):
            names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return frozenset(names)


def _unknown(expr: str) -> set[str]:
    return metric_names(expr) - known_metrics() - STANDARD_METRICS


def test_metric_name_extraction_sees_every_selector() -> None:
    """The PromQL scanner finds misspelled metrics, so the name checks below cannot pass idly."""
    expr = (
        'sum by (provider, le) (rate(innertalk_nope_bucket{outcome!~"ok|x"}[5m])) '
        "/ on(provider) group_left innertalk_llm_tokens_total offset 5m > bool 0.95 or up"
    )
    assert metric_names(expr) == {"innertalk_nope_bucket", "innertalk_llm_tokens_total", "up"}
    assert _unknown(expr) == {"innertalk_nope_bucket"}
    assert {
        "innertalk_llm_requests_total",
        "innertalk_llm_request_seconds_bucket",
        "innertalk_write_behind_queue_depth",
    } <= known_metrics()


# --- Dockerfile ---------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    result = []
    for line in lines:
        keyword, _, arguments = line.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def _args(name: str) -> list[str]:
    return [arguments for keyword, arguments in _instructions() if keyword == name]


def _healthcheck_snippet(command: list[str]) -> str:
    assert command[command.index("-c") - 1] == "python"
    return command[command.index("-c") + 1]


def dockerfile_healthcheck_argv() -> list[str]:
    """The Dockerfile's HEALTHCHECK command in exec form, as a list."""
    (healthcheck,) = _args("HEALTHCHECK")
    _, _, command = healthcheck.partition("CMD ")
    argv: list[str] = json.loads(command)
    return argv


def test_dockerfile_builds_a_wheel_in_a_slim_multi_stage_image() -> None:
    """A builder stage makes the wheel; the runtime stage starts again from a slim base."""
    stages = _args("FROM")
    assert len(stages) >= 2
    assert all(
        re.match(r"python:\$\{PYTHON_VERSION\}-slim|python:3\.1[12]-slim", s) for s in stages
    )
    assert " AS builder" in stages[0]
    runs = " ".join(_args("RUN"))
    assert "pip wheel --no-cache-dir" in runs
    assert "pip install --no-cache-dir" in runs
    assert any("--from=builder" in copy for copy in _args("COPY"))
    (python_version,) = _args("ARG")
    assert re.fullmatch(r"PYTHON_VERSION=3\.1[12]", python_version)


def test_dockerfile_runs_as_an_unprivileged_user() -> None:
    """The last USER is uid 10001, never root; the image does not run as root."""
    users = _args("USER")
    assert users, "no USER instruction: the container would run as root"
    assert users[-1].split(":")[0] == "10001"
    assert "--uid 10001" in " ".join(_args("RUN"))


def test_dockerfile_runtime_settings() -> None:
    """WORKDIR, the data volume, the SQLite path in it, the listen address and Python flags."""
    env = " ".join(_args("ENV"))
    for setting in (
        "PYTHONDONTWRITEBYTECODE=1",
        "PYTHONUNBUFFERED=1",
        "DATABASE_URL=sqlite:////app/data/innertalk.db",
        "HTTP_HOST=0.0.0.0",
        "HTTP_PORT=8080",
    ):
        assert setting in env
    assert _args("WORKDIR")[-1] == "/app"
    assert json.loads(_args("VOLUME")[-1]) == ["/app/data"]
    assert _args("EXPOSE") == ["8080"]
    assert json.loads(_args("ENTRYPOINT")[-1]) == ["innertalk"]
    assert json.loads(_args("CMD")[-1]) == ["bot"]


def test_dockerfile_fetches_nothing_with_add() -> None:
    """No `ADD http...`: remote files would bypass the package index and its checksums."""
    assert not [a for a in _args("ADD") if re.search(r"https?://", a)]


def test_dockerfile_healthcheck_probes_healthz_with_valid_python() -> None:
    """HEALTHCHECK runs python -c on /healthz (no curl in slim), and the snippet compiles."""
    (healthcheck,) = _args("HEALTHCHECK")
    assert re.search(r"--interval=\d+s", healthcheck)
    snippet = _healthcheck_snippet(dockerfile_healthcheck_argv())
    assert "/healthz" in snippet
    assert "urllib.request" in snippet
    compile(snippet, "<HEALTHCHECK>", "exec")


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build() -> None:
    """The context excludes .env, .venv, data and .git, but not what the image copies."""
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".env", ".venv", "data", ".git", ".pytest_cache", ".mypy_cache"):
        assert required in patterns
    copied = [
        source
        for arguments in _args("COPY")
        if not arguments.startswith("--from")
        for source in shlex.split(arguments)[:-1]
    ]
    assert copied, "the builder copies nothing from the context"
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not any(fnmatch.fnmatch(source, p) for p in patterns), f"{source} is ignored"


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_file_parses_and_defines_the_stack() -> None:
    """Compose spec (no `version:`), the five services, each with an image or a build."""
    compose = _compose()
    assert "version" not in compose
    services = compose["services"]
    assert set(services) == {"bot", "redis", "mongodb", "prometheus", "grafana"}
    for name, service in services.items():
        assert "image" in service or "build" in service, name


def test_compose_images_are_pinned() -> None:
    """Every pulled image names a tag, and none is `latest`."""
    for name, service in _compose()["services"].items():
        if "build" in service:
            continue
        image = service["image"]
        assert ":" in image, f"{name}: {image} has no tag"
        assert not image.endswith(":latest"), name


def test_compose_bot_service_is_wired_to_redis_and_its_data_volume() -> None:
    """The bot gets REDIS_URL, listens on all interfaces, and keeps SQLite in the volume."""
    bot = _compose()["services"]["bot"]
    env = _environment(bot)
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert env["HTTP_HOST"] == "0.0.0.0"
    assert env["DATABASE_URL"] == "sqlite:////app/data/innertalk.db"
    assert bot["env_file"] in (".env", [".env"])
    assert bot["restart"] == "unless-stopped"
    assert bot["init"] is True
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert any(str(volume).endswith(":/app/data") for volume in bot["volumes"])


def test_compose_healthchecks_exist_and_the_bot_one_compiles() -> None:
    """bot and redis (and mongodb, prometheus) have healthchecks; the bot's is valid Python."""
    services = _compose()["services"]
    for name in ("bot", "redis", "mongodb", "prometheus"):
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    test = services["bot"]["healthcheck"]["test"]
    snippet = _healthcheck_snippet(test)
    assert "127.0.0.1:8080/healthz" in snippet
    compile(snippet, "<compose healthcheck>", "exec")
    assert "--appendonly" in services["redis"]["command"]


def test_compose_mongodb_is_optional() -> None:
    """MongoDB only runs with `--profile mongodb`, and the bot does not wait for it."""
    services = _compose()["services"]
    assert services["mongodb"]["profiles"] == ["mongodb"]
    assert "mongodb" not in services["bot"].get("depends_on", {})
    assert "AVX" in COMPOSE.read_text(encoding="utf-8")


def test_compose_bind_mounts_exist_in_the_repository() -> None:
    """Every ./path mounted into a container is a file or directory of this repository."""
    for name, service in _compose()["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source}"


def _mounts(service: str) -> dict[str, str]:
    """Bind mounts of a service: repository path -> container path."""
    mounts = {}
    for volume in _compose()["services"][service].get("volumes", []):
        source, target = str(volume).split(":")[:2]
        if source.startswith("./"):
            mounts[source.removeprefix("./")] = target
    return mounts


def test_prometheus_config_scrapes_the_bot_and_loads_the_alerts() -> None:
    """prometheus.yml scrapes bot:8080/metrics and its rule file is mounted next to it."""
    config = _yaml(PROMETHEUS_DIR / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    bot = jobs["innertalk"]
    assert bot.get("metrics_path", "/metrics") == "/metrics"
    targets = [t for group in bot["static_configs"] for t in group["targets"]]
    assert targets == ["bot:8080"]
    mounts = _mounts("prometheus")
    config_dir = Path(mounts["deploy/prometheus/prometheus.yml"]).parent
    for rule_file in config["rule_files"]:
        assert (PROMETHEUS_DIR / rule_file).is_file()
        assert str(config_dir / rule_file) in mounts.values()


def test_grafana_provisioning_points_at_prometheus_and_the_dashboard() -> None:
    """The data source is the prometheus service; the dashboard provider reads the mounted JSON."""
    services = _compose()["services"]
    datasources = _yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = _yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "dashboards.yml")
    (provider,) = providers["providers"]
    mounts = _mounts("grafana")
    assert mounts["deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert provider["options"]["path"] == mounts["deploy/grafana/dashboards"]
    assert DASHBOARD.parent == ROOT / "deploy/grafana/dashboards"
    assert "prometheus" in services


def _compose_cli() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False, timeout=30
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_cli_accepts_the_file(tmp_path: Path) -> None:
    """`docker compose config` validates the file against the Compose schema, when installed."""
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    text = COMPOSE.read_text(encoding="utf-8")
    if cli[0].endswith("docker-compose"):
        # docker-compose 1.x predates the top-level `name` of the Compose spec
        text = re.sub(r"(?m)^name: .*\n", "", text)
    (tmp_path / "docker-compose.yml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    shutil.copy(DOCKERFILE, tmp_path / "Dockerfile")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    for profile in ([], ["--profile", "mongodb"]):
        result = subprocess.run(
            [*cli, *profile, "config", "--quiet"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


# --- Prometheus alert rules ---------------------------------------------------------------------


def _rules() -> list[dict[str, Any]]:
    groups = _yaml(ALERTS)["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_alert_rules_parse_and_are_complete() -> None:
    """Each rule has a name, an expression, a duration, a severity and a summary."""
    rules = _rules()
    assert rules
    for rule in rules:
        assert rule["alert"].startswith("InnerTalk"), rule
        assert rule["expr"].strip()
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for required in (
        "InnerTalkDown",
        "InnerTalkLLMBreakerOpen",
        "InnerTalkLLMErrorRateHigh",
        "InnerTalkLLMLatencyHigh",
        "InnerTalkWriteBehindBacklog",
        "InnerTalkWriteBehindFlushFailing",
    ):
        assert required in names


def test_alert_rules_use_only_exported_metrics() -> None:
    """Every metric an alert reads is one ``observability.metrics`` defines (or is `up`)."""
    for rule in _rules():
        assert metric_names(rule["expr"]), rule["alert"]
        assert _unknown(rule["expr"]) == set(), rule["alert"]


def test_breaker_alert_matches_the_open_state() -> None:
    """The breaker gauge is 2 when open (see metrics.py); the alert waits a minute."""
    (rule,) = [r for r in _rules() if r["alert"] == "InnerTalkLLMBreakerOpen"]
    assert "innertalk_llm_breaker_state" in rule["expr"]
    assert rule["expr"].strip().endswith("== 2")
    assert rule["for"] == "1m"


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus)")
    return path


def _run(*argv: str, cwd: Path) -> None:
    result = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_rules_config_and_rule_tests() -> None:
    """promtool checks the rules and the config, and runs alerts.test.yml, when installed."""
    promtool = _promtool()
    _run(promtool, "check", "rules", "alerts.yml", cwd=PROMETHEUS_DIR)
    _run(promtool, "check", "config", "prometheus.yml", cwd=PROMETHEUS_DIR)
    _run(promtool, "test", "rules", "alerts.test.yml", cwd=PROMETHEUS_DIR)


# --- Grafana dashboard ------------------------------------------------------------------------


def _dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return data


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = []
    for panel in panels:
        flat.append(panel)
        flat.extend(_panels(panel.get("panels", [])))
    return flat


def _exprs() -> list[tuple[str, str]]:
    return [
        (panel["title"], target["expr"])
        for panel in _panels(_dashboard()["panels"])
        for target in panel.get("targets", [])
    ]


def test_dashboard_loads_with_identity_and_panels() -> None:
    """The JSON loads, has a uid, the title, a schema version and unique panel ids."""
    dashboard = _dashboard()
    assert dashboard["uid"] == "innertalk"
    assert dashboard["title"] == "InnerTalk"
    assert isinstance(dashboard["schemaVersion"], int)
    panels = _panels(dashboard["panels"])
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    graphs = [panel for panel in panels if panel["type"] != "row"]
    assert len(graphs) >= 12
    for panel in graphs:
        assert panel["targets"], panel["title"]
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])


def test_dashboard_templating_selects_a_prometheus_datasource() -> None:
    """A `datasource` variable of type prometheus; query variables read known metrics."""
    variables = {v["name"]: v for v in _dashboard()["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for variable in variables.values():
        if variable["type"] != "query":
            continue
        query = variable["query"]
        text = query["query"] if isinstance(query, dict) else query
        match = _LABEL_VALUES.search(text)
        assert match, variable["name"]
        assert match.group(1) in known_metrics(), variable["name"]


def test_dashboard_queries_use_only_exported_metrics() -> None:
    """Every panel expression names only metrics defined in metrics.py (or `up`)."""
    exprs = _exprs()
    assert exprs
    for title, expr in exprs:
        assert metric_names(expr), title
        assert _unknown(expr) == set(), f"{title}: {expr}"


def test_dashboard_covers_the_operational_metrics() -> None:
    """Panels exist for model calls, latency, tokens, breakers, fallbacks, hedges, cache,
    storage, the write-behind queue and rate limiting."""
    used = set().union(*(metric_names(expr) for _, expr in _exprs()))
    assert {
        "innertalk_llm_requests_total",
        "innertalk_llm_request_seconds_bucket",
        "innertalk_llm_first_token_seconds_bucket",
        "innertalk_llm_tokens_total",
        "innertalk_llm_breaker_state",
        "innertalk_llm_fallbacks_total",
        "innertalk_llm_hedges_started_total",
        "innertalk_llm_hedges_won_total",
        "innertalk_cache_requests_total",
        "innertalk_storage_operation_seconds_bucket",
        "innertalk_write_behind_queue_depth",
        "innertalk_write_behind_failed_flushes_total",
        "innertalk_rate_limit_decisions_total",
    } <= used


def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    """Each panel query, with Grafana's variables filled in, is valid PromQL (needs promtool)."""
    promtool = _promtool()
    substitutions = {"$__rate_interval": "5m", "$instance": ".*", "$provider": ".*"}
    rules = []
    for number, (_, expr) in enumerate(_exprs()):
        for variable, value in substitutions.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, expr
        rules.append({"record": f"dashboard:query_{number}", "expr": expr})
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    _run(promtool, "check", "rules", str(path), cwd=tmp_path)


# --- Procfile and docs --------------------------------------------------------------------------


def test_procfile_runs_the_bot_on_the_platform_port() -> None:
    """`web:` starts `innertalk bot` listening on $PORT on all interfaces."""
    lines = PROCFILE.read_text(encoding="utf-8").splitlines()
    (web,) = [line for line in lines if line.startswith("web:")]
    assert "HTTP_PORT=$PORT" in web
    assert "HTTP_HOST=0.0.0.0" in web
    assert web.rstrip().endswith("innertalk bot")


def test_deploy_guide_is_linked_from_the_readme() -> None:
    """docs/deploy.md exists and the README's documentation list points to it."""
    assert (ROOT / "docs" / "deploy.md").is_file()
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
