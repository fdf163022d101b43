"""Build hook: a wheel carries the shipped scenarios and fonts inside the `game` package.

In the source tree they live at the top (`scenarios/`, where authors find them, and `assets/fonts/`, beside
their licences), and a checkout or an editable install (`make play`) reads them there. A wheel has no top,
so building one copies them to `game/content/scenarios/` and `game/content/fonts/`; `game.paths.content_dir`
looks in both places. Everything else about the package is declared in pyproject.toml.
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
CONTENT = {"scenarios": "scenarios", "fonts": os.path.join("assets", "fonts")}


class BuildWithContent(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree itself
        for name, src in CONTENT.items():
            target = os.path.join(self.build_lib, "game", "content", name)
            shutil.copytree(os.path.join(ROOT, src), target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithContent})
