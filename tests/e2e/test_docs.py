"""The copy-paste examples in docs/*.md, run as a user would run them after
`source DIR/env`: every ```sh block of a page in order, in one bash, with -e. A comment
line standing alone after a command is output that must appear (<...> matches anything)."""
import glob
import os
import re
import subprocess

from harness import Fail, check, test

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs")


def blocks(path):
    text = open(path).read()
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def expectations(script):
    out, prev_cmd = [], False
    for line in script.splitlines():
        s = line.strip()
        if s.startswith("# ") and prev_cmd:
            parts = re.split(r"<[^>]*>", s[2:])
            out.append(".*".join(re.escape(x) for x in parts))
        prev_cmd = bool(s) and not s.startswith("#")
    return out


def run_page(sb, name):
    path = os.path.join(DOCS, name)
    script = "\n".join(blocks(path))
    check(script.strip(), f"{name} has no sh examples")
    env = sb.client_env()
    env["PATH"] = os.path.dirname(sb.binary) + os.pathsep + env["PATH"]
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, env=env,
                       timeout=300)
    if p.returncode != 0:
        raise Fail(f"{name}: exit {p.returncode}\nstdout: {p.stdout[-1500:]}\nstderr: {p.stderr[-1500:]}")
    for pat in expectations(script):
        if not re.search(pat, p.stdout):
            raise Fail(f"{name}: output lacks /{pat}/:\n{p.stdout[-1500:]}")


@test
def docs_iam_sts_examples_run(sb):
    run_page(sb, "iam-sts.md")


@test
def docs_tokens_examples_run(sb):
    run_page(sb, "tokens.md")


@test
def docs_eks_examples_run(sb):
    run_page(sb, "eks.md")


@test
def docs_authorization_examples_run(sb):
    run_page(sb, "authorization.md")


@test
def docs_audit_examples_run(sb):
    run_page(sb, "audit.md")


@test
def docs_workload_identity_examples_run(sb):
    run_page(sb, "workload-identity.md")


@test
def docs_operations_examples_run(sb):
    run_page(sb, "operations.md")


@test
def docs_readme_quick_start_runs(sb):
    # The README's quick start, with its paths pointed at this sandbox.
    text = open(os.path.join(DOCS, "..", "README.md")).read()
    block = re.findall(r"```sh\nsource var/env\n(.*?)```", text, re.S)
    check(block, "README quick start block not found")
    script = block[0].replace("./build/gatehouse", sb.binary).replace("--state-dir var", "--state-dir " + sb.dir)
    script = script.replace("--user-name alice", "--user-name readme-alice") + "\naws iam delete-user --user-name readme-alice\n"
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True,
                       env=sb.client_env(), timeout=120)
    if p.returncode != 0:
        raise Fail(f"README: exit {p.returncode}: {p.stderr[-1500:]}")
    check("Authenticated." in p.stdout, p.stdout[-800:])


@test
def docs_kubernetes_api_examples_run(sb):
    run_page(sb, "kubernetes-api.md")
