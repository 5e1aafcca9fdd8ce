"""`tfm serve` end to end: real server processes on loopback, spoken to with the standard library's HTTP client.

Every endpoint, translations against `tfm translate`'s under concurrent clients in both batching modes, every
refusal with its status and message, SIGTERM with requests in flight, and a server still healthy after it all.
"""

import json
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# The shared server's limits are small, so that going beyond them takes small requests.
MAX_REQUEST_BYTES = 16384
MAX_SENTENCES = 16
MAX_SENTENCE_CHARS = 300

# A sentence of 60-odd pieces whose translation may not end before the model's limit of 63 pieces, at beam
# 64: 63 decoder steps of 64 rows, the slowest sentence the tiny model allows.
SLOW_SENTENCE = " ".join(["red cat runs"] * 6)
SLOW = {"beam_size": 64, "min_length": 1000, "max_length_ratio": 100}


@pytest.fixture(scope="module")
def server(start_server):
    """Continuous batching, the default; the tests of single requests share it."""
    return start_server("--threads", "1", "--max-request-bytes", str(MAX_REQUEST_BYTES), "--max-sentences",
                        str(MAX_SENTENCES), "--max-sentence-chars", str(MAX_SENTENCE_CHARS))


def translate(server, body, path="/v1/translate", connection=None):
    response = server.request("POST", path, body, JSON, connection)
    assert response.status == 200, response.body
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def best_texts(answer):
    return [t["hypotheses"][0]["text"] for t in answer["translations"]]


def wait_until(condition, what, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def concurrently(server, function, arguments):
    """function(connection, a) for every a, each in its own thread on its own connection, all at once."""
    connections = server.open_connections(len(arguments))
    try:
        with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
            return list(pool.map(function, connections, arguments))
    finally:
        for connection in connections:
            connection.close()


# --- connections ---

def test_a_burst_of_connections_is_accepted(server):
    """100 clients connecting at the same moment: the library's own listen backlog of 5 dropped some of
    them (a reset, or a wait past any timeout) until the server raised it."""
    clients = 100
    barrier = threading.Barrier(clients)

    def connect_and_ask(_):
        connection = server.connection(timeout=30)
        barrier.wait()
        try:
            connection.request("GET", "/health")
            return connection.getresponse().status
        except OSError as e:
            return type(e).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(connect_and_ask, range(clients)))
    assert statuses == [200] * clients, {s: statuses.count(s) for s in set(statuses)}


def test_a_connection_stays_open_for_many_requests(server):
    """The library's default closed a keep-alive connection after 5 requests."""
    connection = server.connection()
    try:
        for _ in range(20):
            connection.request("GET", "/health")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection", "").lower() != "close"
    finally:
        connection.close()


# --- every endpoint ---

def test_health(server):
    response = server.get("/health")
    assert (response.status, response.json()) == (200, {"status": "ok"})


def test_models_names_the_loaded_model(server, model_dir):
    assert server.get("/v1/models").json() == {"models": [{
        "name": "en-de", "directory": model_dir, "d_model": 32, "heads": 2, "encoder_layers": 1,
        "decoder_layers": 1, "vocab_size": 48}]}


def test_translate_a_string_and_a_list(server, sentences, translate_offline):
    expected = translate_offline(sentences[:3], beam=4)
    one = translate(server, {"text": sentences[0]})
    assert one["model"] == "en-de"
    assert best_texts(one) == expected[:1]
    several = translate(server, {"model": "en-de", "text": sentences[:3] + [""]})
    assert best_texts(several) == expected + [""]
    assert several["translations"][3]["hypotheses"][0]["pieces"] == []
    assert all("attention" not in translation for translation in several["translations"])


@pytest.mark.parametrize("beam", [1, 4])
def test_greedy_and_beam_search_give_translate_s_output(server, sentences, translate_offline, beam):
    lines = sentences[:MAX_SENTENCES]
    assert best_texts(translate(server, {"text": lines, "beam_size": beam})) == translate_offline(lines, beam)


def test_n_best_hypotheses_come_best_first_with_their_scores(server, sentences):
    answer = translate(server, {"text": sentences[:8], "beam_size": 4, "n_best": 3, "length_penalty": 0.6})
    for translation in answer["translations"]:
        hypotheses = translation["hypotheses"]
        assert len(hypotheses) == 3
        scores = [h["score"] for h in hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert len({tuple(h["pieces"]) for h in hypotheses}) == 3
        for h in hypotheses:
            # log P divided by the length penalty ((5 + n) / 6)^alpha, n counting EOS.
            penalty = ((5 + len(h["pieces"]) + 1) / 6) ** 0.6
            assert h["score"] == pytest.approx(h["log_prob"] / penalty, rel=1e-4)
            assert h["log_prob"] <= 0


def test_attention_has_a_row_per_target_piece_summing_to_1(server, sentences):
    answer = translate(server, {"text": sentences[:4], "attention": True})
    for translation in answer["translations"]:
        attention, pieces = translation["attention"], translation["hypotheses"][0]["pieces"]
        assert (attention["layers"], attention["heads"]) == (1, 2)
        assert attention["target_pieces"] == pieces + ["</s>"]
        assert attention["source_pieces"][-1] == "</s>"
        weights = attention["weights"]
        assert len(weights) == 1 and len(weights[0]) == 2
        for head in weights[0]:
            assert len(head) == len(attention["target_pieces"])
            for row in head:
                assert len(row) == len(attention["source_pieces"])
                assert min(row) >= 0
                assert sum(row) == pytest.approx(1, abs=1e-4)


def test_libretranslate_json(server, sentences, translate_offline):
    expected = translate_offline(sentences[:3], beam=4)
    one = translate(server, {"q": sentences[0], "source": "en", "target": "de", "format": "text",
                             "api_key": "ignored", "other": "ignored"}, path="/translate")
    assert one == {"translatedText": expected[0]}
    several = translate(server, {"q": sentences[:3], "source": "en", "target": "de"}, path="/translate")
    assert several == {"translatedText": expected}
    with_alternatives = translate(server, {"q": sentences[0], "source": "en", "target": "de", "alternatives": 2},
                                  path="/translate")
    assert with_alternatives["translatedText"] == expected[0]
    assert len(with_alternatives["alternatives"]) == 2
    listed = translate(server, {"q": sentences[:2], "alternatives": 1}, path="/translate")
    assert [len(a) for a in listed["alternatives"]] == [1, 1]


def test_libretranslate_html_form(server, sentences, translate_offline):
    expected = translate_offline(sentences[:1], beam=4)
    form = urllib.parse.urlencode({"q": sentences[0], "source": "en", "target": "de", "alternatives": "1"})
    response = server.post("/translate", form, FORM)
    assert response.status == 200, response.body
    answer = response.json()
    assert answer["translatedText"] == expected[0]
    assert len(answer["alternatives"]) == 1


def test_languages(server):
    assert server.get("/languages").json() == [{"code": "en", "name": "en", "targets": ["de"]}]


def test_metrics_count_requests_sentences_and_errors(server, sentences):
    response = server.get("/metrics")
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.body.decode()
    for name, kind in (("tfm_requests_total", "counter"), ("tfm_errors_total", "counter"),
                       ("tfm_request_duration_seconds", "histogram"), ("tfm_sentences_total", "counter"),
                       ("tfm_queue_depth", "gauge"), ("tfm_batch_occupancy_ratio", "gauge")):
        assert f"# TYPE {name} {kind}" in text

    ok = 'tfm_requests_total{endpoint="/v1/translate",code="200"}'
    bad = 'tfm_requests_total{endpoint="/v1/translate",code="400"}'
    bad_requests = 'tfm_errors_total{kind="bad_request"}'
    before = server.metrics()
    answer = translate(server, {"text": sentences[:3]})
    assert server.post("/v1/translate", "{", JSON).status == 400
    after = server.metrics()
    assert after[ok] == before.get(ok, 0) + 1
    assert after[bad] == before.get(bad, 0) + 1
    assert after[bad_requests] == before.get(bad_requests, 0) + 1
    assert after['tfm_sentences_total{model="en-de"}'] == before['tfm_sentences_total{model="en-de"}'] + 3
    pieces = sum(len(t["hypotheses"][0]["pieces"]) for t in answer["translations"])
    assert (after['tfm_target_tokens_total{model="en-de"}'] ==
            before['tfm_target_tokens_total{model="en-de"}'] + pieces)
    duration_count = 'tfm_request_duration_seconds_count{endpoint="/v1/translate"}'
    assert after[duration_count] == before[duration_count] + 2
    assert after['tfm_decoder_steps_total{model="en-de"}'] > before['tfm_decoder_steps_total{model="en-de"}']


# --- translations under concurrent clients ---

@pytest.mark.parametrize("batching", ["continuous", "request"])
def test_concurrent_clients_get_translate_s_output(start_server, sentences, translate_offline, batching):
    server = start_server("--threads", "1", "--batching", batching)
    expected = {beam: translate_offline(sentences, beam) for beam in (1, 4)}

    # A client per sentence, one sentence per request, greedy then beam 4: in continuous batching requests of
    # both beam sizes share decoder steps.
    def client(connection, sentence):
        return {beam: best_texts(translate(server, {"text": sentence, "beam_size": beam}, connection=connection))[0]
                for beam in (1, 4)}

    got = concurrently(server, client, sentences)
    for beam in (1, 4):
        assert [g[beam] for g in got] == expected[beam]
    assert server.stop() == 0


# --- refusals ---

def bad(name, path, body, status, message, method="POST", headers=JSON):
    return pytest.param(method, path, body, headers, status, message, id=name)


REFUSALS = [
    bad("malformed JSON", "/v1/translate", '{"text": "a dog"', 400, "not valid JSON"),
    bad("not an object", "/v1/translate", '["a dog"]', 400, "must be a JSON object, got array"),
    bad("no text", "/v1/translate", "{}", 400, 'no "text"'),
    bad("text a number", "/v1/translate", '{"text": 5}', 400, '"text" must be a string or a list of strings'),
    bad("text lists a number", "/v1/translate", '{"text": ["a", 3]}', 400, '"text"[1] must be a string'),
    bad("beam_size a string", "/v1/translate", '{"text": "a", "beam_size": "4"}', 400,
        '"beam_size" must be an integer'),
    bad("beam_size a fraction", "/v1/translate", '{"text": "a", "beam_size": 2.5}', 400,
        '"beam_size" must be an integer'),
    bad("beam_size 0", "/v1/translate", '{"text": "a", "beam_size": 0}', 400, '"beam_size" must be between 1 and 64'),
    bad("n_best over the beam", "/v1/translate", '{"text": "a", "beam_size": 2, "n_best": 3}', 400,
        '"n_best" must be between 1 and 2'),
    bad("length_penalty a string", "/v1/translate", '{"text": "a", "length_penalty": "0.6"}', 400,
        '"length_penalty" must be a number'),
    bad("attention a number", "/v1/translate", '{"text": "a", "attention": 1}', 400,
        '"attention" must be true or false'),
    bad("model a number", "/v1/translate", '{"text": "a", "model": 1}', 400, '"model" must be a string'),
    bad("unknown field", "/v1/translate", '{"text": "a", "beam": 4}', 400, 'unknown field "beam"'),
    bad("unknown model", "/v1/translate", '{"text": "a", "model": "fr-de"}', 404, 'no model "fr-de"'),
    bad("body not UTF-8", "/v1/translate", b'{"text": "a \xff dog"}', 400, "not UTF-8"),
    bad("number out of range", "/v1/translate", '{"text": "a", "length_penalty": 1e400}', 400, "1e400"),
    bad("too many sentences", "/v1/translate", json.dumps({"text": ["a"] * (MAX_SENTENCES + 1)}), 413,
        f"the limit is {MAX_SENTENCES} per request"),
    bad("too many characters", "/v1/translate", json.dumps({"text": "a" * (MAX_SENTENCE_CHARS + 1)}), 413,
        f"{MAX_SENTENCE_CHARS + 1} characters; the limit is {MAX_SENTENCE_CHARS}"),
    bad("more pieces than the model reads", "/v1/translate", json.dumps({"text": " ".join(["red cat runs"] * 8)}),
        413, "reads at most 63"),
    bad("body too large", "/v1/translate", json.dumps({"text": "a " * MAX_REQUEST_BYTES}), 413,
        f"over {MAX_REQUEST_BYTES} bytes"),
    bad("LibreTranslate: no q", "/translate", '{"source": "en", "target": "de"}', 400, 'no "q"'),
    bad("LibreTranslate: format html", "/translate", '{"q": "a", "format": "html"}', 400,
        '"format" must be "text"'),
    bad("LibreTranslate: too many alternatives", "/translate", '{"q": "a", "alternatives": 17}', 400,
        '"alternatives" must be between 0 and 16'),
    bad("LibreTranslate: JSON not UTF-8", "/translate", b'{"q": "\xc3\x28"}', 400, "not UTF-8"),
    bad("LibreTranslate: form field not UTF-8 (escaped)", "/translate", "q=%FF%FE&source=en&target=de", 400,
        'form field "q" is not UTF-8', headers=FORM),
    bad("LibreTranslate: form field not UTF-8 (raw)", "/translate", b"q=a&source=\xe9n&target=de", 400,
        'form field "source" is not UTF-8', headers=FORM),
    bad("LibreTranslate: alternatives not a number", "/translate", "q=a&alternatives=two", 400,
        '"alternatives" must be an integer', headers=FORM),
    bad("unknown path", "/v2/translate", None, 404, "no such endpoint: GET /v2/translate", method="GET"),
    bad("unknown path, POST", "/v1/translat", '{"text": "a"}', 404, "no such endpoint: POST /v1/translat"),
]


@pytest.mark.parametrize("method, path, body, headers, status, message", REFUSALS)
def test_refusals_name_the_problem(server, method, path, body, headers, status, message):
    response = server.request(method, path, body, headers)
    assert response.status == status, response.body
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()
    assert list(error) == ["error"]
    assert message in error["error"]


def test_a_full_queue_is_429(start_server):
    # The batch takes one sentence at a time (--max-batch-tokens 1) and the queue holds two more.
    server = start_server("--threads", "1", "--max-queue", "2", "--max-batch-tokens", "1")
    more_than_the_queue = server.post("/v1/translate", {"text": ["a dog", "a cat", "a bird"]}, JSON)
    assert more_than_the_queue.status == 429
    assert 'the queue of model "en-de" is full' in more_than_the_queue.json()["error"]

    clients = 24
    start_together = threading.Barrier(clients)

    def client(connection, _):
        start_together.wait()
        return server.request("POST", "/v1/translate", {"text": SLOW_SENTENCE, **SLOW}, JSON, connection)

    answers = concurrently(server, client, range(clients))
    statuses = [a.status for a in answers]
    assert set(statuses) == {200, 429}, statuses  # some get in, the others are told to come back
    assert all("is full" in a.json()["error"] for a in answers if a.status == 429)
    assert server.metrics()['tfm_errors_total{kind="queue_full"}'] == statuses.count(429) + 1
    assert server.get("/health").status == 200
    assert server.stop() == 0


def test_a_request_past_the_timeout_is_503(start_server):
    server = start_server("--threads", "1", "--max-batch-tokens", "1", "--request-timeout", "1")
    # 4 requests of 256 slow sentences, decoded one at a time: a minute of work here, far past the 1 s timeout
    # on any machine.
    slow_request = {"text": [SLOW_SENTENCE] * 256, **SLOW}
    answers = concurrently(server, lambda c, _: server.request("POST", "/v1/translate", slow_request, JSON, c),
                           range(4))
    statuses = [a.status for a in answers]
    assert 503 in statuses and set(statuses) <= {200, 503}, statuses
    assert all("--request-timeout" in a.json()["error"] for a in answers if a.status == 503)
    assert server.metrics()['tfm_errors_total{kind="timeout"}'] == statuses.count(503)
    # The sentences of the requests given up are dropped, not translated for nobody: else this request would
    # wait behind them past its own timeout.
    assert translate(server, {"text": "a dog"})["translations"][0]["hypotheses"]
    assert server.stop() == 0


def test_sigterm_answers_the_requests_in_flight_then_exits_0(start_server, sentences):
    # One sentence at a time, so that the requests are still in flight when the signal comes.
    server = start_server("--threads", "1", "--max-batch-tokens", "1")
    clients, per_request = 6, 10
    sent = threading.Semaphore(0)

    def client(connection):
        connection.request("POST", "/v1/translate", json.dumps({"text": [SLOW_SENTENCE] * per_request, **SLOW}),
                           JSON)
        sent.release()
        response = connection.getresponse()
        return response.status, json.loads(response.read())

    *connections, idle = server.open_connections(clients + 1)
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = [pool.submit(client, c) for c in connections]
        for _ in range(clients):
            sent.acquire()

        def all_queued():
            m = server.metrics()
            return (m['tfm_queue_depth{model="en-de"}'] + m['tfm_batch_sentences{model="en-de"}'] +
                    m['tfm_sentences_total{model="en-de"}']) >= clients * per_request

        wait_until(all_queued, "every sentence to reach the scheduler")
        server.terminate()
        wait_until(lambda: "terminated" in server.stderr(), "the server to take the signal")
        # A new connection, and one opened before the signal: refused or closed (ConnectionError), or told 503.
        for connection in (server.connection(), idle):
            try:
                late = server.request("GET", "/health", connection=connection)
                assert late.status == 503, late.body
            except ConnectionError:
                pass
            connection.close()
        answers = [r.result() for r in results]

    for status, answer in answers:
        assert status == 200, answer
        assert len(answer["translations"]) == per_request
    assert server.stop() == 0
    assert "tfm serve: stopped" in server.stderr()


def test_the_server_survived_everything(server, sentences):
    assert server.process.poll() is None
    test_health(server)
    assert best_texts(translate(server, {"text": sentences[:2]}))
