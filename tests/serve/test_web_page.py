"""The web page of `tfm serve` in headless Chromium, against a tiny model trained here.

    TFM_BINARY=build/tfm TFM_WEB_PAGE_SCREENSHOT=out.png python3 tests/serve/test_web_page.py

tests/support/run_browser_test.sh runs it for CTest (Serve.web_page), where the screenshot goes
to <build>/tests/web_page/web_page.png. Selenium drives Debian's chromium through its
chromedriver ($TFM_CHROMIUM, $TFM_CHROMEDRIVER).
"""

import json
import os
import random
import signal
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

from tiny_pair import GERMAN, TINY_CONFIG

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BINARY = os.environ.get("TFM_BINARY", "build/tfm")
SCREENSHOT = os.environ.get("TFM_WEB_PAGE_SCREENSHOT", "web_page.png")
CHROMIUM = os.environ.get("TFM_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TFM_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT_SECONDS = 60
MAX_SENTENCES = 4  # the server's --max-sentences, which the error test goes over

# Two decoder layers, so that both selectors have a choice.
TINY_CONFIG = dict(TINY_CONFIG, num_decoder_layers=2)
SENTENCES = ["the red dog runs", "a big green bird eats", "two small cat sleeps"]


def train_tiny_model(directory):
    rng = random.Random(1)
    words = sorted(GERMAN)
    english = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))) for _ in range(400)]
    files = {"train.en": english, "train.de": [" ".join(GERMAN[w] for w in line.split()) for line in english]}
    for name, lines in files.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    with open(os.path.join(directory, "tiny.json"), "w", encoding="utf-8") as f:
        json.dump(TINY_CONFIG, f)
    model = os.path.join(directory, "model")
    subprocess.run([BINARY, "train", "--src", os.path.join(directory, "train.en"),
                    "--tgt", os.path.join(directory, "train.de"), "--model", model,
                    "--config", os.path.join(directory, "tiny.json"), "--max-steps", "400", "--warmup", "100",
                    "--batch-tokens", "512", "--label-smoothing", "0", "--threads", "1", "--log-every", "400",
                    "--valid-every", "1000"], check=True, stdout=subprocess.DEVNULL)
    return model


def post_json(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=WAIT_SECONDS) as response:
        return json.load(response)


def mean_of_heads(layer_weights):
    heads = len(layer_weights)
    return [[sum(h[r][c] for h in layer_weights) / heads for c in range(len(layer_weights[0][r]))]
            for r in range(len(layer_weights[0]))]


class WebPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        work = tempfile.TemporaryDirectory(prefix="tfm-web-page-")
        cls.addClassCleanup(work.cleanup)
        model = train_tiny_model(work.name)

        cls.server_log = open(os.path.join(work.name, "server.log"), "w+", encoding="utf-8")
        cls.addClassCleanup(cls.server_log.close)
        cls.server = subprocess.Popen([BINARY, "serve", "--model", "tiny=" + model, "--host", "127.0.0.1", "--port", "0",
                                       "--threads", "1", "--max-sentences", str(MAX_SENTENCES)],
                                      stdout=subprocess.PIPE, stderr=cls.server_log, text=True)
        cls.addClassCleanup(cls.stop_server)
        line = cls.server.stdout.readline()
        if not line.startswith("listening on http://"):
            raise RuntimeError("tfm serve did not start: " + line + cls.server_output())
        cls.origin = line.split()[-1]  # http://127.0.0.1:PORT

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ["--headless=new", "--no-sandbox",  # CI runs as root, where the sandbox cannot start
                         "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000", "--lang=en-US",
                         "--no-first-run", "--disable-background-networking",
                         # Only the server is reachable: the page must need nothing else.
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        cls.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        cls.addClassCleanup(cls.driver.quit)

    @classmethod
    def server_output(cls):
        cls.server_log.seek(0)
        return "\ntfm serve's log:\n" + cls.server_log.read()

    @classmethod
    def stop_server(cls):
        if cls.server.poll() is None:
            cls.server.send_signal(signal.SIGTERM)
        code = cls.server.wait(timeout=WAIT_SECONDS)
        cls.server.stdout.close()
        if code != 0:
            raise RuntimeError("tfm serve exited with " + str(code) + cls.server_output())

    # --- Driving the page ---------------------------------------------------------------

    def wait(self):
        return WebDriverWait(self.driver, WAIT_SECONDS)

    def open_page(self):
        self.driver.get(self.origin + "/")
        self.driver.get_log("browser")  # from here on, the log holds this page's messages alone
        self.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model option"))

    def translate_in_page(self, sentences, beam_size):
        source = self.driver.find_element(By.ID, "source")
        source.clear()
        source.send_keys("\n".join(sentences))
        beam = self.driver.find_element(By.ID, "beam")
        beam.clear()
        beam.send_keys(str(beam_size))
        self.driver.find_element(By.ID, "translate").click()

    def wait_for_translations(self, count):
        self.wait().until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#output .sentence")) == count)
        return [item.find_element(By.CLASS_NAME, "translation").get_attribute("textContent")
                for item in self.driver.find_elements(By.CSS_SELECTOR, "#output .sentence")]

    def heatmap_cells(self):
        """[row][col] of the weights drawn, and the cells' colours in drawing order."""
        cells = self.driver.execute_script(
            "return [...document.querySelectorAll('#heatmap rect.cell')]"
            ".map(r => [Number(r.dataset.row), Number(r.dataset.col), Number(r.dataset.value), r.getAttribute('fill')]);")
        heatmap = self.driver.find_element(By.ID, "heatmap")
        rows, cols = int(heatmap.get_attribute("data-rows")), int(heatmap.get_attribute("data-cols"))
        self.assertEqual(len(cells), rows * cols)
        weights = [[None] * cols for _ in range(rows)]
        for row, col, value, _ in cells:
            weights[row][col] = value
        return weights, [fill for *_, fill in cells]

    def assert_matrix_equal(self, drawn, expected):
        self.assertEqual(len(drawn), len(expected))
        for row_drawn, row_expected in zip(drawn, expected):
            self.assertEqual(len(row_drawn), len(row_expected))
            for a, b in zip(row_drawn, row_expected):
                self.assertAlmostEqual(a, b, places=9)

    def assert_no_console_errors(self):
        errors = [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]
        self.assertEqual(errors, [])

    # --- Tests --------------------------------------------------------------------------

    def test_the_model_picker_lists_the_served_models(self):
        self.open_page()
        with urllib.request.urlopen(self.origin + "/v1/models", timeout=WAIT_SECONDS) as response:
            served = [m["name"] for m in json.load(response)["models"]]
        picker = Select(self.driver.find_element(By.ID, "model"))
        self.assertEqual([o.get_attribute("value") for o in picker.options], served)
        self.assertIn("tiny", self.driver.find_element(By.ID, "model-info").text)
        self.assert_no_console_errors()

    def test_the_translations_are_the_apis(self):
        self.open_page()
        self.translate_in_page(SENTENCES, beam_size=3)
        shown = self.wait_for_translations(len(SENTENCES))
        answer = post_json(self.origin + "/v1/translate",
                           {"model": "tiny", "text": SENTENCES, "beam_size": 3, "attention": True})
        self.assertEqual(shown, [t["hypotheses"][0]["text"] for t in answer["translations"]])
        self.assertTrue(all(shown), "the tiny model translated a sentence to nothing")
        self.assertFalse(self.driver.find_element(By.ID, "error").is_displayed())
        self.assert_no_console_errors()

    def test_a_clicked_sentence_shows_its_cross_attention(self):
        self.open_page()
        self.translate_in_page(SENTENCES, beam_size=4)
        self.wait_for_translations(len(SENTENCES))
        attention = post_json(self.origin + "/v1/translate",
                              {"model": "tiny", "text": SENTENCES, "beam_size": 4, "attention": True}
                              )["translations"][1]["attention"]
        self.assertFalse(self.driver.find_element(By.ID, "attention").is_displayed())

        sentence = self.driver.find_elements(By.CSS_SELECTOR, "#output .sentence")[1]
        sentence.click()
        self.wait().until(lambda d: d.find_element(By.ID, "attention").is_displayed())
        self.assertIn("selected", sentence.get_attribute("class"))
        labels = lambda kind: [e.get_attribute("textContent")
                               for e in self.driver.find_elements(By.CSS_SELECTOR, "#heatmap ." + kind)]
        self.assertEqual(labels("target-label"), attention["target_pieces"])
        self.assertEqual(labels("source-label"), attention["source_pieces"])

        layer, head = Select(self.driver.find_element(By.ID, "layer")), Select(self.driver.find_element(By.ID, "head"))
        self.assertEqual(len(layer.options), attention["layers"])
        self.assertEqual(len(head.options), attention["heads"] + 1)  # and the average of the heads

        # At first the last layer, its heads averaged; then each selector redraws the map.
        last = attention["layers"] - 1
        drawn, mean_fills = self.heatmap_cells()
        self.assert_matrix_equal(drawn, mean_of_heads(attention["weights"][last]))
        shown = {}
        for l in range(attention["layers"]):
            layer.select_by_value(str(l))
            for h in range(attention["heads"]):
                head.select_by_value(str(h))
                heatmap = self.driver.find_element(By.ID, "heatmap")
                self.assertEqual((heatmap.get_attribute("data-layer"), heatmap.get_attribute("data-head")),
                                 (str(l), str(h)))
                drawn, fills = self.heatmap_cells()
                self.assert_matrix_equal(drawn, attention["weights"][l][h])
                shown[l, h] = fills
        self.assertGreater(len(set(map(tuple, shown.values()))), 1, "every layer and head drew the same colours")
        self.assertNotEqual(shown[last, 0], mean_fills)

        layer.select_by_value(str(last))
        head.select_by_value("mean")
        self.assertEqual(self.heatmap_cells()[1], mean_fills)
        self.assert_no_console_errors()
        self.save_screenshot()

    def test_an_error_of_the_api_is_shown(self):
        self.open_page()
        self.translate_in_page(SENTENCES[:1], beam_size=2)
        self.wait_for_translations(1)
        too_many = ["the dog"] * (MAX_SENTENCES + 1)
        self.translate_in_page(too_many, beam_size=2)
        error = self.driver.find_element(By.ID, "error")
        self.wait().until(lambda d: error.is_displayed())
        with self.assertRaises(urllib.error.HTTPError) as refused:
            post_json(self.origin + "/v1/translate", {"model": "tiny", "text": too_many, "beam_size": 2})
        self.assertEqual(error.get_attribute("textContent"), json.load(refused.exception)["error"] + " (HTTP 413)")
        # The translation of the text before is gone, and so is the error once a translation succeeds.
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "#output .sentence"), [])
        self.translate_in_page(SENTENCES[:1], beam_size=2)
        self.wait_for_translations(1)
        self.assertFalse(error.is_displayed())

    def test_the_page_loads_nothing_from_elsewhere(self):
        self.open_page()
        self.translate_in_page(SENTENCES[:1], beam_size=1)
        self.wait_for_translations(1)
        loaded = self.driver.execute_script(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".map(e => e.name);")
        self.assertTrue(any(url.endswith("/app.js") for url in loaded), loaded)
        self.assertTrue(any(url.endswith("/style.css") for url in loaded), loaded)
        self.assertEqual([url for url in loaded if not url.startswith(self.origin + "/")], [])
        # The style sheet applies: it lays the panels out in a grid.
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "main").value_of_css_property("display"), "grid")

    def save_screenshot(self):
        # The whole page: a window whose viewport is as tall as the content.
        height, frame = self.driver.execute_script(
            "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];")
        self.driver.set_window_size(1280, height + frame)
        os.makedirs(os.path.dirname(os.path.abspath(SCREENSHOT)), exist_ok=True)
        self.assertTrue(self.driver.save_screenshot(SCREENSHOT))
        print("\nscreenshot of the page: " + os.path.abspath(SCREENSHOT), flush=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
