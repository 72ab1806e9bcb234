"""A class at once (`make classroom`): eight learners on one hub (classroom/jupyterhub_config.py), in parallel
browser contexts of one headless Chromium, each running notebook 04 and moving its slider 20 times.

It measures and prints
  - the slider latency (key press -> new picture on screen), median and 95th percentile, with one learner
    alone and with all eight moving at once;
  - the memory of each learner's processes (JupyterLab server and kernel; PSS, so shared pages are split
    fairly, and RSS) at its peak, and the peak of the whole class with the hub and the proxy;
  - the time from following the link (logging in, spawning, pulling the series) to the contents page.
Faults, while the class works:
  - one learner's kernel is killed (SIGKILL) half-way through the slider moves; the learner restarts the
    kernel, runs the notebook again and goes on;
  - the hub process is stopped and started again (its configuration sets cleanup_servers=False): every learner
    moves the slider while the hub is down and again after it is back, on the same server and kernel.
Nothing may fail: any error ends it with exit status 1. The last line is a one-line summary; the figures also
go to artifacts/classroom.json.

    python -m tests.hub.class_at_once [--learners 8] [--moves 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from tests.hub.hub import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOK_04,
    ROOT,
    Course,
    Hub,
    Learner,
    missing_hub_reason,
    unique_name,
)

MB = 1024 * 1024


class MemorySampler(threading.Thread):
    """Every `every` seconds: each learner's PSS and RSS (server and kernels), and the whole class's with the hub."""

    def __init__(self, hub: Hub, names: list[str], every: float = 0.5):
        super().__init__(daemon=True)
        self.hub, self.names, self.every = hub, names, every
        self.peak_pss = dict.fromkeys(names, 0)
        self.peak_rss = dict.fromkeys(names, 0)
        self.peak_total_pss = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            now_pss = dict.fromkeys(self.names, 0)
            now_rss = dict.fromkeys(self.names, 0)
            total = 0
            for proc in self.hub.processes():
                try:
                    info = proc.memory_full_info()
                    cwd = Path(proc.cwd())
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                total += info.pss
                name = self._learner(cwd)
                if name in now_pss:
                    now_pss[name] += info.pss
                    now_rss[name] += info.rss
            for name in self.names:
                self.peak_pss[name] = max(self.peak_pss[name], now_pss[name])
                self.peak_rss[name] = max(self.peak_rss[name], now_rss[name])
            self.peak_total_pss = max(self.peak_total_pss, total)
            self.samples += 1
            self.done.wait(self.every)

    def _learner(self, cwd: Path) -> str | None:
        if cwd.is_relative_to(self.hub.homes) and cwd != self.hub.homes:
            return cwd.relative_to(self.hub.homes).parts[0]
        return None

    def stop(self):
        self.done.set()
        self.join()


async def slide(learner: Learner, moves: int, latencies: list, kill_at: int | None = None, events: dict | None = None):
    """Move the slider `moves` times, right then left; at move `kill_at` the kernel is killed and recovered."""
    for i in range(moves):
        if kill_at is not None and i == kill_at:
            await kill_and_recover(learner, events)
        latencies.append(await learner.move_slider("ArrowRight" if i % 2 == 0 else "ArrowLeft"))


async def kill_and_recover(learner: Learner, events: dict):
    """SIGKILL the learner's kernel; the learner restarts it, runs the notebook again and goes on."""
    kernel_id = await learner.kernel_id()
    pid = learner.hub.kernel_pid(learner.name, kernel_id)
    assert pid, f"{learner.name}: no process for notebook 04's kernel {kernel_id}"
    start = time.perf_counter()
    os.kill(pid, signal.SIGKILL)
    # the server notices the dead kernel and starts a new one; JupyterLab says so in a dialog, which the learner
    # closes; then the learner restarts the kernel (Kernel > Restart Kernel) and runs all cells again
    page = learner.page
    dialog = page.locator(".jp-Dialog")
    await dialog.wait_for(timeout=60_000)
    events["kernel_kill_dialog"] = (await dialog.inner_text()).replace("\n", " ")[:120]
    await dialog.locator(".jp-mod-accept").first.click()
    await learner.wait_idle(120_000)
    await learner.restart_kernel()
    await learner.run_all()
    new = learner.hub.kernel_pid(learner.name, await learner.kernel_id())
    assert new and new != pid and not psutil.pid_exists(pid), f"{learner.name}: no new kernel after the kill"
    events["kernel_kill_recovery_s"] = round(time.perf_counter() - start, 1)
    events["kernel_killed_for"] = learner.name


def cpu_seconds(hub: Hub) -> dict:
    """CPU seconds used so far by the class (hub, proxy, learners' servers and kernels) and by the test's Chromium."""
    class_procs = hub.processes()
    browser = [p for p in psutil.process_iter(["name"]) if p.info["name"] and "chrom" in p.info["name"]]
    out = {}
    for key, procs in (("class", class_procs), ("browser", browser)):
        total = 0.0
        for proc in procs:
            try:
                t = proc.cpu_times()
                total += t.user + t.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        out[key] = total
    return out


async def join(learner: Learner, link: str, link_times: list):
    link_times.append(await learner.follow_link(link))
    await learner.open_notebook(NOTEBOOK_04)
    await learner.run_all()


async def main(n_learners: int, moves: int, workdir: Path) -> dict:
    from playwright.async_api import async_playwright

    names = [unique_name(f"learner{i + 1}") for i in range(n_learners)]
    course = Course(workdir / "course")
    hub = Hub(names, course_repos=course.url)
    sampler = MemorySampler(hub, names)
    result = {"learners": n_learners, "moves_each": moves, "cores": os.cpu_count()}
    events: dict = {}
    try:
        hub.start()
        sampler.start()
        link = hub.link(course)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            learners = [await Learner.open(hub, browser, name) for name in names]
            link_times: list = []

            # one learner alone
            await join(learners[0], link, link_times)
            link_alone = link_times[0]
            alone: list = []
            cpu_before = cpu_seconds(hub)
            await slide(learners[0], moves, alone)
            cpu_alone = {k: round(v - cpu_before[k], 2) for k, v in cpu_seconds(hub).items()}
            print(
                f"1 learner: slider median {statistics.median(alone):.0f} ms, p95 "
                f"{float(np.percentile(alone, 95)):.0f} ms; CPU per move: "
                f"class {cpu_alone['class'] / moves * 1e3:.0f} ms, the test's browser "
                f"{cpu_alone['browser'] / moves * 1e3:.0f} ms",
                flush=True,
            )

            # the whole class: the others follow the link at once, then all move their sliders at once;
            # the third learner's kernel is killed half-way
            await asyncio.gather(*(join(learner, link, link_times) for learner in learners[1:]))
            link_together = link_times[1:]
            print(
                f"link to contents page: {link_alone:.1f} s alone; {len(link_together)} learners at once: median "
                f"{statistics.median(link_together):.1f} s, max {max(link_together):.1f} s",
                flush=True,
            )
            together = [[] for _ in learners]
            victim = min(2, n_learners - 1)
            cpu_before = cpu_seconds(hub)
            await asyncio.gather(
                *(
                    slide(learner, moves, together[i], kill_at=moves // 2 if i == victim else None, events=events)
                    for i, learner in enumerate(learners)
                )
            )
            cpu = {k: round(v - cpu_before[k], 1) for k, v in cpu_seconds(hub).items()}
            kernels = {
                name: len([p for p in hub.learner_processes(name) if "ipykernel" in " ".join(p.cmdline())])
                for name in names
            }
            everyone = [x for lat in together for x in lat]
            print(
                f"{n_learners} learners at once: slider median {statistics.median(everyone):.0f} ms, "
                f"p95 {float(np.percentile(everyone, 95)):.0f} ms ({len(everyone)} moves); "
                f"{events['kernel_killed_for']}'s kernel killed and recovered in {events['kernel_kill_recovery_s']} s; "
                f"CPU seconds meanwhile: class {cpu['class']}, the test's browser {cpu['browser']}",
                flush=True,
            )

            # the hub restarts; the learners' servers and kernels keep working, while it is down and after
            servers_before = {name: sorted(p.pid for p in hub.learner_processes(name)) for name in names}
            hub.stop_hub_only()
            during = await asyncio.gather(*(learner.move_slider("ArrowRight") for learner in learners))
            restart_start = time.perf_counter()
            hub.start()
            restart_s = time.perf_counter() - restart_start
            after = await asyncio.gather(*(learner.move_slider("ArrowLeft", timeout=120_000) for learner in learners))
            servers_after = {name: sorted(p.pid for p in hub.learner_processes(name)) for name in names}
            assert servers_after == servers_before, "the learners' servers or kernels changed across the hub restart"
            running = {u["name"] for u in hub.api("GET", "/users") if u["server"]}
            assert running >= set(names), f"after the restart the hub lost servers: {set(names) - running}"
            await asyncio.gather(*(learner.page.reload() for learner in learners))  # a new page needs the hub's login
            await asyncio.gather(*(learner.open_notebook(NOTEBOOK_04) for learner in learners))
            print(
                f"hub restarted in {restart_s:.1f} s: {n_learners} servers kept (same processes), slider "
                "worked while it was "
                f"down (median {statistics.median(during):.0f} ms) and after (median "
                f"{statistics.median(after):.0f} ms)",
                flush=True,
            )
            await browser.close()

        sampler.stop()
        per_pss = [sampler.peak_pss[n] / MB for n in names]
        per_rss = [sampler.peak_rss[n] / MB for n in names]
        result.update(
            {
                "slider_alone_ms": {
                    "median": round(statistics.median(alone), 1),
                    "p95": round(float(np.percentile(alone, 95)), 1),
                    "n": len(alone),
                },
                "slider_together_ms": {
                    "median": round(statistics.median(everyone), 1),
                    "p95": round(float(np.percentile(everyone, 95)), 1),
                    "n": len(everyone),
                },
                "link_to_contents_s": {
                    "alone": round(link_alone, 1),
                    "together_median": round(statistics.median(link_together), 1),
                    "together_max": round(max(link_together), 1),
                    "together_n": len(link_together),
                },
                "cpu_ms_per_move_alone": {k: round(v / moves * 1e3) for k, v in cpu_alone.items()},
                "cpu_seconds_while_sliding_together": cpu,
                "kernels_per_learner": kernels,
                "memory_per_learner_mb": {
                    "pss_median": round(statistics.median(per_pss)),
                    "pss_max": round(max(per_pss)),
                    "rss_median": round(statistics.median(per_rss)),
                    "rss_max": round(max(per_rss)),
                },
                "memory_total_mb": {"pss_peak": round(sampler.peak_total_pss / MB)},
                "memory_samples": sampler.samples,
                "kernel_kill": {
                    "learner": events["kernel_killed_for"],
                    "recovered_s": events["kernel_kill_recovery_s"],
                },
                "hub_restart": {
                    "restart_s": round(restart_s, 1),
                    "servers_kept": True,
                    "slider_while_down_ms_median": round(statistics.median(during), 1),
                    "slider_after_ms_median": round(statistics.median(after), 1),
                },
            }
        )
        return result
    finally:
        if sampler.is_alive():
            sampler.stop()
        keep = os.environ.get("CLASSROOM_KEEP") == "1"
        if keep:
            print(f"the hub's folder is kept: {hub.workdir}")
        hub.teardown(keep_folder=keep)


def summary(r: dict) -> str:
    m = r["memory_per_learner_mb"]
    return (
        f"classroom: {r['learners']} learners on {r['cores']} cores, 0 failures; slider median "
        f"{r['slider_alone_ms']['median']:.0f} ms (p95 {r['slider_alone_ms']['p95']:.0f}) alone, "
        f"{r['slider_together_ms']['median']:.0f} ms (p95 {r['slider_together_ms']['p95']:.0f}) with {r['learners']}; "
        f"memory {m['pss_median']} MB per learner (peak {m['pss_max']}), {r['memory_total_mb']['pss_peak']} MB in all; "
        f"link to contents {r['link_to_contents_s']['alone']:.0f} s alone, "
        f"{r['link_to_contents_s']['together_median']:.0f} s "
        f"with {r['link_to_contents_s']['together_n']} at once; kernel kill recovered in "
        f"{r['kernel_kill']['recovered_s']:.0f} s; hub restart kept all {r['learners']} servers"
    )


def cli(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args(argv)
    reason = missing_hub_reason()
    if reason:
        print(f"classroom: cannot run: {reason}")
        return 1
    # CLASSROOM_KEEP=1 keeps the hub's folder (logs, homes) for a look after a failure
    tmp = Path(tempfile.mkdtemp(prefix="classroom-", dir="/tmp"))
    tmp.chmod(0o755)  # the learners' servers clone the course from here as their own users
    (tmp / "course").mkdir()
    try:
        result = asyncio.run(asyncio.wait_for(main(args.learners, args.moves, tmp), timeout=45 * 60))
    except Exception as exc:  # any failure of any learner: the whole run fails, with what happened
        print(f"classroom: FAILED: {type(exc).__name__}: {exc}")
        return 1
    finally:
        if os.environ.get("CLASSROOM_KEEP") == "1":
            print(f"the hub's folder is kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    out = ROOT / "artifacts" / "classroom.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"figures in {out.relative_to(ROOT)}")
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(cli())
