"""A tiny model trained once per session with the tfm binary, and real `tfm serve` processes to test over HTTP."""

import http.client
import json
import os
import random
import selectors
import signal
import subprocess

import pytest

from tiny_pair import GERMAN, TINY_CONFIG, WORDS

MODEL_NAME = "en-de"  # LibreTranslate's clients pick the model by its languages


def english_lines(count, seed):
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))) for _ in range(count)]


@pytest.fixture(scope="session")
def tfm_binary():
    path = os.environ.get("TFM_BINARY")
    if not path:
        pytest.skip("TFM_BINARY is not set: these tests start the tfm binary")
    return path


@pytest.fixture(scope="session")
def model_dir(tfm_binary, tmp_path_factory):
    directory = tmp_path_factory.mktemp("model")
    english = english_lines(400, seed=1)
    german = [" ".join(GERMAN[w] for w in line.split()) for line in english]
    (directory / "train.en").write_text("\n".join(english) + "\n", encoding="utf-8")
    (directory / "train.de").write_text("\n".join(german) + "\n", encoding="utf-8")
    (directory / "tiny.json").write_text(json.dumps(TINY_CONFIG))
    model = directory / "tiny"
    # 300 steps: enough that translations are words of varied lengths, not all empty.
    subprocess.run([tfm_binary, "train", "--src", str(directory / "train.en"), "--tgt", str(directory / "train.de"),
                    "--model", str(model), "--config", str(directory / "tiny.json"), "--max-steps", "300",
                    "--warmup", "40", "--batch-tokens", "512", "--valid-every", "1000", "--log-every", "1000",
                    "--threads", "1"], check=True, capture_output=True)
    return str(model)


@pytest.fixture(scope="session")
def sentences():
    """Held-out sentences (another seed than the training corpus)."""
    return english_lines(40, seed=2)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Server:
    """One `tfm serve` process on a free loopback port; stopped with SIGTERM."""

    START_SECONDS = 30

    def __init__(self, binary, model_dir, log_path, *options):
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen([binary, "serve", "--model", f"{MODEL_NAME}={model_dir}", "--port", "0",
                                             *options], stdout=subprocess.PIPE, stderr=log)
        self.port = self._read_port()

    def _read_port(self):
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(self.START_SECONDS):
            self.stop()
            raise AssertionError(f"tfm serve printed nothing in {self.START_SECONDS} s: {self.stderr()}")
        line = self.process.stdout.readline().decode()
        if not line.startswith("listening on http://"):
            self.stop()
            raise AssertionError(f"tfm serve printed {line!r}, not 'listening on ...': {self.stderr()}")
        return int(line.strip().rsplit(":", 1)[1])

    def stderr(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def connection(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def open_connections(self, count):
        """`count` keep-alive connections, each answered once, for clients that then send at once."""
        connections = [self.connection() for _ in range(count)]
        for connection in connections:
            assert self.request("GET", "/health", connection=connection).status == 200
        return connections

    def request(self, method, path, body=None, headers=None, connection=None):
        """One request, on `connection` if given (left open), else on a connection of its own."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        own = connection is None
        connection = connection or self.connection()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, dict(response.getheaders()), response.read())
        finally:
            if own:
                connection.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body, headers=None):
        return self.request("POST", path, body, headers)

    def metrics(self):
        """Every sample of /metrics: {'name{labels}': value}."""
        response = self.get("/metrics")
        assert response.status == 200
        samples = {}
        for line in response.body.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                samples[name] = float(value)
        return samples

    def terminate(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout=60):
        """SIGTERM, then the exit status."""
        self.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"tfm serve did not stop within {timeout} s of SIGTERM")
        finally:
            self.process.stdout.close()


@pytest.fixture(scope="session")
def start_server(tfm_binary, model_dir, tmp_path_factory):
    """start_server(*options): a running server; every one is stopped at the end of the session."""
    servers = []

    def start(*options):
        log = tmp_path_factory.mktemp("serve") / "stderr.txt"
        servers.append(Server(tfm_binary, model_dir, log, *options))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.returncode is None:
            server.stop()


@pytest.fixture(scope="session")
def translate_offline(tfm_binary, model_dir, tmp_path_factory):
    """translate_offline(lines, beam): `tfm translate`'s output lines."""
    def translate(lines, beam):
        path = tmp_path_factory.mktemp("offline") / "input.en"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        result = subprocess.run([tfm_binary, "translate", "--model", model_dir, "--input", str(path), "--beam",
                                 str(beam), "--threads", "1", "--quiet"], check=True, capture_output=True)
        return result.stdout.decode("utf-8").split("\n")[:-1]
    return translate

