"""deploy/ rendered (tests/deploy/conftest.py), validated against Kubernetes' schemas, scanned by checkov, and held
to what docs/deploy.md promises of it."""

import base64
import os
import re
import subprocess
import sys

import pytest

from tests.deploy.tools import ROOT, checkov_failures, run, tool

pytestmark = pytest.mark.shape_free  # tests/shape_free.py

KUBERNETES_VERSION = "1.35.0"  # the oldest version the manifests are held to; kubernetes-validate ships its schemas
QUEUES = ("answers", "notifications", "bulk")
# Annotations by which Helm, Argo CD or kapp would run a Job around a release instead of as an ordinary object.
HOOK_ANNOTATIONS = ("helm.sh/hook", "argocd.argoproj.io/hook", "argocd.argoproj.io/sync-wave", "kapp.k14s.io/")


def of_kind(deployed, kind):
    return {o["metadata"]["name"]: o for o in deployed["objects"] if o["kind"] == kind}


def workloads(deployed):
    """Every Deployment and Job by name."""
    return {**of_kind(deployed, "Deployment"), **of_kind(deployed, "Job")}


def containers(workload, init=True):
    spec = workload["spec"]["template"]["spec"]
    return spec["containers"] + (spec.get("initContainers", []) if init else [])


def main_container(workload):
    (container,) = [c for c in containers(workload, init=False) if c["name"] == "walker"]
    return container


def config_and_secret(deployed):
    (config,) = of_kind(deployed, "ConfigMap").values()
    (secret,) = of_kind(deployed, "Secret").values()
    secret_data = {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}
    return config, secret, secret_data


def test_the_manifests_are_valid_kubernetes_objects(deployed):
    result = run([tool("kubernetes-validate"), "--strict", "--quiet", "-k", KUBERNETES_VERSION, str(deployed["path"])])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_checkov_finds_nothing_in_the_manifests(deployed):
    assert checkov_failures("--framework", "kubernetes", "--file", str(deployed["path"])) == []


def test_the_base_renders_on_its_own():
    result = run([tool("kubectl"), "kustomize", str(ROOT / "deploy" / "base")])
    assert result.returncode == 0, result.stderr


def test_every_role_runs_from_the_one_image_by_digest(deployed):
    roles = {name: main_container(w)["args"] for name, w in workloads(deployed).items()}
    assert roles == {
        "walker-web": ["web"],
        "walker-websocket": ["websocket"],
        "walker-worker-answers": ["worker", "answers", "--concurrency", "2"],
        "walker-worker-notifications": ["worker", "notifications", "--concurrency", "2"],
        "walker-worker-bulk": ["worker", "bulk", "--concurrency", "2"],
        "walker-beat": ["beat"],
        "walker-migrate": ["migrate"],
    }
    images = {c["image"] for w in workloads(deployed).values() for c in containers(w)}
    assert images == {"registry.example.com/walker@sha256:" + "ab" * 32}


def test_every_container_has_requests_and_limits(deployed):
    for name, workload in workloads(deployed).items():
        for container in containers(workload):
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert set(resources.get(bound, {})) == {"cpu", "memory"}, (name, container["name"], bound)


def test_every_container_runs_unprivileged_on_a_read_only_root(deployed):
    for name, workload in workloads(deployed).items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in containers(workload):
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, (name, container["name"])
            assert context["readOnlyRootFilesystem"] is True, (name, container["name"])
            assert context["allowPrivilegeEscalation"] is False, (name, container["name"])
            assert context["capabilities"] == {"drop": ["ALL"]}, (name, container["name"])
        # What a process may write is a memory-backed /tmp of bounded size, nothing else.
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert set(volumes) == {"tmp"}, name
        assert volumes["tmp"]["emptyDir"]["medium"] == "Memory" and volumes["tmp"]["emptyDir"]["sizeLimit"], name
        mounts = {(m["name"], m["mountPath"]) for c in containers(workload) for m in c["volumeMounts"]}
        assert mounts == {("tmp", "/tmp")}, name


@pytest.mark.parametrize("name", ["walker-web", "walker-websocket"])
def test_daphne_is_probed_on_healthz_and_readyz_and_stops_gracefully(deployed, name):
    deployment = of_kind(deployed, "Deployment")[name]
    container = main_container(deployment)
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # The kubelet probes the pod's IP: no Host header is set, the views answer any (tests/config/test_health.py).
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert "httpHeaders" not in container[probe]["httpGet"] and "host" not in container[probe]["httpGet"]
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep" and pause >= 5
    # The pause, then the longest request (a 30 s long poll), within the grace period.
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= pause + 30
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


@pytest.mark.parametrize("queue", QUEUES)
def test_a_worker_per_queue_is_alive_while_it_answers_a_ping_to_its_own_node(deployed, queue):
    deployment = of_kind(deployed, "Deployment")[f"walker-worker-{queue}"]
    probe = main_container(deployment)["livenessProbe"]["exec"]["command"]
    assert probe[:2] == ["sh", "-c"]  # so that $HOSTNAME, the pod's name and the node's, is expanded
    assert probe[2].startswith('celery -A config inspect ping -d "celery@$HOSTNAME"')
    # SIGTERM lets a worker finish what it holds: the grace period outlasts an answer's 30 s engine call.
    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 120


def test_workers_exist_for_exactly_the_three_queues(deployed):
    workers = {name for name in of_kind(deployed, "Deployment") if name.startswith("walker-worker-")}
    assert workers == {f"walker-worker-{queue}" for queue in QUEUES}


def test_beat_is_one_replica_replaced_by_recreate_and_never_scaled(deployed):
    beat = of_kind(deployed, "Deployment")["walker-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    scaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(deployed, "HorizontalPodAutoscaler").values()}
    assert "walker-beat" not in scaled
    assert scaled == set(of_kind(deployed, "Deployment")) - {"walker-beat"}


def test_the_migration_is_a_plain_job_with_a_deadline_that_every_deployment_waits_for(deployed):
    job = of_kind(deployed, "Job")["walker-migrate"]
    annotations = {**job["metadata"].get("annotations", {})}
    annotations.update(job["spec"]["template"]["metadata"].get("annotations", {}))
    assert not [key for key in annotations if key.startswith(HOOK_ANNOTATIONS)]
    assert 0 < job["spec"]["activeDeadlineSeconds"] <= 3600
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert "initContainers" not in job["spec"]["template"]["spec"]
    (database,) = [e for e in main_container(job)["env"] if e["name"] == "DATABASE_URL"]
    assert database["valueFrom"]["secretKeyRef"]["key"] == "MIGRATE_DATABASE_URL"  # as the tables' owner
    for name, deployment in of_kind(deployed, "Deployment").items():
        (wait,) = deployment["spec"]["template"]["spec"]["initContainers"]
        assert wait["args"] == ["wait-for-migrations"], name
        assert wait["image"] == main_container(deployment)["image"], name


def test_disruption_budgets_cover_the_roles_that_run_several_replicas(deployed):
    deployments = of_kind(deployed, "Deployment")
    autoscalers = of_kind(deployed, "HorizontalPodAutoscaler")
    # The autoscalers own the replica counts; a Deployment that names one would have it reset by every apply.
    assert [name for name, d in deployments.items() if "replicas" in d["spec"]] == ["walker-beat"]
    several = {name for name, hpa in autoscalers.items() if hpa["spec"]["minReplicas"] >= 2}
    assert several == {"walker-web", "walker-websocket", "walker-worker-answers", "walker-worker-notifications"}
    budgets = {}
    for budget in of_kind(deployed, "PodDisruptionBudget").values():
        (selected,) = [n for n, d in deployments.items() if matches(budget["spec"]["selector"], d)]
        budgets[selected] = budget["spec"]
    assert set(budgets) == several
    assert all(spec["maxUnavailable"] == 1 for spec in budgets.values())


def matches(selector, deployment):
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    return all(labels.get(key) == value for key, value in selector["matchLabels"].items())


def test_sockets_go_to_the_websocket_pods_with_hour_long_unbuffered_proxying(deployed):
    ingresses = of_kind(deployed, "Ingress")
    paths = {
        path["path"]: (name, path["backend"]["service"]["name"])
        for name, ingress in ingresses.items()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert paths == {"/": ("walker-web", "walker-web"), "/ws/": ("walker-websocket", "walker-websocket")}
    sockets = ingresses["walker-websocket"]["metadata"]["annotations"]
    assert sockets["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert sockets["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    assert sockets["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    for ingress in ingresses.values():
        assert ingress["spec"]["ingressClassName"] == "nginx"
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
        assert ingress["spec"]["rules"][0]["host"] == "walker.example.com"
        assert ingress["spec"]["tls"] == [{"hosts": ["walker.example.com"], "secretName": "walker-tls"}]


def test_nginx_refuses_bodies_above_walkers_own_limit(deployed):
    config, _, _ = config_and_secret(deployed)
    web = of_kind(deployed, "Ingress")["walker-web"]["metadata"]["annotations"]
    assert web["nginx.ingress.kubernetes.io/proxy-body-size"] == config["data"]["REQUEST_BODY_MAX_BYTES"] == "32m"
    assert web["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "on"


def test_only_the_ingress_is_trusted_for_the_scheme_and_the_client_address(deployed):
    config, _, _ = config_and_secret(deployed)
    assert config["data"]["NUM_PROXIES"] == "1"
    assert config["data"]["SECURE_PROXY_SSL_HEADER"] == "1"
    policies = of_kind(deployed, "NetworkPolicy")
    assert policies["walker-default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    allowed = [p for p in policies.values() if "Ingress" in p["spec"]["policyTypes"] and p["spec"].get("ingress")]
    assert [p["metadata"]["name"] for p in allowed] == ["walker-from-ingress"]
    (rule,) = allowed[0]["spec"]["ingress"]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    assert rule["ports"] == [{"protocol": "TCP", "port": 8000}]
    assert allowed[0]["spec"]["podSelector"]["matchExpressions"][0]["values"] == ["web", "websocket"]


def test_outbound_https_never_reaches_the_metadata_service_or_private_ranges(deployed):
    egress = of_kind(deployed, "NetworkPolicy")["walker-egress"]["spec"]["egress"]
    (https,) = [rule for rule in egress if {"protocol": "TCP", "port": 443} in rule.get("ports", [])]
    (block,) = https["to"]
    assert block["ipBlock"]["cidr"] == "0.0.0.0/0"
    assert {"169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} <= set(block["ipBlock"]["except"])


def documented_variables() -> set[str]:
    """Every variable named in the first column of the settings table of docs/configuration.md (its other section,
    variables only `make run` and the tests read, is not the deployment's)."""
    page = (ROOT / "docs" / "configuration.md").read_text()
    table = page.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_documented_variable_is_in_the_config_map_or_the_secret_and_none_in_both(deployed):
    config, _, secret_data = config_and_secret(deployed)
    variables = documented_variables()
    assert len(variables) > 80  # the table was read, not an empty match
    assert variables - set(config["data"]) - set(secret_data) == set()
    assert set(config["data"]) & set(secret_data) == set()
    assert {"SECRET_KEY", "DATABASE_URL", "ENCRYPTION_KEYS", "PII_HASH_KEY", "TWILIO_AUTH_TOKEN"} <= set(secret_data)


def test_every_pod_reads_the_hashed_config_map_and_secret_so_a_change_rolls_it(deployed):
    config, secret, _ = config_and_secret(deployed)
    assert re.fullmatch(r"walker-config-[a-z0-9]{10}", config["metadata"]["name"])
    assert re.fullmatch(r"walker-secrets-[a-z0-9]{10}", secret["metadata"]["name"])
    for name, workload in workloads(deployed).items():
        for container in containers(workload):
            sources = [next(iter(source.values()))["name"] for source in container["envFrom"]]
            assert sources == [config["metadata"]["name"], secret["metadata"]["name"]], (name, container["name"])


def test_services_select_their_pods_by_port_name(deployed):
    deployments = of_kind(deployed, "Deployment")
    for name, service in of_kind(deployed, "Service").items():
        (selected,) = [n for n, d in deployments.items() if matches({"matchLabels": service["spec"]["selector"]}, d)]
        assert selected == name
        ports = {p["name"] for p in main_container(deployments[selected])["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


@pytest.mark.slow
def test_walker_starts_and_passes_check_deploy_with_the_rendered_settings(deployed, tmp_path):
    """A pod's environment is the ConfigMap and the Secret: with exactly those, DEBUG=0's checks and Django's
    deployment checks pass (nothing is connected to)."""
    config, _, secret_data = config_and_secret(deployed)
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **config["data"], **secret_data}
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)  # the pod's in-memory /tmp, which bin/walker prepares
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_first_step_of_a_deployment_applies_the_settings_and_the_job_alone(deployed):
    """docs/deploy.md: `kubectl apply -k ... -l 'app.kubernetes.io/component in (config,migrate)'` before the rest."""
    first = [
        o
        for o in deployed["objects"]
        if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") in ("config", "migrate")
    ]
    assert sorted(o["kind"] for o in first) == ["ConfigMap", "Job", "Secret"]
    config, secret, _ = config_and_secret(deployed)
    job = of_kind(deployed, "Job")["walker-migrate"]
    referenced = {next(iter(source.values()))["name"] for source in main_container(job)["envFrom"]}
    referenced |= {e["valueFrom"]["secretKeyRef"]["name"] for e in main_container(job)["env"]}
    assert referenced == {config["metadata"]["name"], secret["metadata"]["name"]}
