"""An authoring command whose library is missing must not break the rest of the CLI."""
import subprocess
import sys

from .helpers import REPO, TUTORIAL

# Run the CLI with an import hook that hides the graphviz package, as on a machine without it.
HIDE = (
    "import sys, importlib.abc\n"
    "class Hide(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'graphviz' or name.startswith('graphviz.'):\n"
    "            raise ModuleNotFoundError(f\"No module named '{name}'\", name=name)\n"
    "sys.meta_path.insert(0, Hide())\n"
    "sys.modules.pop('graphviz', None)\n"
    "from game.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run(*args):
    return subprocess.run([sys.executable, "-c", HIDE, *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_validate_still_works_without_an_optional_library():
    r = run("validate", str(TUTORIAL))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_the_command_that_needs_it_explains_and_exits_2():
    r = run("graph", str(TUTORIAL), "-o", "/tmp/x.dot")
    assert r.returncode == 2
    assert "graphviz" in r.stderr and "Traceback" not in r.stderr
