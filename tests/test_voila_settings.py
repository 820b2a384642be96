"""etc/jupyter/voila.py's own logic, run in a fresh process as Voila would load it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "etc" / "jupyter" / "voila.py"


def run_with_settings(code: str) -> str:
    """Load the settings (as Voila does, with get_config), then run `code`; its stdout."""
    loader = (
        "import runpy\n"
        "from traitlets.config import Config\n"
        f"settings = runpy.run_path({str(SETTINGS)!r}, init_globals={{'get_config': Config}})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code.replace("#LOAD\n", loader)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_pool_kernels_start_a_few_at_a_time():
    """Twelve pool kernels asked for at once: at most half the cores' worth start together,
    each holding its slot until its page has run, and all twelve get there."""
    code = """
import asyncio
import voila.app

starting = peak = done = 0

class Manager:  # stands in for the class Voila's factory makes
    async def _initialize(self, *args, **kwargs):
        global starting, peak
        starting += 1
        peak = max(peak, starting)

        async def run_page():
            global starting, done
            await asyncio.sleep(0.05)
            starting -= 1
            done += 1

        return {"task": asyncio.get_running_loop().create_task(run_page())}

voila.app.voila_kernel_manager_factory = lambda *args, **kwargs: Manager
#LOAD
manager = voila.app.voila_kernel_manager_factory()()

async def class_arrives():
    contents = await asyncio.gather(*[manager._initialize() for _ in range(12)])
    await asyncio.gather(*[content["task"] for content in contents])

asyncio.run(class_arrives())
print(peak, done)
"""
    limit = max(1, (os.cpu_count() or 2) // 2)
    assert run_with_settings(code) == f"{limit} 12"


def test_without_preheating_the_kernel_manager_is_voilas_own():
    code = """
import voila.app
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
#LOAD
made = voila.app.voila_kernel_manager_factory(AsyncMappingKernelManager, False, 0)
print(issubclass(made, AsyncMappingKernelManager), hasattr(made, "_initialize"))
"""
    assert run_with_settings(code) == "True False"  # made as Voila makes it, left alone


def test_pool_sizes_read_from_the_environment_and_refuse_a_typo():
    code = """#LOAD
sizes = settings["pool_sizes"]
print(sizes("")["soap"], sizes("6")["likelihood"], sizes("soap=3")["soap"], sizes("soap=3")["likelihood"])
print(sizes("0,soap=2")["soap"], sizes("0,soap=2")["likelihood"])
try:
    sizes("sopa=3")
except ValueError as error:
    print("refused:", "sopa=3" in str(error))
"""
    assert run_with_settings(code).splitlines() == ["1 6 3 1", "2 0", "refused: True"]
