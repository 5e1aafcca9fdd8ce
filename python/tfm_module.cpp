// The Python module `tfm`: the C++ API of include/tfm/ for Python programs. The GIL is
// released while tfm computes, so other Python threads run meanwhile (and may call the same
// Translator: its calls take turns). C++ errors arrive as ValueError (bad options or input)
// and RuntimeError (files, models), with tfm's messages.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <optional>
#include <variant>

#include "tfm/tfm.h"

namespace py = pybind11;

namespace {

// One translation with what was asked for besides the text.
struct PyTranslation {
  std::vector<std::string> hypotheses;
  std::vector<std::vector<std::string>> pieces;
  py::object scores = py::none(), log_probs = py::none(), attention = py::none();
  std::vector<std::string> source_pieces, target_pieces;
};

py::array_t<double> to_array(const std::vector<double>& values) {
  py::array_t<double> array(py::ssize_t(values.size()));
  std::copy(values.begin(), values.end(), array.mutable_data());
  return array;
}

py::object translate(const tfm::Translator& translator, const std::vector<std::string>& sources, int beam, double alpha,
                     int n_best, double max_length_ratio, int max_length_offset, int min_length, int batch_size,
                     int max_input_tokens, bool return_scores, bool return_attention) {
  tfm::TranslationOptions o;
  o.beam_size = beam;
  o.length_penalty = alpha;
  o.n_best = n_best;
  o.max_length_ratio = max_length_ratio;
  o.max_length_offset = max_length_offset;
  o.min_length = min_length;
  o.batch_size = batch_size;
  o.max_input_tokens = max_input_tokens;
  o.return_attention = return_attention;
  std::vector<tfm::Translation> results;
  {
    py::gil_scoped_release release;
    results = translator.translate(sources, o);
  }
  py::list out;
  const bool plain = n_best == 1 && !return_scores && !return_attention;
  for (const tfm::Translation& t : results) {
    if (plain) {
      out.append(t.hypotheses.front().text);
      continue;
    }
    PyTranslation p;
    std::vector<double> scores, log_probs;
    for (const tfm::Hypothesis& h : t.hypotheses) {
      p.hypotheses.push_back(h.text);
      p.pieces.push_back(h.pieces);
      scores.push_back(h.score);
      log_probs.push_back(h.log_prob);
    }
    if (return_scores) {
      p.scores = to_array(scores);
      p.log_probs = to_array(log_probs);
    }
    if (t.attention) {
      const tfm::CrossAttention& a = *t.attention;
      py::array_t<float> weights({py::ssize_t(a.layers), py::ssize_t(a.heads), py::ssize_t(a.target_pieces.size()),
                                  py::ssize_t(a.source_pieces.size())});
      std::copy(a.weights.begin(), a.weights.end(), weights.mutable_data());
      p.attention = weights;
      p.source_pieces = a.source_pieces;
      p.target_pieces = a.target_pieces;
    }
    out.append(py::cast(std::move(p)));
  }
  return out;
}

// A file name, or the lines themselves.
using Text = std::variant<std::string, std::vector<std::string>>;

void set_text(const Text& text, std::string& path, std::vector<std::string>& lines) {
  if (std::holds_alternative<std::string>(text))
    path = std::get<std::string>(text);
  else
    lines = std::get<std::vector<std::string>>(text);
}

tfm::TrainingSummary train(const Text& source, const Text& target, const std::string& model_dir,
                           const Text& valid_source, const Text& valid_target, const std::string& config,
                           int vocab_size, long long batch_tokens, int accum, long long epochs, long long max_steps,
                           double time_limit_minutes, unsigned long long seed, bool resume, double lr_factor,
                           long long warmup_steps, const std::string& lr_decay, float label_smoothing,
                           std::optional<double> dropout, double clip_norm, int max_length, long long valid_every,
                           int patience, int keep_checkpoints, const std::string& matmul_precision,
                           std::optional<double> ema_decay, long long log_every,
                           int valid_beam, int threads, const py::object& progress, bool quiet) {
  tfm::TrainingOptions o;
  set_text(source, o.source, o.source_lines);
  set_text(target, o.target, o.target_lines);
  set_text(valid_source, o.valid_source, o.valid_source_lines);
  set_text(valid_target, o.valid_target, o.valid_target_lines);
  o.model_dir = model_dir;
  o.config = config;
  o.vocab_size = vocab_size;
  o.batch_tokens = batch_tokens;
  o.accum = accum;
  o.epochs = epochs;
  o.max_steps = max_steps;
  o.time_limit_minutes = time_limit_minutes;
  o.seed = seed;
  o.resume = resume;
  o.lr_factor = lr_factor;
  o.warmup_steps = warmup_steps;
  o.lr_decay = lr_decay;
  o.label_smoothing = label_smoothing;
  o.dropout = dropout;
  o.clip_norm = clip_norm;
  o.max_length = max_length;
  o.valid_every = valid_every;
  o.patience = patience;
  o.keep_checkpoints = keep_checkpoints;
  o.matmul_precision = matmul_precision;
  o.ema_decay = ema_decay;
  o.log_every = log_every;
  o.valid_beam = valid_beam;
  o.threads = threads;
  // The callback runs Python: it takes the GIL. If it raises, or Ctrl-C is pressed, training
  // stops at the next step (after a checkpoint) and the exception is raised here.
  std::atomic<bool> stop{false};
  std::optional<py::error_already_set> failure;
  std::function<void(const tfm::TrainingProgress&)> on_progress = [&](const tfm::TrainingProgress& p) {
    py::gil_scoped_acquire acquire;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!progress.is_none()) progress(p);
    } catch (py::error_already_set& e) {
      if (!failure) failure.emplace(std::move(e));
      stop = true;
    }
  };
  tfm::TrainingSummary summary;
  {
    py::gil_scoped_release release;
    summary = tfm::train_model(o, on_progress, &stop, quiet);
  }
  if (failure) throw std::move(*failure);
  return summary;
}

}  // namespace

PYBIND11_MODULE(tfm, m) {
  m.doc() =
      "tfm: the Transformer (Vaswani et al., 2017) for sequence-to-sequence tasks.\n\n"
      "Translator translates and scores with a trained model directory, train() trains one from parallel text,\n"
      "bleu() and chrf() score translations exactly as `tfm bleu` and sacreBLEU 2.6.0 do.";

  py::class_<PyTranslation>(m, "Translation",
                            "One source's translation with what translate() was asked for besides the text.")
      .def_readonly("hypotheses", &PyTranslation::hypotheses, "The n_best translations, best first (list of str).")
      .def_readonly("pieces", &PyTranslation::pieces, "Each hypothesis's SentencePiece pieces, without EOS.")
      .def_readonly("scores", &PyTranslation::scores,
                    "With return_scores: each hypothesis's log-probability divided by the length penalty "
                    "(numpy float64 array), else None.")
      .def_readonly("log_probs", &PyTranslation::log_probs,
                    "With return_scores: each hypothesis's natural-log probability, EOS included, else None.")
      .def_readonly("attention", &PyTranslation::attention,
                    "With return_attention: the best hypothesis's encoder-decoder attention, numpy float32 of shape "
                    "(layers, heads, len(target_pieces), len(source_pieces)); each row sums to 1. Else None.")
      .def_readonly("source_pieces", &PyTranslation::source_pieces, "Columns of attention: source pieces, then '</s>'.")
      .def_readonly("target_pieces", &PyTranslation::target_pieces, "Rows of attention: translation pieces, then '</s>'.")
      .def("__repr__", [](const PyTranslation& t) {
        return "<tfm.Translation " + py::repr(py::cast(t.hypotheses)).cast<std::string>() + ">";
      });

  py::class_<tfm::Translator>(m, "Translator",
                              "A trained model directory (config.json, model.safetensors, spm.model), loaded once.\n\n"
                              "Calls release the GIL; calls on one Translator from several threads take turns.")
      .def(py::init<const std::string&, int>(), py::arg("model_dir"), py::arg("threads") = 0,
           "Loads the model directory. threads: 0 uses every core. Raises RuntimeError naming the file at fault.")
      .def("translate", &translate, py::arg("sources"), py::arg("beam") = 4, py::arg("alpha") = 0.6,
           py::arg("n_best") = 1, py::arg("max_length_ratio") = 1.5, py::arg("max_length_offset") = 10,
           py::arg("min_length") = 0, py::arg("batch_size") = 64, py::arg("max_input_tokens") = 0,
           py::arg("return_scores") = false, py::arg("return_attention") = false,
           "Translates a list of sentences with beam search, as `tfm translate` does.\n\n"
           "Returns a list of str, one per source; with n_best > 1, return_scores or return_attention, a list of\n"
           "tfm.Translation instead. alpha is the length penalty's exponent ((5 + n) / 6)^alpha; a translation has\n"
           "at most max_length_ratio * source pieces + max_length_offset pieces. Bytes that are not UTF-8 read\n"
           "as U+FFFD. Raises ValueError for bad options.")
      .def(
          "score",
          [](const tfm::Translator& t, const std::vector<std::string>& sources, const std::vector<std::string>& targets,
             int batch_size) {
            std::vector<double> scores;
            {
              py::gil_scoped_release release;
              scores = t.score(sources, targets, batch_size);
            }
            return to_array(scores);
          },
          py::arg("sources"), py::arg("targets"), py::arg("batch_size") = 64,
          "log P(target | source) of each pair (natural log, target pieces and EOS), as `tfm score`:\n"
          "a numpy float64 array. Raises ValueError when the lists differ in length or a side is too long.")
      .def_property_readonly("model_dir", &tfm::Translator::model_dir, "The directory the model was loaded from.");

  // A Scorer is a Translator used for scoring: one class serves both, under the name users look for.
  m.attr("Scorer") = m.attr("Translator");

  py::class_<tfm::TrainingProgress>(m, "TrainingProgress", "What train()'s progress callback receives.")
      .def_readonly("step", &tfm::TrainingProgress::step)
      .def_readonly("epoch", &tfm::TrainingProgress::epoch)
      .def_readonly("elapsed_seconds", &tfm::TrainingProgress::elapsed_seconds)
      .def_readonly("train_loss", &tfm::TrainingProgress::train_loss, "Per target token, since the last report.")
      .def_readonly("learning_rate", &tfm::TrainingProgress::learning_rate)
      .def_readonly("target_tokens_per_second", &tfm::TrainingProgress::target_tokens_per_second)
      .def_readonly("valid_loss", &tfm::TrainingProgress::valid_loss, "After a validation, else None.")
      .def_readonly("valid_bleu", &tfm::TrainingProgress::valid_bleu, "After a validation, else None.");

  py::class_<tfm::TrainingSummary>(m, "TrainingSummary", "What train() returns.")
      .def_readonly("steps", &tfm::TrainingSummary::steps)
      .def_readonly("best_bleu", &tfm::TrainingSummary::best_bleu)
      .def_readonly("best_step", &tfm::TrainingSummary::best_step)
      .def_readonly("averaged", &tfm::TrainingSummary::averaged)
      .def_readonly("elapsed_seconds", &tfm::TrainingSummary::elapsed_seconds)
      .def_readonly("stop_reason", &tfm::TrainingSummary::stop_reason);

  m.def("train", &train, py::arg("source"), py::arg("target"), py::arg("model_dir"), py::arg("valid_source") = "",
        py::arg("valid_target") = "", py::arg("config") = "S", py::arg("vocab_size") = 0,
        py::arg("batch_tokens") = 4096, py::arg("accum") = 1, py::arg("epochs") = 0, py::arg("max_steps") = 0,
        py::arg("time_limit_minutes") = 0.0, py::arg("seed") = 1, py::arg("resume") = false,
        py::arg("lr_factor") = 0.0, py::arg("warmup_steps") = 0, py::arg("lr_decay") = "auto",
        py::arg("label_smoothing") = 0.1f, py::arg("dropout") = py::none(), py::arg("clip_norm") = 0.0,
        py::arg("max_length") = 200,
        py::arg("valid_every") = 0, py::arg("patience") = 0, py::arg("keep_checkpoints") = 0,
        py::arg("matmul_precision") = "auto", py::arg("ema_decay") = py::none(), py::arg("log_every") = 100, py::arg("valid_beam") = 1, py::arg("threads") = 0, py::arg("progress") = py::none(),
        py::arg("quiet") = false,
        "Trains a model directory from parallel text, as `tfm train` does: source and target (and the\n"
        "validation sides) are file names (plain or gzip) or lists of sentences.\n\n"
        "progress, if given, is called with a tfm.TrainingProgress every log_every steps and after each\n"
        "validation; if it raises (or Ctrl-C is pressed), training writes a checkpoint, stops, and the\n"
        "exception is raised here; resume=True continues from the checkpoint. Returns a tfm.TrainingSummary.");

  py::class_<tfm::BleuResult>(m, "BleuResult", "Corpus BLEU, as sacreBLEU 2.6.0 reports it.")
      .def_readonly("score", &tfm::BleuResult::score)
      .def_readonly("precisions", &tfm::BleuResult::precisions, "1- to 4-gram precisions, percent.")
      .def_readonly("brevity_penalty", &tfm::BleuResult::brevity_penalty)
      .def_readonly("length_ratio", &tfm::BleuResult::length_ratio)
      .def_readonly("hypothesis_length", &tfm::BleuResult::hypothesis_length)
      .def_readonly("reference_length", &tfm::BleuResult::reference_length)
      .def_readonly("signature", &tfm::BleuResult::signature)
      .def("__repr__", [](const tfm::BleuResult& r) { return "<tfm.BleuResult " + std::to_string(r.score) + ">"; });

  py::class_<tfm::ChrfResult>(m, "ChrfResult", "Corpus chrF or chrF++, as sacreBLEU 2.6.0 reports it.")
      .def_readonly("score", &tfm::ChrfResult::score)
      .def_readonly("name", &tfm::ChrfResult::name)
      .def_readonly("signature", &tfm::ChrfResult::signature)
      .def("__repr__", [](const tfm::ChrfResult& r) { return "<tfm.ChrfResult " + std::to_string(r.score) + ">"; });

  m.def(
      "bleu",
      [](const std::vector<std::string>& hypotheses, const std::vector<std::string>& references,
         const std::string& tokenize, bool lowercase) {
        return tfm::bleu(hypotheses, references, {tokenize, lowercase});
      },
      py::arg("hypotheses"), py::arg("references"), py::arg("tokenize") = "13a", py::arg("lowercase") = false,
      "Corpus BLEU of detokenized hypotheses against one reference each, identical to `tfm bleu`.\n"
      "tokenize: '13a', 'intl' or 'none'. Raises ValueError when the lists differ in length.");
  m.def(
      "chrf",
      [](const std::vector<std::string>& hypotheses, const std::vector<std::string>& references, int word_order,
         bool lowercase) { return tfm::chrf(hypotheses, references, {word_order, lowercase}); },
      py::arg("hypotheses"), py::arg("references"), py::arg("word_order") = 0, py::arg("lowercase") = false,
      "Corpus chrF (word_order=2: chrF++) of hypotheses against one reference each, identical to `tfm bleu -m chrf`.");
}
