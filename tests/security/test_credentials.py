"""Item 3 of the trust boundary: the agent's own credentials go only to the
destinations its config binds them to. A store URL, registry or endpoint a
client names gets only what the client sent with its request.

The servers here stand for an attacker's: they accept connections on
loopback and record what the agent sends them (FTP USER/PASS, HTTP
Authorization headers), nothing more. That is what an attacker's server
does, so a recorder is the honest stand-in; the positive controls (a bound
destination does receive the credentials) show each recorder can see them.
"""
import base64
import http.server
import socketserver
import threading

import pytest

from conftest import alive, dsoctl

AGENT_ENV = {
    "DSO_STORE_USERNAME": "agent-ftp",
    "DSO_STORE_PASSWORD": "agent-ftp-pw-7f3a",
    "DSO_REGISTRY_USERNAME": "agent-reg",
    "DSO_REGISTRY_PASSWORD": "agent-reg-pw-91c2",
    "AWS_ACCESS_KEY_ID": "AKIAAGENTOWNKEY00001",
    "AWS_SECRET_ACCESS_KEY": "agent-aws-secret-5d1e",
    "VAULT_TOKEN": "agent-vault-token-0b7e",
}
# The client's own environment holds none of them.
CLIENT_ENV = {k: "" for k in AGENT_ENV}


class FtpRecorder(socketserver.ThreadingTCPServer):
    """Answers the FTP greeting and login, records USER and PASS, and then
    refuses the login."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.logins = []
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(b"220 ready\r\n")
            user = None
            for raw in self.rfile:
                line = raw.decode(errors="replace").strip()
                verb, _, arg = line.partition(" ")
                if verb.upper() == "USER":
                    user = arg
                    self.wfile.write(b"331 password please\r\n")
                elif verb.upper() == "PASS":
                    self.server.logins.append((user, arg))
                    self.wfile.write(b"530 no\r\n")
                    return
                else:
                    self.wfile.write(b"530 log in first\r\n")


class HttpRecorder(http.server.ThreadingHTTPServer):
    """Records the Authorization header of every request; answers 401 with
    a Basic challenge (so a registry client offers what it has)."""
    daemon_threads = True

    def __init__(self):
        self.auth = []
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self):
            self.server.auth.append((self.path,
                                     self.headers.get("Authorization", "")
                                     + self.headers.get("X-Vault-Token", "")))
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="recorder"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = do_PUT = do_POST = _any

        def log_message(self, *args):
            pass


def serving(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def ftp():
    s = serving(FtpRecorder())
    yield s
    s.shutdown()


@pytest.fixture
def web():
    s = serving(HttpRecorder())
    yield s
    s.shutdown()


def agent_with(make_agent, tmp_path, bindings="", name="agent"):
    config = f"allowed_roots: ['{tmp_path}']\n"
    if bindings:
        config += "credentials:\n" + bindings
    return make_agent(config, name=name, env=AGENT_ENV).start()


def secrets_in(recorded):
    text = repr(recorded)
    return [v for v in AGENT_ENV.values() if v in text]


def basic_user(header):
    if not header.startswith("Basic "):
        return None
    return base64.b64decode(header[6:]).decode().partition(":")[0]


def test_store_url_a_client_names_gets_no_agent_ftp_password(
        make_agent, stubs, tmp_path, ftp):
    port = ftp.server_address[1]
    a = agent_with(make_agent, tmp_path,
                   f"  - {{to: 'ftp://127.0.0.1:{port}/bound/', "
                   "env: [DSO_STORE_USERNAME, DSO_STORE_PASSWORD]}\n")
    f = tmp_path / "f.txt"
    f.write_text("x\n")
    # Unbound: another path on the server, another port, a '..' way out.
    for url in (f"ftp://127.0.0.1:{port}/other/",
                f"ftp://127.0.0.1:{port}/bound/../other/",
                f"ftp://localhost:{port}/bound/"):
        p = dsoctl("store", "put", str(f), url, agent=a, env=CLIENT_ENV)
        assert p.returncode != 0, url
    assert ftp.logins, "the recorder saw no login"
    assert secrets_in(ftp.logins) == [], ftp.logins
    assert all(user == "anonymous" for user, _ in ftp.logins), ftp.logins
    # Bound: the agent's own login goes there (and only there).
    dsoctl("store", "put", str(f), f"ftp://127.0.0.1:{port}/bound/",
           agent=a, env=CLIENT_ENV)
    assert ftp.logins[-1] == ("agent-ftp", "agent-ftp-pw-7f3a")
    assert alive(stubs, a)


def test_registry_a_client_names_gets_no_agent_basic_auth(
        make_agent, stubs, tmp_path, web):
    port = web.server_address[1]
    a = agent_with(make_agent, tmp_path,
                   f"  - {{to: '127.0.0.1:{port}/bound', "
                   "env: [DSO_REGISTRY_USERNAME, DSO_REGISTRY_PASSWORD]}\n")
    for ref in (f"127.0.0.1:{port}/app:1", f"127.0.0.1:{port}/boundless:1",
                f"localhost:{port}/bound/app:1"):
        p = dsoctl("scan", "--image", ref, "--scanners", "secrets",
                   agent=a, env=CLIENT_ENV)
        assert p.returncode != 0, ref
    assert web.auth, "the recorder saw no request"
    assert secrets_in(web.auth) == [], web.auth
    assert all(basic_user(h) is None for _, h in web.auth), web.auth
    # What the client sends is used, and only that.
    p = dsoctl("scan", "--image", f"127.0.0.1:{port}/app:1", "--scanners",
               "secrets", agent=a,
               env=dict(CLIENT_ENV, DSO_REGISTRY_USERNAME="client",
                        DSO_REGISTRY_PASSWORD="client-pw"))
    assert p.returncode != 0
    assert basic_user(web.auth[-1][1]) == "client"
    # Bound: the agent's login goes to its repository.
    dsoctl("scan", "--image", f"127.0.0.1:{port}/bound/app:1", "--scanners",
           "secrets", agent=a, env=CLIENT_ENV)
    assert basic_user(web.auth[-1][1]) == "agent-reg"
    assert alive(stubs, a)


def test_s3_endpoint_from_a_request_never_gets_the_agents_aws_key(
        make_agent, stubs, tmp_path, web):
    port = web.server_address[1]
    a = agent_with(make_agent, tmp_path,
                   "  - {to: 's3://artifacts/', "
                   "env: [AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY]}\n")
    f = tmp_path / "f.txt"
    f.write_text("x\n")
    endpoint = f"http://127.0.0.1:{port}"
    p = dsoctl("store", "put", str(f), "s3://artifacts/f.txt", agent=a,
               env=dict(CLIENT_ENV, DSO_S3_ENDPOINT=endpoint))
    assert p.returncode != 0
    assert "AWS_ACCESS_KEY_ID" in p.stderr, p.stderr
    # A region that would name another host is refused outright.
    p = dsoctl("store", "put", str(f), "s3://artifacts/f.txt", agent=a,
               env=dict(CLIENT_ENV, AWS_REGION="x@127.0.0.1#"))
    assert p.returncode != 0
    assert "not a region name" in p.stderr, p.stderr
    assert secrets_in(web.auth) == [], web.auth
    assert "AKIAAGENTOWNKEY00001" not in repr(web.auth)
    assert alive(stubs, a)


def test_agent_key_file_signs_only_when_bound(make_agent, stubs, tmp_path):
    key = tmp_path / "release"
    dsoctl("keys", "generate", "--out", str(key),
           env={"DSO_KEY_PASSWORD": ""}, check=0)
    blob = tmp_path / "blob.txt"
    blob.write_text("payload\n")
    import grpc
    for i, (bindings, allowed) in enumerate((
            ("", False),
            (f"  - {{to: 'file://{tmp_path}/other.key', "
             "env: [DSO_KEY_PASSWORD]}\n", False),
            (f"  - {{to: 'file://{key}.key', env: [DSO_KEY_PASSWORD]}}\n",
             True))):
        a = agent_with(make_agent, tmp_path, bindings, name=f"agent{i}")
        req = stubs.agent_pb2.RunStepRequest(step="sign")
        req.sign.blob.local_path = str(blob)
        req.sign.key = f"file://{key}.key"
        stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(a.address))
        result = list(stub.RunStep(req, timeout=60))[-1].result
        if allowed:
            assert result.outcome == stubs.agent_pb2.SUCCEEDED, result.message
        else:
            assert result.outcome == stubs.agent_pb2.ERROR
            assert "no credentials binding" in result.message, result.message
        assert alive(stubs, a)
        a.stop()


def test_password_in_a_url_is_refused_and_never_recorded(
        make_agent, stubs, tmp_path):
    a = agent_with(make_agent, tmp_path)
    f = tmp_path / "f.txt"
    f.write_text("x\n")
    p = dsoctl("store", "put", str(f),
               "ftp://ci:hunter2-pw@127.0.0.1:9/dir/", agent=a, env=CLIENT_ENV)
    assert p.returncode != 0
    assert "hunter2" not in p.stdout + p.stderr
    assert "password" in p.stderr and "ftp://ci:***@127.0.0.1:9" in p.stderr, \
        p.stderr
    p = dsoctl("exec", "--no-workdir", "--", "curl",
               "https://u:hunter2-pw@example.com/", agent=a, env=CLIENT_ENV)
    assert p.returncode != 0
    assert "hunter2" not in p.stdout + p.stderr
    a.stop()
    for path in a.base.rglob("*"):
        if path.is_file():
            assert b"hunter2" not in path.read_bytes(), path


def test_bindings_must_be_well_formed(make_agent, tmp_path):
    a = make_agent("credentials:\n  - {to: 'ftp://u:pw-in-config@h/', "
                   "env: [X]}\n")
    a.start(wait=False)
    assert a.proc.wait(timeout=30) != 0
    log = a.log_path.read_text()
    assert "holds a password" in log and "pw-in-config" not in log, log


def test_vault_token_goes_only_to_the_bound_key_at_the_agents_address(
        make_agent, stubs, tmp_path, web):
    import grpc
    recorder = f"http://127.0.0.1:{web.server_address[1]}"
    env = dict(AGENT_ENV, VAULT_ADDR=recorder)
    a = make_agent(f"allowed_roots: ['{tmp_path}']\n"
                   "credentials:\n  - {to: 'hashivault://release', "
                   "env: [VAULT_ADDR, VAULT_TOKEN]}\n", env=env).start()
    blob = tmp_path / "blob.txt"
    blob.write_text("payload\n")
    stub = stubs.agent_pb2_grpc.AgentStub(grpc.insecure_channel(a.address))

    def sign(key, **secrets):
        req = stubs.agent_pb2.RunStepRequest(step="sign")
        req.sign.blob.local_path = str(blob)
        req.sign.key = key
        req.secrets.update(secrets)
        return list(stub.RunStep(req, timeout=60))[-1].result
    # Another key, or the bound key at an address the request names: the
    # agent's token stays home.
    assert "set VAULT_ADDR and VAULT_TOKEN" in sign("hashivault://other").message
    assert "set VAULT_ADDR and VAULT_TOKEN" in \
        sign("hashivault://release", VAULT_ADDR=recorder).message
    assert web.auth == []
    # The bound key at the agent's own address gets the agent's token.
    sign("hashivault://release")
    assert web.auth and web.auth[-1][1] == "agent-vault-token-0b7e"
    assert alive(stubs, a)
