"""Issue 13: specgen installed as a tool, used from another repository that holds only specs.

A fresh virtual environment gets `pip install <this checkout>` (not editable) and nothing else;
then, in a temporary repository with nothing but specs/ and a [tool.specgen] table, `specgen
generate` and `specgen check` work, with the templates and the spec schema from the wheel. The
pre-commit hook is run the way a consumer would, with `pre-commit try-repo`.

Neither test needs the network: pip takes the dependencies from the wheelhouse that `make`
fills when it bootstraps .venv (Makefile: WHEELS), with --no-index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import specgen

from tests.helpers import FIXTURE_SPECS, ROOT, tree_bytes

WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
CONSUMER_CONFIG = """\
[project]
name = "consumer"
version = "0"

[tool.specgen]
specs = "specs"
output = "clients"
"""


def offline_pip_env(tmp: Path) -> dict[str, str]:
    assert any(WHEELHOUSE.glob("black-*.whl")), f"{WHEELHOUSE} is empty: run `make .venv/.installed-stamp`"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        HOME=str(tmp / "home"),  # nothing read from or written to the real home
        XDG_CACHE_HOME=str(tmp / "home" / ".cache"),
    )
    return env


def consumer_repo(tmp: Path) -> Path:
    """A git repository with nothing but specs/ and a pyproject.toml naming them."""
    repo = tmp / "consumer"
    repo.mkdir()
    shutil.copytree(FIXTURE_SPECS, repo / "specs")
    (repo / "pyproject.toml").write_text(CONSUMER_CONFIG, "utf-8")
    return repo


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with only `pip install <checkout>` (no -e): its bin folder and environment."""
    tmp = tmp_path_factory.mktemp("tool")
    env = offline_pip_env(tmp)
    target = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    # Built from a copy, so that the build leaves nothing (build/, *.egg-info) in the checkout.
    source = tmp / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", ".*cache", "benchmarks"),
    )
    result = run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)], tmp, env, 300)
    assert result.returncode == 0, result.stdout + result.stderr
    return target / "bin", env


def test_the_wheel_has_the_package_its_templates_and_schema_and_no_generic_top_level_module(
    installed: tuple[Path, dict[str, str]],
) -> None:
    bin_dir, env = installed
    probe = (
        "import importlib.util, pathlib, specgen, specgen.config as c;"
        "print(pathlib.Path(specgen.__file__).parent);"
        "print(c.bundled_templates());"
        "print(importlib.util.find_spec('generator'))"
    )
    result = run([str(bin_dir / "python"), "-c", probe], bin_dir, env)
    assert result.returncode == 0, result.stderr
    package, templates, generic = result.stdout.split("\n")[:3]
    assert "site-packages" in package and not package.startswith(str(ROOT))
    assert templates == str(Path(package) / "templates")
    assert (Path(templates) / "macros" / "header.j2").is_file()
    assert (Path(package) / "spec.schema.json").is_file()
    assert generic == "None"  # no top-level `generator` module beside it


def test_every_subpackage_of_generator_is_packaged() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("specgen", *init.parent.relative_to(ROOT / "generator").parts))
        for init in (ROOT / "generator").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    template_dirs = {
        ".".join(("specgen", "templates", *d.relative_to(ROOT / "templates").parts))
        for d in (ROOT / "templates").rglob("*")
        if d.is_dir()
    } | {"specgen.templates"}
    assert template_dirs - listed == set(), "add these template folders to [tool.setuptools] packages"


def test_version_is_the_package_version(installed: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = installed
    result = run([str(bin_dir / "specgen"), "--version"], bin_dir, env)
    assert result.returncode == 0
    assert result.stdout.strip() == f"specgen {specgen.__version__}"


def test_a_repository_with_only_specs_generates_and_checks(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bin_dir, env = installed
    repo = consumer_repo(tmp_path)
    generated = run([str(bin_dir / "specgen"), "generate"], repo, env)
    assert generated.returncode == 0, generated.stderr
    assert "files written:" in generated.stdout and "(clients/)" in generated.stdout
    checked = run([str(bin_dir / "specgen"), "check"], repo, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "clients/ is up to date" in checked.stdout
    # The bundled templates make exactly what this checkout's templates make from the same specs.
    here = run(
        [sys.executable, "-m", "specgen", "generate", "--templates", str(ROOT / "templates"), "--output", "here"],
        repo,
        {**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert here.returncode == 0, here.stderr
    assert tree_bytes(repo / "clients") == tree_bytes(repo / "here")
    # A hand edit is caught.
    client = next((repo / "clients").glob("*/client.py"))
    client.write_text(client.read_text("utf-8") + "# edited\n", "utf-8")
    drift = run([str(bin_dir / "specgen"), "check"], repo, env)
    assert drift.returncode == 1 and "+# edited" not in drift.stdout and "-# edited" in drift.stdout


def test_pre_commit_try_repo_runs_the_hook_in_a_consumer_repository(tmp_path: Path) -> None:
    env = offline_pip_env(tmp_path)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    repo = consumer_repo(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "specs only"]):
        done = run([*git, *args], repo, env)
        assert done.returncode == 0, done.stderr
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "specgen-check", "--all-files"]

    stale = run(pre_commit, repo, env, timeout=300)  # nothing generated yet: the hook fails with the diff
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "specgen check" in stale.stdout and "Failed" in stale.stdout
    assert "clients/.specgen-output: missing" in stale.stdout

    generate = run([sys.executable, "-m", "specgen", "generate"], repo, {**env, "PYTHONPATH": str(ROOT)})
    assert generate.returncode == 0, generate.stderr
    run([*git, "add", "-A"], repo, env)
    fresh = run(pre_commit, repo, env, timeout=300)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "Passed" in fresh.stdout
