"""The production topology (docker-compose.yml, Dockerfile) is wired the way docs/deploy.md says.

Nothing here starts a container: the files are parsed and checked against each other and against
infra.config.Settings, so they cannot drift apart silently. Each check is a function returning the
problems it finds; the tests at the end feed them broken copies of the compose file to prove they find them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from infra.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

SERVICES = ("postgres", "temporal", "temporal-setup", "temporal-ui", "migrate", "worker", "api", "proxy")
# Processes built from the Dockerfile: their environment is read by infra.config.Settings.
APP_SERVICES = ("migrate", "worker", "api")
# Run once per `up` and exit; every other service runs for good and is supervised by Docker.
ONE_SHOTS = ("migrate", "temporal-setup")
RESTART_POLICIES = ("always", "unless-stopped", "on-failure")
TEMPORAL_GRPC_PORT = 7233
SEARCH_ATTRIBUTES = {
    "Estado": "Keyword",
    "EstadoTecnico": "Keyword",
    "Tipo": "Keyword",
    "Prioridad": "Keyword",
    "Lugar": "Keyword",
    "Empresa": "Keyword",
    "AsignadoA": "Int",
    "ClienteId": "Int",
    "FechaPendiente": "Datetime",
    "Vencido": "Bool",
    "Etiquetas": "KeywordList",
    "EstadoSla": "Keyword",
}
# Values the operator must provide (`${VAR:?...}`), as a test stands in for them.
SAMPLE_ENV = {
    "POSTGRES_PASSWORD": "pg-sample-password",
    "JWT_SECRET": "jwt-sample-secret",
    "SECRETS_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|PWD|TOKEN", re.IGNORECASE)
# A reference compose must resolve from the environment, refusing to start without it (no default).
REQUIRED_REF = re.compile(r"\$\{\w+:?\?[^}]*\}")
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# --- reading the files --------------------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Resolve `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$$` the way `docker compose` does."""

    def resolve(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        present = env.get(name)
        unset = present is None or (present == "" and op is not None and op.startswith(":"))
        if not unset:
            return str(present)
        if op is not None and op.endswith("?"):
            raise LookupError(f"{name} is required: {arg}")
        if op is not None and op.endswith("-"):
            return arg
        return ""

    return _INTERPOLATION.sub(resolve, value)


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whether the file writes it as a mapping or a `KEY=value` list."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in raw)
        return {key: value for key, value in pairs}
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def resolved_environment(service: Mapping[str, Any]) -> dict[str, str]:
    return {key: interpolate(value, SAMPLE_ENV) for key, value in environment(service).items()}


def command_text(service: Mapping[str, Any]) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else str(command)


def dependencies(service: Mapping[str, Any]) -> dict[str, str]:
    """depends_on as {service: condition}; the short list form means service_started."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in raw.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    result = []
    for entry in logical:
        instruction, _, arguments = entry.partition(" ")
        result.append((instruction.upper(), arguments.strip()))
    return result


def dockerfile_cmd() -> list[str]:
    cmds = [arguments for instruction, arguments in dockerfile_instructions() if instruction == "CMD"]
    assert cmds, "the Dockerfile has no CMD"
    return json.loads(cmds[-1])  # exec form; the last CMD wins


# Read by the server the image runs, not by Settings: uvicorn trusts X-Forwarded-For from these addresses.
SERVER_VARIABLES = {"FORWARDED_ALLOW_IPS"}


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


# --- checks: each returns the problems it finds -------------------------------------------------------------


def missing_services(compose: Mapping[str, Any]) -> list[str]:
    services = compose.get("services") or {}
    return [f"no service {name!r}" for name in SERVICES if name not in services]


def dependency_problems(compose: Mapping[str, Any]) -> list[str]:
    services = compose["services"]
    valid = {"service_started", "service_healthy", "service_completed_successfully"}
    problems = []
    for name, service in services.items():
        for target, condition in dependencies(service).items():
            if target not in services:
                problems.append(f"{name} depends on {target!r}, which is not a service")
            if condition not in valid:
                problems.append(f"{name} waits for {target} with unknown condition {condition!r}")
            elif (
                condition == "service_healthy"
                and target in services
                and "healthcheck" not in services[target]
            ):
                problems.append(f"{name} waits for {target} to be healthy, but {target} has no healthcheck")

    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done or name not in services:
            return
        if name in visiting:
            problems.append("dependency cycle: " + " -> ".join((*path, name)))
            return
        visiting.add(name)
        for target in dependencies(services[name]):
            visit(target, (*path, name))
        visiting.discard(name)
        done.add(name)

    for name in services:
        visit(name, ())
    return problems


def app_readiness_problems(compose: Mapping[str, Any]) -> list[str]:
    """worker and api start only after the schema is migrated and the search attributes exist."""
    problems = []
    for name in ("worker", "api"):
        needs = dependencies(compose["services"][name])
        for target in ("migrate", "temporal-setup"):
            if needs.get(target) != "service_completed_successfully":
                problems.append(
                    f"{name} must wait for {target} to complete successfully, has {needs.get(target)}"
                )
    return problems


def supervision_problems(compose: Mapping[str, Any]) -> list[str]:
    """Long-running services restart and have a healthcheck, and services wait for their health; one-shots
    never restart (a successful one would run again, a failed one must stop `up`)."""
    services = compose["services"]
    problems = []
    for name, service in services.items():
        restart = str(service.get("restart", "no"))
        if name in ONE_SHOTS:
            if restart != "no":
                problems.append(f"{name} is a one-shot but restarts ({restart!r})")
            continue
        if restart.split(":", 1)[0] not in RESTART_POLICIES:
            problems.append(f"{name} has no restart policy ({restart!r})")
        check = service.get("healthcheck") or {}
        if check.get("disable") or not check.get("test") or check.get("test") == ["NONE"]:
            problems.append(f"{name} has no healthcheck")
    for name, service in services.items():
        for target, condition in dependencies(service).items():
            wanted = "service_completed_successfully" if target in ONE_SHOTS else "service_healthy"
            if target in services and condition != wanted:
                problems.append(f"{name} waits for {target} with {condition}, expected {wanted}")
    return problems


def temporal_address_problems(compose: Mapping[str, Any]) -> list[str]:
    services = compose["services"]
    grpc_port = int(
        resolved_environment(services.get("temporal", {})).get("FRONTEND_GRPC_PORT", TEMPORAL_GRPC_PORT)
    )
    problems = []
    for name in ("api", "worker"):
        address = resolved_environment(services[name]).get("TEMPORAL_ADDRESS", "")
        host, _, port = address.rpartition(":")
        if host != "temporal" or "temporal" not in services:
            problems.append(f"{name}: TEMPORAL_ADDRESS {address!r} does not name the temporal service")
        if port != str(grpc_port):
            problems.append(f"{name}: TEMPORAL_ADDRESS {address!r} is not the frontend gRPC port {grpc_port}")
    return problems


def database_url_problems(compose: Mapping[str, Any]) -> list[str]:
    services = compose["services"]
    postgres = resolved_environment(services["postgres"])
    problems = []
    for name in APP_SERVICES:
        url = resolved_environment(services[name]).get("DATABASE_URL", "")
        parts = urlsplit(url)
        expected = {
            "scheme": ("postgresql", parts.scheme),
            "host": ("postgres", parts.hostname),
            "port": (5432, parts.port),
            "database": ("pendientes", parts.path.lstrip("/")),
            # the role and password the postgres service is initialised with
            "user": (postgres.get("POSTGRES_USER", "postgres"), parts.username),
            "password": (postgres.get("POSTGRES_PASSWORD"), parts.password),
        }
        for what, (want, got) in expected.items():
            if want != got:
                problems.append(f"{name}: DATABASE_URL {what} is {got!r}, expected {want!r}")
        if postgres.get("POSTGRES_DB", postgres.get("POSTGRES_USER")) != "pendientes":
            problems.append("postgres does not create the `pendientes` database the app services use")
    return problems


def shared_setting_problems(compose: Mapping[str, Any]) -> list[str]:
    """api and worker use the same task queue and namespace, and Temporal serves that namespace."""
    services = compose["services"]
    api, worker = resolved_environment(services["api"]), resolved_environment(services["worker"])
    problems = []
    for key, default in (("TEMPORAL_TASK_QUEUE", "pendientes"), ("TEMPORAL_NAMESPACE", "default")):
        if api.get(key, default) != worker.get(key, default):
            problems.append(
                f"{key} differs: api {api.get(key, default)!r}, worker {worker.get(key, default)!r}"
            )
    namespace = api.get("TEMPORAL_NAMESPACE", "default")
    served = resolved_environment(services["temporal"]).get("DEFAULT_NAMESPACE", "default")
    if served != namespace:
        problems.append(f"temporal creates namespace {served!r}, the app uses {namespace!r}")
    setup = resolved_environment(services["temporal-setup"]).get("TEMPORAL_NAMESPACE", "default")
    if setup != namespace:
        problems.append(
            f"temporal-setup registers search attributes in {setup!r}, the app uses {namespace!r}"
        )
    return problems


def registered_search_attributes(compose: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, type) pairs the temporal-setup service registers, in order, duplicates kept."""
    script = command_text(compose["services"]["temporal-setup"])
    pairs = []
    for line in script.splitlines():
        if "search-attribute create" not in line:
            continue
        names = re.findall(r"--name[ =]\"?(\w+)", line)
        types = re.findall(r"--type[ =]\"?(\w+)", line)
        pairs.extend(zip(names, types, strict=True))
    return pairs


def search_attribute_problems(compose: Mapping[str, Any]) -> list[str]:
    pairs = registered_search_attributes(compose)
    problems = []
    if len(pairs) != len(dict(pairs)):
        problems.append(f"an attribute is registered twice: {pairs}")
    if dict(pairs) != SEARCH_ATTRIBUTES:
        problems.append(f"registered {dict(pairs)}, expected {SEARCH_ATTRIBUTES}")
    script = command_text(compose["services"]["temporal-setup"])
    for line in script.splitlines():
        if line.strip().startswith("temporal ") and f"--address temporal:{TEMPORAL_GRPC_PORT}" not in line:
            problems.append(f"temporal-setup does not talk to temporal:{TEMPORAL_GRPC_PORT}: {line.strip()}")
    return problems


def literal_secret_problems(compose: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key) and not REQUIRED_REF.fullmatch(value.strip()):
                problems.append(f"{name}: {key} is not a required ${{...}} reference: {value!r}")
            # a password inside a URL (DATABASE_URL) must be a reference as well
            url = re.match(r"^[\w+.-]+://(?:\$\{[^}]*\}|[^:@/]*):(?P<password>\$\{[^}]*\}|[^@/]*)@", value)
            if url and not REQUIRED_REF.fullmatch(url.group("password")):
                problems.append(f"{name}: {key} holds a literal password")
    return problems


def settings_drift_problems(compose: Mapping[str, Any]) -> list[str]:
    known = setting_names()
    problems = []
    for name in APP_SERVICES:
        unknown = sorted(set(environment(compose["services"][name])) - known - SERVER_VARIABLES)
        if unknown:
            problems.append(f"{name} sets {unknown}, which infra.config.Settings does not read")
    return problems


def image_pin_problems(compose: Mapping[str, Any]) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        if "image" not in service:
            if "build" not in service:
                problems.append(f"{name} has neither image nor build")
            continue
        image = interpolate(str(service["image"]), {})
        reference = image.rsplit("/", 1)[-1]
        tag = reference.split(":", 1)[1] if ":" in reference else ""
        if not tag or tag == "latest":
            problems.append(f"{name}: image {image!r} is not pinned to a version")
    return problems


# Who may reach the Temporal frontend (it accepts Updates and Signals) and Postgres: nobody else.
MAY_REACH = {
    "motor": {"temporal", "temporal-setup", "temporal-ui", "worker", "api"},
    "datos": {"postgres", "temporal", "migrate", "worker", "api"},
}


def network_problems(compose: Mapping[str, Any]) -> list[str]:
    problems = []
    declared = compose.get("networks") or {}
    for network, allowed in MAY_REACH.items():
        if not (declared.get(network) or {}).get("internal"):
            problems.append(f"network {network} must be internal (no published port, no route out)")
        members = {
            name for name, svc in compose["services"].items() if network in (svc.get("networks") or [])
        }
        if members != allowed:
            problems.append(f"network {network} joins {sorted(members)}, expected {sorted(allowed)}")
    for name, service in compose["services"].items():
        if not service.get("networks"):
            problems.append(f"{name} is on the default network: name its networks")
        if service.get("ports") and "publico" not in service["networks"]:
            problems.append(f"{name} publishes a port outside the publico network")
    if compose["services"]["temporal"].get("ports") or compose["services"]["postgres"].get("ports"):
        problems.append("the Temporal frontend and Postgres publish no port")
    return problems


# --- the topology -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


CHECKS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "services": missing_services,
    "depends_on": dependency_problems,
    "readiness": app_readiness_problems,
    "supervision": supervision_problems,
    "temporal_address": temporal_address_problems,
    "database_url": database_url_problems,
    "shared_settings": shared_setting_problems,
    "search_attributes": search_attribute_problems,
    "secrets": literal_secret_problems,
    "settings_drift": settings_drift_problems,
    "image_pins": image_pin_problems,
    "networks": network_problems,
}


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_compose_file_is_wired(
    compose: dict[str, Any], check: Callable[[Mapping[str, Any]], list[str]]
) -> None:
    assert check(compose) == []


def test_registers_exactly_the_projects_search_attributes(compose: dict[str, Any]) -> None:
    assert sorted(registered_search_attributes(compose)) == sorted(SEARCH_ATTRIBUTES.items())


def test_compose_refuses_to_start_without_its_secrets(compose: dict[str, Any]) -> None:
    for name in ("postgres", "temporal", *APP_SERVICES):
        for key, value in environment(compose["services"][name]).items():
            if SECRET_NAME.search(key) or key == "DATABASE_URL":
                with pytest.raises(LookupError):
                    interpolate(value, {})


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_loads_as_production_settings(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What compose passes is accepted by Settings, including its production checks (secrets, URLs)."""
    for field in setting_names():
        monkeypatch.delenv(field, raising=False)
    env = resolved_environment(compose["services"][name])
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert settings.environment == "production"
    assert settings.demo_data is False
    assert settings.temporal_address == f"temporal:{TEMPORAL_GRPC_PORT}"
    assert (
        settings.jwt_secret is not None and settings.jwt_secret.get_secret_value() == SAMPLE_ENV["JWT_SECRET"]
    )
    assert (
        settings.secrets_key is not None
        and settings.secrets_key.get_secret_value() == SAMPLE_ENV["SECRETS_KEY"]
    )
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://")


def test_postgres_service(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert str(postgres["image"]).startswith("postgres:16")
    assert "pg_isready" in json.dumps(postgres["healthcheck"]["test"])
    named = [v.split(":", 1)[0] for v in postgres.get("volumes", []) if isinstance(v, str) and ":" in v]
    assert named and all(volume in (compose.get("volumes") or {}) for volume in named), (
        "data on a named volume"
    )


def test_temporal_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    temporal = resolved_environment(services["temporal"])
    assert temporal["DB"] == "postgres12"
    assert temporal["POSTGRES_SEEDS"] == "postgres"
    assert dependencies(services["temporal"]) == {"postgres": "service_healthy"}
    assert str(services["temporal-setup"]["image"]).startswith("temporalio/admin-tools:")
    assert dependencies(services["temporal-setup"]) == {"temporal": "service_healthy"}
    assert "cluster" in services["temporal"]["healthcheck"]["test"]
    ui = services["temporal-ui"]
    assert "/healthz" in json.dumps(ui["healthcheck"]["test"])
    assert resolved_environment(ui)["TEMPORAL_ADDRESS"] == f"temporal:{TEMPORAL_GRPC_PORT}"
    assert any(str(port).endswith("8233:8080") for port in ui["ports"])


def test_app_services_run_the_project_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context in (".", "./"), f"{name} is not built from the repository's Dockerfile"
    assert command_text(services["migrate"]) == "python -m db.migrate"
    assert command_text(services["worker"]) == "python -m worker"
    # the api runs the image's default CMD
    assert "command" not in services["api"]
    assert resolved_environment(services["api"])["DEMO_DATA"].lower() == "false"
    # the replicas publish nothing; the proxy is the one way in, on port 8000
    assert not services["api"].get("ports")
    assert "8000:8000" in [str(port) for port in services["proxy"]["ports"]]
    assert "/health" in json.dumps(services["api"]["healthcheck"]["test"])
    # the worker's healthcheck asks Temporal for this container's pollers (run for real: test_supervision)
    assert "describe_task_queue" in json.dumps(services["worker"]["healthcheck"]["test"])


def dockerfile_env() -> dict[str, str]:
    """ENV of the Dockerfile, in both forms (`ENV A=1 B=2` and `ENV A 1`); later ones win."""
    env: dict[str, str] = {}
    for instruction, arguments in dockerfile_instructions():
        if instruction != "ENV":
            continue
        if "=" not in arguments.split(" ", 1)[0]:
            name, _, value = arguments.partition(" ")
            env[name] = value.strip().strip('"')
            continue
        for pair in re.findall(r'(\w+)=("[^"]*"|\S+)', arguments):
            env[pair[0]] = pair[1].strip('"')
    return env


def runtime_user() -> str:
    users = [arguments for instruction, arguments in dockerfile_instructions() if instruction == "USER"]
    assert users, "the Dockerfile sets no USER"
    return users[-1].split(":", 1)[0]


def test_dockerfile() -> None:
    instructions = dockerfile_instructions()
    froms = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert froms == ["python:3.11-slim"]
    runs = " ".join(arguments for instruction, arguments in instructions if instruction == "RUN")
    assert re.search(r"\bpip install \.(\s|$)", runs), "installs the project with pip"
    assert "pip install -e" not in runs and "--editable" not in runs, "a real install, not an editable one"
    assert "[dev]" not in runs and "pytest" not in runs, "no dev dependencies in the image"
    assert runtime_user() not in ("root", "0"), "runs as a non-root user"
    assert dockerfile_cmd() == [
        "uvicorn",
        "api.main:app",
        "--no-server-header",
        "--timeout-graceful-shutdown",
        "5",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]


def test_the_image_runs_the_installed_package_not_a_source_tree() -> None:
    """The processes import api, worker and db from site-packages: no source is copied into the image
    and the working directory is not the import root (tests/deploy/test_instalado.py runs such a copy)."""
    instructions = dockerfile_instructions()
    copies = [arguments for instruction, arguments in instructions if instruction in ("COPY", "ADD")]
    assert copies == [], f"the image copies files in: {copies}"
    runs = [arguments for instruction, arguments in instructions if instruction == "RUN"]
    install = next(run for run in runs if re.search(r"\bpip install \.(\s|$)", run))
    assert "--mount=type=bind" in install, "the source is only mounted while it is installed"
    workdirs = [arguments for instruction, arguments in instructions if instruction == "WORKDIR"]
    assert workdirs and workdirs[-1] not in ("/src", "/app"), "the working directory holds no source"
    assert "PYTHONPATH" not in dockerfile_env()


def test_uploads_have_a_writable_persistent_place(compose: dict[str, Any]) -> None:
    """Note images go to UPLOADS_DIR: a directory the image creates and gives to its runtime user, and a
    named volume the api service mounts there (issue 10: the image could not write them)."""
    assert "uploads_dir" in Settings.model_fields, "UPLOADS_DIR is the setting the API stores images under"
    uploads = dockerfile_env().get("UPLOADS_DIR", "")
    assert uploads.startswith("/") and not uploads.startswith(("/app", "/tmp", "/src")), uploads
    runs = " && ".join(
        arguments for instruction, arguments in dockerfile_instructions() if instruction == "RUN"
    )
    user = runtime_user()
    assert re.search(rf"mkdir -p \S*{re.escape(uploads)}(\s|$)", runs), f"{uploads} is not created"
    owned = re.findall(rf"chown (-R )?{user}(:{user}|:\w+)? (\S+)", runs)
    assert any(uploads == path or uploads.startswith(path.rstrip("/") + "/") for *_, path in owned), (
        f"{uploads} is not owned by {user}: {owned}"
    )
    mounts = [str(v) for v in compose["services"]["api"].get("volumes", [])]
    named = [m.split(":")[0] for m in mounts if m.split(":")[1:2] == [uploads]]
    assert named, f"the api service mounts nothing at {uploads}: {mounts}"
    assert named[0] in (compose.get("volumes") or {}), "a named volume: the images outlive the container"
    assert "UPLOADS_DIR" not in environment(compose["services"]["api"]) or (
        resolved_environment(compose["services"]["api"])["UPLOADS_DIR"] == uploads
    )


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    patterns = {line.strip().strip("/") for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    for required in (".venv", ".data", ".git", ".env", "uploads", ".pytest_cache", ".ruff_cache", "tests"):
        assert required in patterns, f".dockerignore does not exclude {required}"


# --- the checks can fail ------------------------------------------------------------------------------------


def _set_env(compose: dict[str, Any], service: str, **values: str) -> None:
    # Services share their environment through a YAML anchor: give this one its own copy before changing it.
    compose["services"][service]["environment"] = {**environment(compose["services"][service]), **values}


def _drop_service(compose: dict[str, Any], service: str) -> None:
    del compose["services"][service]


def _edit_setup_script(compose: dict[str, Any], old: str, new: str) -> None:
    setup = compose["services"]["temporal-setup"]
    setup["command"] = [command_text(setup).replace(old, new)]


BREAKAGES: dict[str, tuple[Callable[[dict[str, Any]], None], Callable[[Mapping[str, Any]], list[str]]]] = {
    "service missing": (lambda c: _drop_service(c, "temporal-ui"), missing_services),
    "unknown dependency": (
        lambda c: c["services"]["api"].update(depends_on={"migrate": None, "redis": None}),
        dependency_problems,
    ),
    "dependency cycle": (
        lambda c: c["services"]["postgres"].update(depends_on=["api"]),
        dependency_problems,
    ),
    "worker not waiting for setup": (
        lambda c: c["services"]["worker"].update(depends_on=["migrate", "temporal-setup"]),
        app_readiness_problems,
    ),
    "worker on localhost": (
        lambda c: _set_env(c, "worker", TEMPORAL_ADDRESS="localhost:7233"),
        temporal_address_problems,
    ),
    "api on the UI port": (
        lambda c: _set_env(c, "api", TEMPORAL_ADDRESS="temporal:8080"),
        temporal_address_problems,
    ),
    "database on another host": (
        lambda c: _set_env(
            c, "api", DATABASE_URL="postgresql://u:${POSTGRES_PASSWORD:?x}@db:5432/pendientes"
        ),
        database_url_problems,
    ),
    "task queues differ": (lambda c: _set_env(c, "api", TEMPORAL_TASK_QUEUE="otra"), shared_setting_problems),
    "attribute of the wrong type": (
        lambda c: _edit_setup_script(c, "--name Vencido --type Bool", "--name Vencido --type Keyword"),
        search_attribute_problems,
    ),
    "attribute missing": (
        lambda c: _edit_setup_script(c, "--name Lugar --type Keyword", ""),
        search_attribute_problems,
    ),
    "literal secret": (lambda c: _set_env(c, "api", JWT_SECRET="hunter2"), literal_secret_problems),
    "secret with a default": (
        lambda c: _set_env(c, "worker", SECRETS_KEY="${SECRETS_KEY:-not-so-secret}"),
        literal_secret_problems,
    ),
    "literal password in a URL": (
        lambda c: _set_env(c, "migrate", DATABASE_URL="postgresql://u:hunter2@postgres:5432/pendientes"),
        literal_secret_problems,
    ),
    "setting unknown to Settings": (
        lambda c: _set_env(c, "worker", LOG_LEVELL="debug"),
        settings_drift_problems,
    ),
    "worker never restarted": (lambda c: c["services"]["worker"].pop("restart"), supervision_problems),
    "api restarted only by hand": (
        lambda c: c["services"]["api"].update(restart="no"),
        supervision_problems,
    ),
    "temporal without healthcheck": (
        lambda c: c["services"]["temporal"].pop("healthcheck"),
        supervision_problems,
    ),
    "worker healthcheck disabled": (
        lambda c: c["services"]["worker"]["healthcheck"].update(disable=True),
        supervision_problems,
    ),
    "one-shot restarting forever": (
        lambda c: c["services"]["migrate"].update(restart="unless-stopped"),
        supervision_problems,
    ),
    "UI started before Temporal is healthy": (
        lambda c: c["services"]["temporal-ui"].update(depends_on=["temporal"]),
        supervision_problems,
    ),
    "unpinned image": (
        lambda c: c["services"]["temporal-ui"].update(image="temporalio/ui"),
        image_pin_problems,
    ),
    "latest image": (
        lambda c: c["services"]["postgres"].update(image="postgres:latest"),
        image_pin_problems,
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_checks_detect_a_broken_compose_file(
    compose: dict[str, Any],
    breakage: tuple[Callable[[dict[str, Any]], None], Callable[[Mapping[str, Any]], list[str]]],
) -> None:
    breaks, check = breakage
    broken = copy.deepcopy(compose)
    breaks(broken)
    assert check(broken) != []


# --- scale out: replicas behind one port ------------------------------------------------------------------


def replicas(service: Mapping[str, Any]) -> int:
    return int(((service.get("deploy") or {}).get("replicas")) or 1)


def proxy_conf(compose: Mapping[str, Any]) -> str:
    """The nginx configuration the proxy mounts, as compose hands it over (`$$` is a literal `$`)."""
    mounts = compose["services"]["proxy"].get("configs") or []
    targets = {m["source"]: m["target"] for m in mounts if isinstance(m, dict)}
    fuente = next(s for s, t in targets.items() if t == "/etc/nginx/conf.d/default.conf")
    return interpolate(compose["configs"][fuente]["content"], SAMPLE_ENV)


def test_two_workers_and_two_apis_on_one_task_queue(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert replicas(services["worker"]) >= 2 and replicas(services["api"]) >= 2
    # replicas share one service's settings: one queue, one namespace (shared_settings checks api vs worker)
    for name in ("worker", "api"):
        assert "container_name" not in services[name], "a fixed container name forbids replicas"
        assert resolved_environment(services[name])["TEMPORAL_TASK_QUEUE"] == "pendientes"


def test_the_proxy_spreads_requests_over_every_api_replica(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    assert dependencies(proxy) == {"api": "service_healthy"}
    conf = proxy_conf(compose)
    # Docker's DNS answers every replica's address; asked again every few seconds through a variable
    assert re.search(r"resolver 127\.0\.0\.11\b", conf)
    assert re.search(r"set \$(\w+) http://api:8000;", conf) and re.search(r"proxy_pass \$\w+;", conf)
    # the address the API's limits count by is the proxy's peer, not a header the client wrote
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf
    assert "FORWARDED_ALLOW_IPS" in environment(compose["services"]["api"])
    # live board (streamed) and WebSockets pass through; the largest upload reaches the API's own 413
    assert "proxy_buffering off;" in conf and "proxy_set_header Upgrade $http_upgrade;" in conf
    cuerpo = re.search(r"client_max_body_size (\d+)m;", conf)
    assert cuerpo and int(cuerpo.group(1)) * 1024 * 1024 > Settings().max_subida_bytes
