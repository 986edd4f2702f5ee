"""The side-by-side comparison: the reference's verdicts (reference_driver.py in its own venv,
one process per batch) next to ours (compat_ours.py, in this process), one row per config and per
registration. Used by the tests (test_compat.py) and by scripts/compat_report.py."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess  # noqa: S404 - runs the reference's own Python on our driver
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import json5
from compat_corpus import CORPORA, FORMS, REPO_ROOT, ConfigFile, discover
from compat_shrink import SmallProject

from tests.reference_cli import private_tmp_env

DRIVER = Path(__file__).resolve().parent / "reference_driver.py"

# outcomes that are compatible: same verdict; a file naming its dimensions, which the
# reference reads only through bulk-register; or a file the reference refuses because it is
# older and that we read, saying so (a notice)
COMPATIBLE = ("same", "same, by names", "read with notice")


def reference_venv() -> Path:
    """DSGRID_REFERENCE_VENV, else the repository's .venv-reference (scripts/test.sh makes it)."""
    return Path(os.environ.get("DSGRID_REFERENCE_VENV") or REPO_ROOT / ".venv-reference")


def reference_python() -> Path | None:
    python = reference_venv() / "bin" / "python"
    return python if python.exists() else None


class ReferenceJob:
    """A batch for the reference driver, started in the background: our side of the comparison
    runs meanwhile (the two use both cores); answer() waits for the reference's."""

    def __init__(self, job: dict, workdir: Path):
        python = reference_python()
        if python is None:
            raise RuntimeError(f"the reference venv is missing: {reference_venv()}")
        workdir.mkdir(parents=True, exist_ok=True)
        # its output goes to files: a full pipe would stop it while nobody reads
        self.out = tempfile.NamedTemporaryFile(prefix="reference-", suffix=".json", dir=workdir)
        self.err = tempfile.NamedTemporaryFile(prefix="reference-", suffix=".log", dir=workdir)
        self.process = subprocess.Popen(  # noqa: S603 - fixed interpreter and script
            [str(python), str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=self.out,
            stderr=self.err,
            text=True,
            cwd=workdir,
            env=private_tmp_env(Path(tempfile.mkdtemp(prefix="reference-tmp-", dir=workdir))),
        )
        self.process.stdin.write(json.dumps({**job, "workdir": str(workdir)}))
        self.process.stdin.close()

    def answer(self) -> dict:
        try:
            code = self.process.wait(timeout=600)
            if code != 0:
                self.err.seek(0)
                tail = self.err.read().decode(errors="replace")[-3000:]
                raise RuntimeError(f"reference driver failed:\n{tail}")
            self.out.seek(0)
            return json.loads(self.out.read())
        finally:
            self.out.close()
            self.err.close()


def run_reference(job: dict, workdir: Path) -> dict:
    """The reference driver's answer to one batch."""
    return ReferenceJob(job, workdir).answer()


@dataclass
class Row:
    level: str  # "load" (model validation), "register" (fresh registries), "data" (stored)
    label: str  # the config (corpus-relative) the row is about
    reference: dict
    ours: dict
    outcome: str = ""
    detail: str = ""  # what differs, for the reason of a gap
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.level}:{self.label}"


def verdict_outcome(ref: dict, ours: dict) -> str:
    if ref["accepted"] == ours["accepted"]:
        return "same"
    if ours["accepted"]:
        # the reference's models take registered ids only (its bulk-register swaps names for
        # ids first); a refusal for that alone is no difference when we resolve the names
        if ref.get("missing_ids_only"):
            return "same, by names"
        return "read with notice" if ours.get("notices") else "ours only"
    return "reference only"


def _clean(message: str, workdir: Path | None = None) -> str:
    """A message without machine-specific folders (labels instead), short."""
    if workdir is not None:
        message = message.replace(str(workdir / "generated"), "generated")
        message = message.replace(str(workdir), "<scratch>")
    for name, root in CORPORA.items():
        message = message.replace(str(root), name)
    # ids and scratch names the reference makes up on every run
    message = re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", message
    )
    message = re.sub(r"\btmp[a-z0-9_]{6,}", "<tmp>", message)
    # the reference prints sets as lists in hash order: sort them
    message = re.sub(
        r"\[('[^'\]]*'(?:, '[^'\]]*')+)\]",
        lambda m: "[" + ", ".join(sorted(m.group(1).split(", "))) + "]",
        message,
    )
    message = message.replace(str(FORMS), "forms")
    # a bare assertion on a registry row: which row comes first varies from run to run
    message = re.sub(r"^AssertionError: \{.*", "AssertionError: <a registry row>", message)
    return message[:600]


def load_rows(configs: list[ConfigFile], workdir: Path) -> list[Row]:
    from compat_ours import load_verdict

    job = ReferenceJob({"mode": "load", "items": [c.as_job for c in configs]}, workdir)
    our_verdicts = [load_verdict(config.path, config.kind) for config in configs]
    answer = job.answer()
    rows = []
    for config, ref, ours in zip(configs, answer["verdicts"], our_verdicts, strict=True):
        ref["message"], ours["message"] = (
            _clean(ref["message"], workdir),
            _clean(ours["message"], workdir),
        )
        row = Row("load", config.label, ref, ours, extra={"kind": config.kind})
        row.outcome = verdict_outcome(ref, ours)
        if row.outcome not in COMPATIBLE:
            row.detail = ours["message"] if ref["accepted"] else ref["message"]
        rows.append(row)
    return rows


# --- registration ---------------------------------------------------------------------------


def registration_plans(
    configs: list[ConfigFile], small: dict[str, SmallProject] | None = None
) -> list[tuple[ConfigFile, list[dict]]]:
    """What to register, from the configs themselves: every bulk-registration file (its
    datasets' stored tables compared after), every project config on its own, each generated
    project with its datasets one by one (a verdict per layout), and each small copy of a
    real project (compat_shrink.py) with its datasets one by one."""
    plans = []
    for label, plan in sorted((small or {}).items()):
        plans.append((ConfigFile(plan.project, "project", label), _small_steps(label, plan)))
    for config in configs:
        if config.label.startswith("generated/"):
            if config.kind == "project":
                plans.append((config, _generated_steps(config, configs)))
        elif config.kind == "bulk":
            data = json5.loads(config.path.read_text(encoding="utf-8"))
            steps = [
                {"action": "bulk", "config": str(config.path), "base_dir": str(config.path.parent)}
            ]
            submitted = sorted(
                {s.get("dataset_id") for s in data.get("dataset_submissions", [])} - {None}
            )
            steps += [{"action": "stats", "dataset_id": d} for d in submitted]
            plans.append((config, steps))
        elif config.kind == "project":
            plans.append((config, [{"action": "project", "config": str(config.path)}]))
    return plans


def _generated_steps(project: ConfigFile, configs: list[ConfigFile]) -> list[dict]:
    data = json5.loads(project.path.read_text(encoding="utf-8"))
    steps = [{"action": "project", "config": str(project.path)}]
    for config in configs:
        if config.kind != "dataset" or not config.path.is_relative_to(project.path.parent):
            continue
        dataset_id = json5.loads(config.path.read_text(encoding="utf-8"))["dataset_id"]
        steps += [
            {"action": "dataset", "config": str(config.path), "label": config.label},
            {"action": "submit", "project_id": data["project_id"], "dataset_id": dataset_id},
            {"action": "stats", "dataset_id": dataset_id},
        ]
    return steps


def _small_steps(label: str, plan: SmallProject) -> list[dict]:
    roots = [str(plan.root)]
    steps = [{"action": "project", "config": str(plan.project), "roots": roots}]
    for ds in plan.datasets:
        steps += [
            {
                "action": "dataset",
                "config": ds["config"],
                "label": f"{label} + {ds['dataset_id']}",
                "roots": roots,
            },
            {
                "action": "submit",
                "project_id": plan.project_id,
                "dataset_id": ds["dataset_id"],
                "mappings": ds["mappings"],
                "autogen": ds["autogen"],
                "roots": roots,
            },
            {"action": "stats", "dataset_id": ds["dataset_id"], "config": ds["config"]},
        ]
    return steps


def small_projects(configs: list[ConfigFile], out: Path) -> dict[str, SmallProject]:
    """A small, current copy (compat_shrink.py) of every real project repository whose
    bulk-registration file registers datasets with no data in the corpus; keyed by label
    ("small/<bulk file label>")."""
    from compat_shrink import small_project

    found = {}
    for config in configs:
        if config.kind != "bulk" or _has_data(config.path):
            continue
        label = "small/" + "/".join(config.label.split("/")[:2])  # the repository
        if label in found:
            label = f"small/{config.label}"
        found[label] = small_project(config.path, out / f"small{len(found)}")
    return found


def _has_data(bulk_file: Path) -> bool:
    """Whether the datasets of a bulk file come with their data (test_efs does)."""
    bulk = json5.loads(bulk_file.read_text(encoding="utf-8"))
    for ds in bulk.get("datasets", []):
        config = bulk_file.parent / ds["config_file"]
        if not config.exists():
            return False
        layout = json5.loads(config.read_text(encoding="utf-8")).get("data_layout") or {}
        data = (layout.get("data_file") or {}).get("path")
        if data and not (config.parent / data).exists():
            return False
    return bool(bulk.get("datasets"))


def generate_forms(out: Path) -> Path:
    """Write the generated configs and data (compat_generate.py) for every template folder of the
    forms (a project.json5 with a dataset.json5 beside it) under ``out``; return ``out``."""
    from compat_generate import layout_variants

    for template in sorted(FORMS.rglob("dataset.json5")):
        if (template.parent / "project.json5").exists():
            layout_variants(template.parent, out / template.parent.relative_to(FORMS))
    return out


def _same_numbers(ref: dict, ours: dict) -> bool:
    return (
        ref.get("rows") == ours.get("rows")
        and ref.get("values") == ours.get("values")
        and math.isclose(ref.get("value_sum", 0.0), ours.get("value_sum", 0.0), rel_tol=1e-9)
    )


def register_rows(
    configs: list[ConfigFile], workdir: Path, small: dict[str, SmallProject] | None = None
) -> list[Row]:
    """One row per plan's registration step and one per compared dataset table."""
    from compat_ours import register

    plans = registration_plans(configs, small)
    job = {
        "mode": "register",
        "plans": [
            {"registry": str(workdir / f"ref{i}"), "steps": steps}
            for i, (_, steps) in enumerate(plans)
        ],
    }
    reference = ReferenceJob(job, workdir)
    our_plans = [register(workdir / f"ours{i}", steps) for i, (_, steps) in enumerate(plans)]
    answer = reference.answer()
    rows = []
    for (config, _), ref_plan, our_plan in zip(plans, answer["plans"], our_plans, strict=True):
        for ref, ours in zip(ref_plan["steps"], our_plan["steps"], strict=True):
            ref["message"] = _clean(ref["message"], workdir)
            ours["message"] = _clean(ours["message"], workdir)
            label = ref.get("label", config.label)
            if ref["action"] == "submit":
                label = f"{config.label} <- {ref['dataset_id']}"
            if ref["action"] == "stats":
                label = f"{config.label} -> {ref['dataset_id']}"
                row = Row("data", label, ref, ours)
                if config.label.startswith("generated/"):
                    folder = config.path.parent / "datasets" / ref["dataset_id"]
                    row.extra["expected"] = expected_stats(folder / "dataset.json5")
                elif ref.get("config"):
                    row.extra["expected"] = expected_stats(Path(ref["config"]))
                if not ref["accepted"] and not ours["accepted"]:
                    row.outcome = "same"  # registered by neither
                elif ref["accepted"] and ours["accepted"]:
                    row.outcome = "same" if _same_numbers(ref, ours) else "different numbers"
                else:
                    row.outcome = verdict_outcome(ref, ours)
                if row.outcome not in COMPATIBLE:
                    row.detail = _numbers_detail(ref, ours)
            else:
                row = Row("register", label, ref, ours)
                row.outcome = verdict_outcome(ref, ours)
                if row.outcome not in COMPATIBLE:
                    row.detail = ours["message"] if ref["accepted"] else ref["message"]
            rows.append(row)
    return rows


def expected_stats(config_path: Path) -> dict:
    """The independent answer for a generated dataset: pandas over the files compat_generate.py
    wrote (every value once, whatever the layout)."""
    import pandas as pd

    config = json5.loads(config_path.read_text(encoding="utf-8"))
    path = config_path.parent / config["data_layout"]["data_file"]["path"]
    frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    values = frame.select_dtypes("float")
    return {"values": int(values.count().sum()), "value_sum": float(values.sum().sum())}


def _numbers_detail(ref: dict, ours: dict) -> str:
    def show(side: dict) -> str:
        if not side["accepted"]:
            return "not stored"
        return f"{side['rows']} rows, {side['values']} values, sum {side['value_sum']:.6g}"

    return f"reference {show(ref)}; ours {show(ours)}"


def all_rows() -> list[Row]:
    """Every comparison, in a fresh scratch folder (the reference writes logs and scratch
    databases into its working folder)."""
    with tempfile.TemporaryDirectory(prefix="dsgrid-compat-") as tmp:
        workdir = Path(tmp)
        configs = discover(generate_forms(workdir / "generated"))
        small = small_projects(configs, workdir / "small")
        rows = load_rows(configs, workdir) + register_rows(configs, workdir, small)
        return rows + small_rows(small)


def small_rows(small: dict[str, SmallProject]) -> list[Row]:
    """What each small copy kept and left out, for the page (level "small": no verdicts)."""
    rows = []
    for label, plan in sorted(small.items()):
        kept = f"project geography records {', '.join(plan.geography)}"
        rows.append(Row("small", label, {"accepted": True, "message": kept}, {}, "kept"))
        for dataset_id, reason in sorted(plan.skipped.items()):
            left = {"accepted": False, "message": reason}
            rows.append(Row("small", f"{label} -> {dataset_id}", left, {}, "not compared"))
    return rows


def planned_keys() -> list[str]:
    """The keys all_rows() will give, without running anything (for test parametrization)."""
    with tempfile.TemporaryDirectory(prefix="dsgrid-compat-keys-") as tmp:
        configs = discover(generate_forms(Path(tmp) / "generated"))
        small = small_projects(configs, Path(tmp) / "small")
        keys = [f"load:{c.label}" for c in configs]
        for config, steps in registration_plans(configs, small):
            for step in steps:
                if step["action"] == "stats":
                    keys.append(f"data:{config.label} -> {step['dataset_id']}")
                elif step["action"] == "submit":
                    keys.append(f"register:{config.label} <- {step['dataset_id']}")
                else:
                    keys.append(f"register:{step.get('label', config.label)}")
    return keys
