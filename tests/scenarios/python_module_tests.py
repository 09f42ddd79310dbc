"""unittest of the Python module (python/aidcsim) against the CLI: run by test_python_module.sh.

    python_module_tests.py CLI SOURCE_DIR OUT_DIR

The module finds the binary through $AIDCSIM_BIN (set to CLI here); OUT_DIR holds the CLI's own runs
to compare with. Temporary directories are made under OUT_DIR/tmp (TMPDIR), which must be empty at the end.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

CLI, SOURCE, OUT = sys.argv[1:4]
del sys.argv[1:4]  # what is left is unittest's
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(SOURCE, "python"))
import aidcsim  # noqa: E402
import pandas as pd  # noqa: E402

QUICKSTART = os.path.join(SOURCE, "scenarios", "quickstart.json")
INFERENCE = os.path.join(SOURCE, "scenarios", "inference-chat.json")


def cli_run(name, *args):
    """The CLI's own run of a scenario, into OUT/cli-NAME."""
    out = os.path.join(OUT, f"cli-{name}")
    subprocess.run([CLI, "run", *args, "--out", out, "--quiet"], check=True)
    return out


class RunTests(unittest.TestCase):
    def test_quickstart_is_the_cli_run(self):
        cli_out = cli_run("quickstart", QUICKSTART)
        with aidcsim.run(QUICKSTART) as run:
            with open(os.path.join(cli_out, "summary.json")) as f:
                cli_summary = json.load(f)
            cli_summary.pop("wall_s", None)
            summary = dict(run.summary)
            summary.pop("wall_s", None)
            self.assertEqual(summary, cli_summary)
            self.assertEqual(run.summary["jobs"]["submitted"], 300)
            for name in ("jobs.csv", "timeseries.csv"):
                with open(os.path.join(cli_out, name), "rb") as a, open(run.path(name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{name} differs from the CLI's")
            jobs = run.jobs
            self.assertIsInstance(jobs, pd.DataFrame)
            self.assertEqual(len(jobs), 300)
            self.assertEqual(jobs["job_id"].dtype, object)  # ids stay text
            self.assertAlmostEqual(jobs.loc[jobs["state"] == "completed", "queue_delay_s"].mean(),
                                   cli_summary["queue_delay_s"]["mean"], places=5)
            self.assertIs(run.jobs, jobs)  # read once
            totals = run.timeseries[run.timeseries["label"] == ""]  # an empty text cell is "", not NaN
            self.assertIn("gpu_allocation", set(totals["metric"]))
            self.assertEqual(set(jobs["reason"]), {""})
            self.assertEqual(run.metric("jobs.completed"), 300)
            with self.assertRaises(FileNotFoundError):  # no services: no requests.csv
                run.requests
            out_dir = run.out_dir
            self.assertTrue(os.path.isdir(out_dir))
        self.assertFalse(os.path.exists(out_dir), "the temporary run directory was not removed")

    def test_override_changes_the_result(self):
        fifo = aidcsim.run(QUICKSTART)
        sjf = aidcsim.run(QUICKSTART, overrides={"scheduler.policy": "sjf"})
        self.assertEqual(sjf.info["scenario"]["scheduler"]["policy"], "sjf")
        self.assertLess(sjf.summary["queue_delay_s"]["mean"], fifo.summary["queue_delay_s"]["mean"])
        # The same override through the CLI gives the same summary.
        with open(os.path.join(cli_run("sjf", QUICKSTART, "--set", "scheduler.policy=sjf"), "summary.json")) as f:
            self.assertEqual(json.load(f)["queue_delay_s"], sjf.summary["queue_delay_s"])
        fifo.close()
        sjf.close()

    def test_out_dir_and_seed_and_load(self):
        out = os.path.join(OUT, "py-limit")
        run = aidcsim.run(QUICKSTART, overrides={"workload.jobs.limit": 50}, seed=3, out=out)
        self.assertEqual(run.out_dir, os.path.abspath(out))
        self.assertEqual(run.summary["jobs"]["submitted"], 50)
        self.assertEqual(run.summary["seed"], 3)
        run.close()  # not temporary: stays
        self.assertTrue(os.path.isfile(os.path.join(out, "summary.json")))
        self.assertEqual(len(aidcsim.load_run(out).jobs), 50)

    def test_requests_frame(self):
        with aidcsim.run(INFERENCE, overrides={"workload.jobs.limit": 20}) as run:
            requests = run.requests
            self.assertGreater(len(requests), 0)
            self.assertIn("ttft_s", requests.columns)
            self.assertEqual(requests["request_id"].dtype, object)

    def test_bad_scenario_raises_the_cli_message(self):
        bad = os.path.join(OUT, "bad.json")
        with open(QUICKSTART) as f:
            scenario = json.load(f)
        scenario["scheduler"] = {"polcy": "fifo"}
        scenario["platform"] = os.path.join(SOURCE, "platforms", "quickstart.xml")
        scenario["workload"]["jobs"]["path"] = os.path.join(SOURCE, "scenarios", "traces", "quickstart.csv")
        with open(bad, "w") as f:
            json.dump(scenario, f, indent=2)
        cli = subprocess.run([CLI, "run", bad, "--out", os.path.join(OUT, "cli-bad")], capture_output=True, text=True)
        self.assertEqual(cli.returncode, 2)
        with self.assertRaises(aidcsim.InputError) as caught:
            aidcsim.run(bad)
        self.assertEqual(caught.exception.returncode, 2)
        self.assertEqual(caught.exception.message, cli.stderr.strip())
        self.assertIn('/scheduler/polcy: unknown key "polcy"', str(caught.exception))
        # A bad override too, with the CLI's words.
        with self.assertRaises(aidcsim.InputError) as caught:
            aidcsim.run(QUICKSTART, overrides={"placement.policy": "best"})
        self.assertIn("/placement/policy", caught.exception.message)

    def test_missing_binary(self):
        with self.assertRaises(aidcsim.BinaryNotFound):
            aidcsim.run(QUICKSTART, binary=os.path.join(OUT, "no-such-aidcsim"))


class SweepTests(unittest.TestCase):
    def test_small_sweep(self):
        with aidcsim.sweep(QUICKSTART, grid={"scheduler.policy": ["fifo", "sjf"], "workload.jobs.limit": [60, 120]},
                           seeds=[1, 2], overrides={"placement.policy": "random"},
                           metrics=["jct_s.mean", "queue_delay_s.mean"], jobs=2) as sweep:
            points = sweep.points
            self.assertEqual(len(points), 8)
            self.assertEqual(list(points["status"].unique()), ["ok"])
            for column in ("scheduler.policy", "workload.jobs.limit", "seed", "jct_s.mean", "jobs.submitted"):
                self.assertIn(column, points.columns)
            self.assertEqual(sorted(points["workload.jobs.limit"].unique()), [60, 120])
            self.assertTrue((points["jobs.submitted"] == points["workload.jobs.limit"]).all())
            # Each point is the run the CLI makes with its parameters.
            row = points[(points["scheduler.policy"] == "sjf") & (points["workload.jobs.limit"] == 60)
                         & (points["seed"] == 2)].iloc[0]
            cli_out = cli_run("sweep-point", QUICKSTART, "--set", "scheduler.policy=sjf", "--set",
                              "workload.jobs.limit=60", "--set", "placement.policy=random", "--seed", "2")
            with open(os.path.join(cli_out, "summary.json")) as f:
                self.assertEqual(json.load(f)["jct_s"]["mean"], row["jct_s.mean"])
            runs = sweep.runs()
            self.assertEqual(len(runs), 8)
            self.assertEqual(len(runs[0].jobs), runs[0].summary["jobs"]["submitted"])
            out_dir = sweep.out_dir
        self.assertFalse(os.path.exists(out_dir), "the temporary sweep directory was not removed")

    def test_sweep_file_into_out(self):
        spec = os.path.join(OUT, "seeds-sweep.json")
        with open(spec, "w") as f:
            json.dump({"scenario": QUICKSTART, "grid": {"workload.jobs.limit": [30]}, "seeds": 3}, f)
        out = os.path.join(OUT, "py-sweep")
        sweep = aidcsim.sweep(spec, out=out, jobs=2)
        self.assertEqual(len(sweep.points), 3)
        self.assertEqual(sorted(sweep.points["seed"]), [1, 2, 3])
        self.assertEqual(len(aidcsim.load_sweep(out).points), 3)

    def test_bad_sweep_raises(self):
        with self.assertRaises(aidcsim.InputError) as caught:
            aidcsim.sweep(QUICKSTART, grid={"scheduler.policy": ["fifo", "nope"]})
        self.assertIn("nope", caught.exception.message)
        self.assertTrue(caught.exception.message.startswith("error: "))


if __name__ == "__main__":
    tmp = os.path.join(OUT, "tmp")
    os.makedirs(tmp, exist_ok=True)
    tempfile.tempdir = tmp
    os.environ["AIDCSIM_BIN"] = CLI
    result = unittest.main(exit=False, verbosity=2).result
    import gc
    gc.collect()  # Runs and Sweeps not closed by a test remove their temporary directories when collected
    left = os.listdir(tmp)
    if left:
        print(f"FAIL: temporary directories left behind in {tmp}: {left}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)
