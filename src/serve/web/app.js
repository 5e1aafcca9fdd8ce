// The web page of `tfm serve`: translates the text of #source, one sentence per line, with
// POST /v1/translate (docs/serve.md), and draws the cross-attention of a clicked translation.
"use strict";

const page = {
  source: document.getElementById("source"),
  model: document.getElementById("model"),
  modelInfo: document.getElementById("model-info"),
  beam: document.getElementById("beam"),
  translate: document.getElementById("translate"),
  error: document.getElementById("error"),
  output: document.getElementById("output"),
  outputHint: document.getElementById("output-hint"),
  timing: document.getElementById("timing"),
  attention: document.getElementById("attention"),
  attentionTitle: document.getElementById("attention-title"),
  layer: document.getElementById("layer"),
  head: document.getElementById("head"),
  heatmap: document.getElementById("heatmap"),
};

const state = {
  models: [],
  translations: [],  // {source, text, score, attention} per translated sentence
  selected: -1,
};

// --- Talking to the server -------------------------------------------------------------

// The server answers errors as {"error": message}; anything else is reported by its status.
async function requestJson(path, body) {
  const options = body === undefined ? {} :
      {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    throw new Error("cannot reach the server (" + e.message + ")");
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (e) {
    // A body that is not JSON: the status says enough.
  }
  if (!response.ok) {
    const message = answer && typeof answer.error === "string" ? answer.error : response.statusText;
    throw new Error(message + " (HTTP " + response.status + ")");
  }
  if (answer === null) throw new Error("the server's answer to " + path + " is not JSON");
  return answer;
}

function showError(message) {
  page.error.textContent = message;
  page.error.hidden = false;
}

function clearError() {
  page.error.hidden = true;
  page.error.textContent = "";
}

async function loadModels() {
  try {
    state.models = (await requestJson("/v1/models")).models;
  } catch (e) {
    showError("Could not list the models: " + e.message);
    return;
  }
  page.model.replaceChildren(...state.models.map((m) => new Option(m.name, m.name)));
  describeModel();
}

function describeModel() {
  const m = state.models.find((model) => model.name === page.model.value);
  page.modelInfo.textContent = m ? m.name + ": d_model " + m.d_model + ", " + m.encoder_layers + "+" +
      m.decoder_layers + " layers, " + m.heads + " heads, " + m.vocab_size + " pieces" : "";
}

function sourceSentences() {
  return page.source.value.split("\n").map((line) => line.trim()).filter((line) => line.length > 0);
}

async function translate() {
  if (page.translate.disabled) return;  // Ctrl+Enter while a translation is under way
  const sentences = sourceSentences();
  if (sentences.length === 0) {
    showError("Nothing to translate: type a sentence (one per line).");
    return;
  }
  clearError();
  page.translate.disabled = true;
  page.translate.textContent = "Translating…";
  const start = performance.now();
  try {
    const answer = await requestJson("/v1/translate", {
      model: page.model.value,
      text: sentences,
      beam_size: Number(page.beam.value),
      attention: true,
    });
    const milliseconds = Math.round(performance.now() - start);
    state.translations = answer.translations.map((t, i) => ({
      source: sentences[i],
      text: t.hypotheses[0].text,
      score: t.hypotheses[0].score,
      attention: t.attention,
    }));
    page.timing.textContent = "· " + sentences.length + (sentences.length === 1 ? " sentence" : " sentences") +
        " in " + milliseconds + " ms";
    showTranslations();
  } catch (e) {
    // The translations of the text before would look like those of this one.
    state.translations = [];
    page.timing.textContent = "";
    showTranslations();
    showError(e.message);
  } finally {
    page.translate.disabled = false;
    page.translate.textContent = "Translate";
  }
}

// --- Translations ----------------------------------------------------------------------

function showTranslations() {
  state.selected = -1;
  page.attention.hidden = true;
  page.output.replaceChildren(...state.translations.map((t, i) => {
    const item = document.createElement("li");
    item.className = "sentence";
    item.tabIndex = 0;
    item.title = "score " + t.score.toFixed(3) + ": click to see the cross-attention";
    const translation = document.createElement("div");
    translation.className = "translation";
    translation.textContent = t.text;
    const source = document.createElement("div");
    source.className = "source-text";
    source.textContent = t.source;
    item.append(translation, source);
    item.addEventListener("click", () => selectSentence(i));
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        selectSentence(i);
      }
    });
    return item;
  }));
  page.outputHint.hidden = state.translations.length === 0;
  page.outputHint.textContent = "Click a translation to see its cross-attention.";
}

function selectSentence(index) {
  state.selected = index;
  [...page.output.children].forEach((item, i) => item.classList.toggle("selected", i === index));
  const attention = state.translations[index].attention;
  page.attention.hidden = false;
  page.attentionTitle.textContent = "Cross-attention of sentence " + (index + 1);
  // Keep the chosen layer and head when they exist in this model too.
  const layer = page.layer.value, head = page.head.value;
  const layers = [];
  for (let l = 0; l < attention.layers; ++l) layers.push(new Option("Layer " + (l + 1), String(l)));
  page.layer.replaceChildren(...layers);
  const heads = [new Option("Average of heads", "mean")];
  for (let h = 0; h < attention.heads; ++h) heads.push(new Option("Head " + (h + 1), String(h)));
  page.head.replaceChildren(...heads);
  page.layer.value = layer !== "" && Number(layer) < attention.layers ? layer : String(attention.layers - 1);
  page.head.value = head === "mean" || (head !== "" && Number(head) < attention.heads) ? head : "mean";
  drawHeatmap();
  page.attention.scrollIntoView({behavior: "smooth", block: "nearest"});
}

// --- The heatmap -----------------------------------------------------------------------

// weights[layer][head][target row][source column], or the mean over the heads.
function attentionMatrix(attention, layer, head) {
  const heads = attention.weights[layer];
  if (head !== "mean") return heads[Number(head)];
  return heads[0].map((row, r) => row.map((_, c) => heads.reduce((sum, h) => sum + h[r][c], 0) / heads.length));
}

// A sequential blue scale, light (0) to dark (1).
const SCALE = [[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]];

function color(fraction) {
  const x = Math.min(Math.max(fraction, 0), 1) * (SCALE.length - 1);
  const i = Math.min(Math.floor(x), SCALE.length - 2);
  const t = x - i;
  const rgb = SCALE[i].map((a, k) => Math.round(a + (SCALE[i + 1][k] - a) * t));
  return "rgb(" + rgb.join(",") + ")";
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS(page.heatmap.namespaceURI, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

let measureContext = null;
function textWidth(text) {
  if (!measureContext) {
    measureContext = document.createElement("canvas").getContext("2d");
    const style = getComputedStyle(page.heatmap);
    measureContext.font = style.fontSize + " " + style.fontFamily;
  }
  return measureContext.measureText(text).width;
}

function drawHeatmap() {
  const attention = state.translations[state.selected].attention;
  const layer = Number(page.layer.value), head = page.head.value;
  const matrix = attentionMatrix(attention, layer, head);
  const rows = attention.target_pieces.length, cols = attention.source_pieces.length;
  const largest = Math.max(...matrix.flat(), 1e-6);

  // Target pieces label the rows on the left; source pieces label the columns, slanted, on top.
  const slant = Math.SQRT1_2;  // sin and cos of 45 degrees
  const left = Math.ceil(Math.max(...attention.target_pieces.map(textWidth))) + 12;
  const sourceWidth = Math.max(...attention.source_pieces.map(textWidth));
  const top = Math.ceil(sourceWidth * slant) + 14;
  const available = page.heatmap.parentElement.clientWidth - left - sourceWidth * slant - 24;
  const cell = Math.max(16, Math.min(40, Math.floor(available / cols)));
  const width = left + cols * cell + Math.ceil(sourceWidth * slant) + 12;
  const legendTop = top + rows * cell + 18;
  const height = legendTop + 36;

  const svg = page.heatmap;
  svg.replaceChildren();
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  Object.assign(svg.dataset, {rows, cols, layer, head});

  attention.target_pieces.forEach((piece, r) => {
    svg.append(svgElement("text", {class: "target-label", x: left - 8, y: top + (r + 0.5) * cell,
                                   "text-anchor": "end", "dominant-baseline": "central"}, piece));
  });
  attention.source_pieces.forEach((piece, c) => {
    const x = left + (c + 0.5) * cell, y = top - 6;
    svg.append(svgElement("text", {class: "source-label", x, y, transform: "rotate(-45 " + x + " " + y + ")"},
                          piece));
  });
  matrix.forEach((row, r) => row.forEach((value, c) => {
    const rect = svgElement("rect", {class: "cell", x: left + c * cell, y: top + r * cell, width: cell,
                                     height: cell, fill: color(value / largest), "data-row": r, "data-col": c,
                                     "data-value": value});
    rect.append(svgElement("title", {}, attention.target_pieces[r] + " → " + attention.source_pieces[c] + ": " +
                                            value.toFixed(3)));
    svg.append(rect);
  }));
  svg.append(svgElement("rect", {x: left, y: top, width: cols * cell, height: rows * cell, fill: "none",
                                 stroke: "#c5ccd8"}));

  // The legend: the colour scale from 0 to the largest weight shown.
  const gradient = svgElement("linearGradient", {id: "legend-gradient"});
  SCALE.forEach((_, i) => gradient.append(svgElement("stop", {offset: i / (SCALE.length - 1),
                                                               "stop-color": color(i / (SCALE.length - 1))})));
  const defs = svgElement("defs", {});
  defs.append(gradient);
  const legendWidth = Math.min(220, Math.max(120, cols * cell));
  svg.append(defs,
             svgElement("rect", {x: left, y: legendTop, width: legendWidth, height: 10,
                                 fill: "url(#legend-gradient)", stroke: "#c5ccd8"}),
             svgElement("text", {class: "legend-label", x: left, y: legendTop + 26}, "0"),
             svgElement("text", {class: "legend-label", x: left + legendWidth, y: legendTop + 26,
                                 "text-anchor": "end"}, largest.toFixed(2)),
             svgElement("text", {class: "legend-label", x: left + legendWidth + 12, y: legendTop + 9},
                        head === "mean" ? "mean weight of the layer's heads" : "attention weight"));
}

// --- Wiring ----------------------------------------------------------------------------

page.translate.addEventListener("click", translate);
page.source.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    translate();
  }
});
page.model.addEventListener("change", describeModel);
page.layer.addEventListener("change", drawHeatmap);
page.head.addEventListener("change", drawHeatmap);
window.addEventListener("resize", () => {
  if (state.selected >= 0) drawHeatmap();
});
loadModels();
