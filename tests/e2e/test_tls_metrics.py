"""TCP with mutual TLS (certificates made here with OpenSSL), the TCP
safety rules, and the Prometheus endpoint."""
import urllib.request

import grpc
import pytest

from conftest import dsoctl, make_ca, make_cert, tls_args


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    make_ca(d, "ca")
    make_ca(d, "rogue-ca")
    make_cert(d, "agent", "ca", san="IP:127.0.0.1,DNS:localhost")
    make_cert(d, "jenkins-release", "ca")
    make_cert(d, "developer", "ca")
    make_cert(d, "intruder", "rogue-ca")
    return d


@pytest.fixture
def tls_agent(make_agent, pki):
    config = (f"tls:\n  cert: {pki}/agent.pem\n  key: {pki}/agent.key\n"
              f"  client_ca: {pki}/ca.pem\n")
    return make_agent(config, listen=["127.0.0.1:0"]).start()


def test_mtls_client_runs_steps_and_is_identified(tls_agent, pki, tmp_path):
    p = dsoctl("exec", "--", "echo", "over tls", agent=tls_agent, cwd=tmp_path,
               extra_global=tls_args(pki, "jenkins-release"), check=0)
    assert p.stdout == "over tls\n"
    assert "as a tar" in p.stderr  # TCP: inputs always travel
    started = [r for r in tls_agent.log_records()
               if r.get("message", "").startswith("run started")]
    assert started[-1]["user.name"] == "x509:jenkins-release"


def test_client_without_certificate_is_refused(tls_agent, pki, tmp_path):
    # TLS, but no client certificate.
    creds = grpc.ssl_channel_credentials(
        root_certificates=(pki / "ca.pem").read_bytes())
    channel = grpc.secure_channel(tls_agent.address, creds)
    check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                request_serializer=lambda _: b"",
                                response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as e:
        check(None, timeout=10)
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    # A certificate from another CA.
    p = dsoctl("agent", "info", agent=tls_agent,
               extra_global=["--tls-cert", f"{pki}/intruder.pem",
                             "--tls-key", f"{pki}/intruder.key",
                             "--tls-ca", f"{pki}/ca.pem"])
    assert p.returncode == 3
    # Plain TCP.
    p = dsoctl("agent", "info", agent=tls_agent, extra_global=["--insecure-tcp"])
    assert p.returncode == 3
    # dsoctl refuses TCP without any TLS settings.
    p = dsoctl("agent", "info", agent=tls_agent)
    assert p.returncode == 2 and "--tls-cert" in p.stderr
    # The agent still serves good clients.
    dsoctl("agent", "info", agent=tls_agent,
           extra_global=tls_args(pki, "jenkins-release"), check=0)


def test_permissions_by_client_identity(make_agent, pki, tmp_path):
    config = (f"tls:\n  cert: {pki}/agent.pem\n  key: {pki}/agent.key\n"
              f"  client_ca: {pki}/ca.pem\n"
              "permissions:\n  jenkins-release: ['*']\n  '*': [noop]\n")
    a = make_agent(config, listen=["127.0.0.1:0"]).start()
    denied = dsoctl("exec", "--no-workdir", "--", "true", agent=a,
                    cwd=tmp_path, extra_global=tls_args(pki, "developer"))
    assert denied.returncode == 2
    assert "identity 'x509:developer' may not run step 'exec'" in denied.stderr
    dsoctl("exec", "--", "true", agent=a, cwd=tmp_path,
           extra_global=tls_args(pki, "jenkins-release"), check=0)


def test_plain_tcp_needs_the_flag_and_loopback(make_agent):
    a = make_agent(listen=["127.0.0.1:0"])
    a.start(wait=False)
    assert a.proc.wait(timeout=30) == 2
    assert "needs mutual TLS" in a.log_path.read_text()
    b = make_agent(name="b", listen=["0.0.0.0:0"], extra_args=["--insecure-tcp"])
    b.start(wait=False)
    assert b.proc.wait(timeout=30) == 2
    c = make_agent(name="c", listen=["127.0.0.1:0"],
                   extra_args=["--insecure-tcp"]).start()
    p = dsoctl("agent", "info", agent=c, extra_global=["--insecure-tcp"],
               check=0)
    assert "exec" in p.stdout


def test_bad_config_is_exit_2_naming_the_key(make_agent):
    a = make_agent("max_concurent_runs: 3\n")
    a.start(wait=False)
    assert a.proc.wait(timeout=30) == 2
    assert "unknown key 'max_concurent_runs'" in a.log_path.read_text()


def test_metrics_endpoint(make_agent, tmp_path):
    a = make_agent(extra_args=["--metrics-listen", "127.0.0.1:0"]).start()
    dsoctl("exec", "--", "true", agent=a, cwd=tmp_path, check=0)
    dsoctl("store", "put", __file__, agent=a, check=0)
    with urllib.request.urlopen(
            f"http://127.0.0.1:{a.metrics_port}/metrics", timeout=10) as r:
        assert r.headers["Content-Type"].startswith(
            "text/plain; version=0.0.4")
        body = r.read().decode()
    assert 'dso_runs_total{step="exec",outcome="SUCCEEDED"} 1' in body
    assert "dso_run_duration_seconds_bucket" in body
    assert "dso_active_runs 0" in body
    assert "dso_artifact_bytes_in_total 0" not in body
