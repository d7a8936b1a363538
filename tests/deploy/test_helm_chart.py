"""The Helm chart (deploy/helm/coxswain): `helm lint --strict`, and what `helm template` renders validated
offline against the Kubernetes JSON schemas (kubernetes-validate, strict: an unknown field fails), for the
default values and a production-shaped values file (HPA + PDB on, an existing Secret, images by digest).

helm is built from the Go module helm.sh/helm/v3 by deploy/helm/install-helm.sh into a per-version cache
outside the work tree (minutes once per machine, nothing after).
"""
from __future__ import annotations

import base64
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from shared.operations.installed import installed_service
from shared.settings import PlatformSettings

# A machine without the cached helm builds it in the first test's set-up: measured 10 minutes on two busy cores.
pytestmark = [pytest.mark.contract, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "coxswain"
PRODUCTION = Path(__file__).with_name("values-production.yaml")
SERVICES = {"leads": 8001, "pipeline": 8002, "forecast": 8003, "compensation": 8004, "territory": 8005}
# The oldest Kubernetes the chart declares (Chart.yaml kubeVersion) and the newest the package ships.
KUBE_VERSIONS = ("1.25", kubernetes_validate.utils.latest_version())

Manifest = dict[str, Any]


@pytest.fixture(scope="session")
def helm() -> str:
    built = subprocess.run(["bash", str(ROOT / "deploy" / "helm" / "install-helm.sh")], capture_output=True,
                           text=True, timeout=1200, check=False)
    assert built.returncode == 0, built.stderr[-4000:]
    return built.stdout.strip().splitlines()[-1]


def render(helm: str, *args: str) -> list[Manifest]:
    done = subprocess.run([helm, "template", "cx", str(CHART), "--namespace", "sales", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def by_kind(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def container_env(container: Manifest) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.fixture(scope="session")
def default_render(helm: str) -> list[Manifest]:
    return render(helm)


@pytest.fixture(scope="session")
def production_render(helm: str) -> list[Manifest]:
    return render(helm, "-f", str(PRODUCTION))


@pytest.mark.parametrize("values", [[], ["-f", str(PRODUCTION)]], ids=["default", "production"])
def test_helm_lint_strict_passes(helm: str, values: list[str]) -> None:
    done = subprocess.run([helm, "lint", "--strict", str(CHART), *values], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("which", ["default_render", "production_render"])
@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_every_rendered_manifest_matches_the_kubernetes_schema(which: str, version: str,
                                                               request: pytest.FixtureRequest) -> None:
    manifests: list[Manifest] = request.getfixturevalue(which)
    for manifest in manifests:
        # Raises ValidationError (unknown or mistyped field) or SchemaNotFoundError (unknown apiVersion/kind).
        kubernetes_validate.validate(manifest, version, strict=True)


def test_default_values_render_five_services_a_secret_and_the_hook_jobs(default_render: list[Manifest]) -> None:
    kinds = Counter(m["kind"] for m in default_render)
    # 5 Deployments + 5 Services; the release's Secret and the hooks' copy; the topics and migration Jobs;
    # no autoscaler or disruption budget unless asked for.
    assert kinds == Counter({"Deployment": 5, "Service": 5, "Secret": 2, "Job": 2, "ConfigMap": 1,
                             "ServiceAccount": 1})
    services = by_kind(default_render, "Service")
    assert {name: s["spec"]["ports"][0]["port"] for name, s in services.items()} == {
        f"cx-coxswain-{name}": port for name, port in SERVICES.items()}


def test_each_deployment_serves_its_service_with_the_documented_probes(default_render: list[Manifest]) -> None:
    deployments = by_kind(default_render, "Deployment")
    for name, port in SERVICES.items():
        pod = deployments[f"cx-coxswain-{name}"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["args"] == ["serve", name]
        assert container["ports"][0]["containerPort"] == port
        # docs/operations.md: /livez = restart me, /readyz = take me out of the load balancer.
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["periodSeconds"] == 15
        assert container["readinessProbe"]["failureThreshold"] == 2
        assert container["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
        env = container_env(container)
        prefix = f"COXSWAIN_{name.upper()}_"
        assert env[f"{prefix}PORT"] == str(port)
        assert env[f"{prefix}MIGRATE_ON_START"] == "false"  # the migration Job did it
        # A replica sees its own database URL and no other service's.
        urls = {k: v for k, v in env.items() if k.endswith("_DATABASE_URL")}
        assert urls == {f"{prefix}DATABASE_URL": {"secretKeyRef": {"name": "cx-coxswain",
                                                                    "key": f"{name}-database-url"}}}
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        assert pod["automountServiceAccountToken"] is False
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["image"] == "ghcr.io/coxswain/coxswain:0.1.0"


def test_the_configmap_and_secret_load_as_production_platform_settings(default_render: list[Manifest],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (config,) = by_kind(default_render, "ConfigMap").values()
    secret = by_kind(default_render, "Secret")["cx-coxswain"]
    known = {f"COXSWAIN_{field.upper()}" for field in PlatformSettings.model_fields}
    assert set(config["data"]) <= known, set(config["data"]) - known  # a misspelt name would be ignored silently
    for key, value in config["data"].items():
        monkeypatch.setenv(key, value)
    for key in ("jwt-secret", "webhook-secret"):
        monkeypatch.setenv(f"COXSWAIN_{key.replace('-', '_').upper()}", base64.b64decode(secret["data"][key]).decode())
    # Production refuses a missing or short secret: the generated ones (48 characters) pass.
    settings = PlatformSettings()
    assert (settings.environment, settings.bus, settings.replication_factor, settings.min_insync_replicas) == (
        "production", "kafka", 3, 2)
    assert settings.kafka_partitions == 6
    leads_url = base64.b64decode(secret["data"]["leads-database-url"]).decode()
    assert leads_url == "postgresql+asyncpg://coxswain_leads@postgresql.database.svc:5432/coxswain_leads"


def test_each_pod_environment_loads_as_its_service_settings(default_render: list[Manifest],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """What `coxswain serve <name>` reads in the pod: the ConfigMap, then the container's env, the secret
    references resolved from the chart's Secret."""
    (config,) = by_kind(default_render, "ConfigMap").values()
    secret = {k: base64.b64decode(v).decode() for k, v in by_kind(default_render, "Secret")["cx-coxswain"][
        "data"].items()}
    deployments = by_kind(default_render, "Deployment")
    for name, port in SERVICES.items():
        (container,) = deployments[f"cx-coxswain-{name}"]["spec"]["template"]["spec"]["containers"]
        with monkeypatch.context() as env:
            for key, value in config["data"].items():
                env.setenv(key, value)
            for key, value in container_env(container).items():
                env.setenv(key, secret[value["secretKeyRef"]["key"]] if isinstance(value, dict) else value)
            settings = installed_service(name).settings()
        assert settings.port == port and settings.migrate_on_start is False
        assert settings.db_url == (f"postgresql+asyncpg://coxswain_{name}@postgresql.database.svc:5432/"
                                   f"coxswain_{name}")
        assert settings.platform.bus == "kafka" and settings.platform.environment == "production"


def test_database_url_escapes_the_password(helm: str) -> None:
    manifests = render(helm, "--set", "postgresql.databases.leads.password=p@ss:w/rd",
                       "--set", "postgresql.query=ssl=require")
    secret = by_kind(manifests, "Secret")["cx-coxswain"]
    url = base64.b64decode(secret["data"]["leads-database-url"]).decode()
    # '@' -> %40, ':' -> %3A, '/' -> %2F: the URL still parses as user:password@host.
    assert url == ("postgresql+asyncpg://coxswain_leads:p%40ss%3Aw%2Frd@postgresql.database.svc:5432/"
                   "coxswain_leads?ssl=require")


def test_migrations_and_topics_run_as_hooks_before_install_and_upgrade(default_render: list[Manifest]) -> None:
    jobs = by_kind(default_render, "Job")
    migrate, topics = jobs["cx-coxswain-migrate"], jobs["cx-coxswain-topics"]
    hooks_secret = by_kind(default_render, "Secret")["cx-coxswain-hooks"]
    for hook in (migrate, topics, hooks_secret):
        assert hook["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    # The copy of the Secret first, the topics next, then the schema.
    weights = [int(h["metadata"]["annotations"]["helm.sh/hook-weight"]) for h in (hooks_secret, topics, migrate)]
    assert weights == sorted(weights) and len(set(weights)) == 3
    steps = migrate["spec"]["template"]["spec"]["initContainers"]
    assert [s["args"] for s in steps] == [["migrate", name] for name in sorted(SERVICES)]
    for step in steps:
        service = step["args"][1]
        ref = container_env(step)[f"COXSWAIN_{service.upper()}_DATABASE_URL"]["secretKeyRef"]
        assert ref == {"name": "cx-coxswain-hooks", "key": f"{service}-database-url"}
    (topics_container,) = topics["spec"]["template"]["spec"]["containers"]
    assert topics_container["args"] == ["topics", "create"]
    assert container_env(topics_container)["COXSWAIN_KAFKA_BOOTSTRAP"] == "kafka-bootstrap.kafka.svc:9092"


def test_production_values_add_autoscalers_budgets_and_use_the_existing_secret(
        production_render: list[Manifest]) -> None:
    kinds = Counter(m["kind"] for m in production_render)
    # No Secret of the chart's own (existingSecret), an HPA and a PDB per service.
    assert kinds == Counter({"Deployment": 5, "Service": 5, "HorizontalPodAutoscaler": 5,
                             "PodDisruptionBudget": 5, "Job": 2, "ConfigMap": 1, "ServiceAccount": 1})
    deployments = by_kind(production_render, "Deployment")
    for name in SERVICES:
        deployment = deployments[f"cx-coxswain-{name}"]
        assert "replicas" not in deployment["spec"]  # the HPA owns the count
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        secret_refs = {v["secretKeyRef"]["name"] for v in container_env(container).values() if isinstance(v, dict)}
        assert secret_refs == {"coxswain-credentials"}
        hpa = by_kind(production_render, "HorizontalPodAutoscaler")[f"cx-coxswain-{name}"]
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 12)
        pdb = by_kind(production_render, "PodDisruptionBudget")[f"cx-coxswain-{name}"]
        assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    forecast = deployments["cx-coxswain-forecast"]["spec"]["template"]["spec"]["containers"][0]
    leads = deployments["cx-coxswain-leads"]["spec"]["template"]["spec"]["containers"][0]
    assert forecast["image"] == ("registry.example.com/coxswain-forecast@sha256:"
                                 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210")
    assert forecast["resources"]["requests"] == {"cpu": "500m", "memory": "512Mi"}
    assert leads["image"] == ("registry.example.com/coxswain@sha256:"
                              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
    (config,) = by_kind(production_render, "ConfigMap").values()
    assert config["data"]["COXSWAIN_NAMESPACE"] == "acme-prod"
    assert config["data"]["COXSWAIN_DB_STATEMENT_TIMEOUT_MS"] == "30000"
    migrate = by_kind(production_render, "Job")["cx-coxswain-migrate"]
    for step in migrate["spec"]["template"]["spec"]["initContainers"]:
        assert {v["secretKeyRef"]["name"] for v in container_env(step).values() if isinstance(v, dict)} == {
            "coxswain-credentials"}


@pytest.mark.parametrize(("setting", "complaint"), [
    ("kafak.bootstrap=kafka:9092", "additional properties 'kafak' not allowed"),  # a misspelt key
    ("image.digest=latest", "does not match pattern"),  # a tag where a digest belongs
    ("services.leads.autoscaling.enabled=yes", "got string, want boolean"),
])
def test_values_schema_refuses_what_would_render_silently_wrong(helm: str, setting: str, complaint: str) -> None:
    done = subprocess.run([helm, "template", "cx", str(CHART), "--set-string" if "yes" in setting else "--set",
                           setting], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and complaint in done.stderr, done.stderr
