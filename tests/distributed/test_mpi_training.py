"""`mpirun -np 2 tfm train` end to end, against one process on the same global batches.

Run by CTest with TFM_BINARY (the tfm to test), TFM_MPIRUN (mpirun's path, empty when it was
not found) and TFM_WITH_MPI (whether tfm was built with MPI); skips, saying why, without them.
Every launch is loopback only and tolerates running as root (CI does).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

TFM = os.environ.get("TFM_BINARY", "")
MPIRUN = os.environ.get("TFM_MPIRUN", "")
WITH_MPI = os.environ.get("TFM_WITH_MPI", "") in ("1", "ON", "TRUE", "YES")
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_btl="self,vader", OMPI_MCA_oob_tcp_if_include="lo", OMP_WAIT_POLICY="PASSIVE")
SKIP_REASON = ("tfm was built without MPI (install libopenmpi-dev openmpi-bin and rebuild)" if not WITH_MPI
               else "no mpirun found (install openmpi-bin)" if not MPIRUN else "")

# No dropout: with it, ranks draw their own masks, and the runs would agree only in law.
TINY_CONFIG = {"format_version": 1, "vocab_size": 120, "d_model": 32, "nhead": 4, "num_encoder_layers": 2,
               "num_decoder_layers": 2, "dim_feedforward": 64, "dropout": 0.0, "attention_dropout": 0.0,
               "activation_dropout": 0.0, "activation": "relu", "layer_norm_eps": 1e-5, "norm_first": False,
               "encoder_final_norm": False, "decoder_final_norm": False, "tie_embeddings": True, "pad_id": 0,
               "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 64}


def write_task(directory: Path, pairs: int, seed: int) -> None:
    """A made-up language pair: each target word translates one source word, in reverse order."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "pe", "du"]
    words = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(400)})[:150]
    meaning = {w: "".join(reversed(w)) + "x" for w in words}
    for name, count in (("train", pairs), ("valid", 40)):
        src, tgt = [], []
        for _ in range(count):
            sentence = [rng.choice(words) for _ in range(rng.randint(2, 10))]
            src.append(" ".join(sentence))
            tgt.append(" ".join(meaning[w] for w in reversed(sentence)))
        (directory / f"{name}.src").write_text("\n".join(src) + "\n")
        (directory / f"{name}.tgt").write_text("\n".join(tgt) + "\n")
    (directory / "tiny.json").write_text(json.dumps(TINY_CONFIG))


def train_losses(model: Path) -> dict:
    lines = [json.loads(line) for line in (model / "metrics.jsonl").read_text().splitlines()]
    return {m["step"]: m["loss"] for m in lines if m["type"] == "train"}


@unittest.skipIf(SKIP_REASON, SKIP_REASON)
class MpiTraining(unittest.TestCase):
    STEPS = 50

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="tfm-mpi-"))
        write_task(cls.dir, 1500, seed=7)
        cls.reference = cls.train("reference", ranks=0, max_steps=cls.STEPS)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    @classmethod
    def command(cls, model: str, max_steps: int, resume: bool = False, extra=()):
        d = cls.dir
        return [TFM, "train", "--src", str(d / "train.src"), "--tgt", str(d / "train.tgt"),
                "--valid-src", str(d / "valid.src"), "--valid-tgt", str(d / "valid.tgt"),
                "--model", str(d / model), "--config", str(d / "tiny.json"), "--batch-tokens", "400",
                "--warmup", "100", "--max-steps", str(max_steps), "--log-every", "5", "--valid-every", "25",
                "--check-weights-every", "10", "--seed", "3"] + (["--resume"] if resume else []) + list(extra)

    @staticmethod
    def launch(ranks: int, command):
        """ranks 0: one process without mpirun."""
        prefix = [MPIRUN, "--oversubscribe", "-np", str(ranks)] if ranks else []
        return subprocess.Popen(prefix + command, env=MPI_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)

    @classmethod
    def train(cls, model: str, ranks: int, max_steps: int, resume: bool = False) -> Path:
        process = cls.launch(ranks, cls.command(model, max_steps, resume))
        output, _ = process.communicate(timeout=300)
        if process.returncode != 0:
            raise AssertionError(f"{ranks} ranks, {model}: exit {process.returncode}\n{output}")
        return cls.dir / model

    def assert_losses_match(self, run: Path, steps):
        reference, losses = train_losses(self.reference), train_losses(run)
        self.assertEqual(sorted(losses), list(steps))
        for step in steps:
            self.assertLess(abs(losses[step] - reference[step]) / reference[step], 1e-4,
                            f"step {step}: {losses[step]} against one process's {reference[step]}")

    def test_two_ranks_log_the_losses_of_one_process(self):
        run = self.train("two_ranks", ranks=2, max_steps=self.STEPS)
        self.assert_losses_match(run, range(5, self.STEPS + 1, 5))
        # Rank 0 alone wrote: one line per log and per validation, one set of checkpoints.
        kinds = [json.loads(line)["type"] for line in (run / "metrics.jsonl").read_text().splitlines()]
        self.assertEqual(kinds.count("valid"), 2)
        self.assertEqual(sorted(p.name for p in (run / "checkpoints").iterdir()),
                         ["latest", "step-000000025", "step-000000050"])
        self.assertTrue((run / "model.safetensors").is_file())
        self.assertEqual([p for p in run.rglob("*") if ".tmp" in p.name], [])

    def test_two_ranks_resume_as_one_process(self):
        self.train("two_then_one", ranks=2, max_steps=25)
        run = self.train("two_then_one", ranks=0, max_steps=self.STEPS, resume=True)
        self.assert_losses_match(run, range(5, self.STEPS + 1, 5))

    def test_one_process_resumes_as_two_ranks(self):
        self.train("one_then_two", ranks=0, max_steps=25)
        run = self.train("one_then_two", ranks=2, max_steps=self.STEPS, resume=True)
        self.assert_losses_match(run, range(5, self.STEPS + 1, 5))

    def start_long_run(self, model: str, extra=()):
        process = self.launch(2, self.command(model, 1_000_000, extra=extra))
        metrics = self.dir / model / "metrics.jsonl"
        deadline = time.monotonic() + 120
        while not (metrics.exists() and "train" in metrics.read_text()):
            self.assertIsNone(process.poll(), "the run ended before its first log line")
            self.assertLess(time.monotonic(), deadline, "no log line within 120 s")
            time.sleep(0.2)
        return process

    def rank_pid(self, process, rank: int) -> int:
        """The pid of a rank: a process of mpirun's session whose environment names that rank."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == process.pid:
                continue
            try:
                if os.getsid(int(entry.name)) != process.pid:
                    continue
                environment = (entry / "environ").read_bytes().split(b"\0")
            except (OSError, ProcessLookupError):
                continue
            if f"OMPI_COMM_WORLD_RANK={rank}".encode() in environment:
                return int(entry.name)
        self.fail(f"no process of rank {rank}")

    def finish(self, process) -> str:
        try:
            output, _ = process.communicate(timeout=90)
        finally:
            if process.poll() is None:  # never leave ranks behind, even when the test fails
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
        return output

    def test_a_killed_rank_stops_the_others_and_is_named(self):
        process = self.start_long_run("killed")
        os.kill(self.rank_pid(process, 1), signal.SIGKILL)
        output = self.finish(process)
        self.assertNotEqual(process.returncode, 0)
        self.assertRegex(output, r"rank 1 with PID \d+ .*(exited on signal 9|Killed)")

    def test_a_hung_rank_times_out_the_others_naming_it(self):
        process = self.start_long_run("hung", extra=["--collective-timeout", "3"])
        stopped = self.rank_pid(process, 1)
        os.kill(stopped, signal.SIGSTOP)
        try:
            output = self.finish(process)
        finally:
            try:
                os.kill(stopped, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertNotEqual(process.returncode, 0)
        self.assertRegex(output, r"tfm: error: rank 0 of 2: .* did not complete within 3 s \(--collective-timeout\): "
                                 r"rank\(s\) 1 do not answer \(dead or hung\)")


if __name__ == "__main__":
    unittest.main()
