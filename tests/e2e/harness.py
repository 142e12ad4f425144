"""End-to-end harness: starts a real gatehouse sandbox in a temporary state directory and
drives it with the real aws CLI, boto3 and kubectl, exactly as a user would after
`source DIR/env`. Each test is a function taking a Sandbox; the runner prints
"e2e: N passed, N failed"."""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import ssl

TESTS = []


def test(fn):
    # A test module imported by another (for its helpers) must not register twice.
    key = (fn.__code__.co_filename, fn.__name__)
    if key not in {(t.__code__.co_filename, t.__name__) for t in TESTS}:
        TESTS.append(fn)
    return fn


class Fail(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise Fail(msg)


def check_eq(a, b, msg=""):
    if a != b:
        raise Fail(f"{msg} expected {b!r}, got {a!r}")


def check_in(needle, hay, msg=""):
    if needle not in hay:
        raise Fail(f"{msg} expected {needle!r} in {hay!r}")


def parse_env_file(path):
    """Reads DIR/env the way `source` would for simple `export K=V` / `export K='V'` lines."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export "):]
            k, _, v = line.partition("=")
            env[k] = shlex.split(v)[0] if v else ""
    return env


class Sandbox:
    def __init__(self, binary, extra_args=(), state_dir=None):
        self.binary = os.path.abspath(binary)
        self.own_dir = state_dir is None
        self.dir = state_dir or tempfile.mkdtemp(prefix="gh-e2e-")
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")

    def start(self, extra_args=()):
        args = [self.binary, "serve", "--state-dir", self.dir,
                "--listen-aws", "127.0.0.1:0", "--listen-webhook", "127.0.0.1:0",
                "--listen-kube", "127.0.0.1:0", "--listen-agent", "127.0.0.1:0"]
        args += self.extra_args + list(extra_args)
        self.log = open(self.log_path, "ab")
        env_file = os.path.join(self.dir, "env")
        if os.path.exists(env_file):
            os.unlink(env_file)
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Fail(f"gatehouse exited with {self.proc.returncode}: {self.server_log()[-2000:]}")
            if os.path.exists(env_file):
                try:
                    self.env = parse_env_file(env_file)
                    if self.get(self.env["GATEHOUSE_AWS_URL"] + "/readyz")[0] == 200:
                        return self
                except (OSError, KeyError, IndexError):
                    pass
            time.sleep(0.05)
        raise Fail("gatehouse did not become ready: " + self.server_log()[-2000:])

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                rc = self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
                raise Fail("gatehouse did not stop within 20 s of SIGTERM")
            self.log.close()
            self.proc = None
            return rc
        return None

    def server_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def client_env(self, **overrides):
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("AWS_") or k == "KUBECONFIG":
                del env[k]
        env.update(self.env)
        env.update(overrides)
        return env

    def ssl_context(self):
        return ssl.create_default_context(cafile=self.env["AWS_CA_BUNDLE"])

    def get(self, url, headers=None):
        return self.request("GET", url, None, headers)

    def request(self, method, url, body=None, headers=None):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        ctx = self.ssl_context() if url.startswith("https") else None
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
                return r.status, r.read().decode(errors="replace"), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace"), dict(e.headers)

    def aws(self, *args, env=None, check_rc=None):
        """Runs the real aws CLI; returns (rc, parsed JSON or text stdout, stderr)."""
        p = subprocess.run(["aws", *args, "--output", "json"], capture_output=True, text=True,
                           env=self.client_env(**(env or {})), timeout=60)
        out = p.stdout
        try:
            out = json.loads(p.stdout) if p.stdout.strip() else {}
        except json.JSONDecodeError:
            pass
        if check_rc is not None and p.returncode != check_rc:
            raise Fail(f"aws {' '.join(args)}: rc {p.returncode}, stderr {p.stderr}")
        return p.returncode, out, p.stderr

    def kubectl(self, *args, env=None, input=None, check_rc=None, timeout=60):
        """Runs the real kubectl with DIR/kubeconfig (its exec plugin runs `aws eks get-token`
        with whatever AWS credentials `env` gives); returns (rc, stdout, stderr)."""
        p = subprocess.run(["kubectl", *args], capture_output=True, text=True, input=input,
                           env=self.client_env(**(env or {})), timeout=timeout)
        if check_rc is not None and p.returncode != check_rc:
            raise Fail(f"kubectl {' '.join(args)}: rc {p.returncode}, stdout {p.stdout} stderr {p.stderr}")
        return p.returncode, p.stdout, p.stderr

    def iam_user_env(self, name):
        """Creates IAM user `name` with an access key; the env overrides that make the aws CLI
        (and so kubectl's exec plugin) act as that user."""
        self.aws("iam", "create-user", "--user-name", name)
        _, key, _ = self.aws("iam", "create-access-key", "--user-name", name, check_rc=0)
        k = key["AccessKey"]
        # environment credentials come before the profile's in the CLI's chain
        return {"AWS_ACCESS_KEY_ID": k["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": k["SecretAccessKey"]}

    def gatehouse(self, *args, input=None):
        p = subprocess.run([self.binary, *args], capture_output=True, text=True, input=input,
                           env=self.client_env(), timeout=60)
        return p.returncode, p.stdout, p.stderr

    def sdk_process(self, extra_env, code):
        """Runs Python `code` with nothing in its environment but PATH, HOME, the sandbox's
        STS endpoint, CA bundle and region, and `extra_env`: what a pod's SDK sees once a
        webhook has injected its variables."""
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.dir,
               "AWS_ENDPOINT_URL_STS": self.env["AWS_ENDPOINT_URL_STS"],
               "AWS_CA_BUNDLE": self.env["AWS_CA_BUNDLE"], "AWS_REGION": self.env["AWS_REGION"]}
        env.update(extra_env)
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)

    def boto3_session(self, **kw):
        import boto3
        os.environ.update({k: v for k, v in self.env.items()})
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            os.environ.pop(k, None)
        return boto3.session.Session(**kw)

    def cleanup(self):
        self.stop()
        if self.own_dir:
            subprocess.run(["rm", "-rf", self.dir])


def run_all(binary, only=None):
    passed = failed = 0
    sb = Sandbox(binary).start()
    try:
        for fn in TESTS:
            if only and only not in fn.__name__:
                continue
            t0 = time.time()
            try:
                fn(sb)
                passed += 1
                print(f"ok   {fn.__name__} ({time.time() - t0:.2f}s)", flush=True)
            except Exception as e:  # a crash in a test is a failure, not an abort
                failed += 1
                print(f"FAIL {fn.__name__}: {e}", flush=True)
                if not isinstance(e, Fail):
                    traceback.print_exc(file=sys.stdout)
                if sb.proc is None or sb.proc.poll() is not None:
                    print("  server log tail:\n" + sb.server_log()[-3000:])
                    sb = Sandbox(binary, state_dir=sb.dir).start()
    finally:
        rc = sb.stop()
        if rc not in (0, None):
            failed += 1
            print(f"FAIL shutdown: gatehouse exited with {rc}\n" + sb.server_log()[-3000:])
        if failed == 0:
            subprocess.run(["rm", "-rf", sb.dir])
        else:
            print(f"state dir kept: {sb.dir}")
    print(f"e2e: {passed} passed, {failed} failed")
    return failed == 0
