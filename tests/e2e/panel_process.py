"""A real ``innertalk api`` process with the operator panel, and a headless Chromium from the
system packages (never a download) driven by Selenium; shared by the browser test and
``tools/panel_screenshots.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
STARTUP_SECONDS = 120.0


def browser_missing() -> str | None:
    """Why no browser can run here (``None``: both binaries are installed)."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.exists() and shutil.which(binary.name) is None:
            return f"{binary} is not installed (apt-get install chromium chromium-driver)"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--lang=en-US",
    ):
        options.add_argument(argument)  # fmt: skip
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@contextmanager
def api_process(workdir: Path, env: dict[str, str], port: int) -> Iterator[str]:
    """``innertalk api`` in ``workdir`` until /healthz answers; yields its base URL."""
    command = [*innertalk_command(), "api"]
    with (workdir / "api-output.txt").open("wb") as output:
        process = subprocess.Popen(
            command, cwd=workdir, env={**env, "HTTP_PORT": str(port)}, stdout=output,
            stderr=output,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base, workdir)
        yield base
    finally:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()
            process.wait()


def innertalk_command() -> list[str]:
    installed = Path(os.sys.executable).parent / "innertalk"
    return [str(installed)] if installed.exists() else [os.sys.executable, "-m", "innertalk"]


def _wait_until_healthy(process: subprocess.Popen[bytes], base: str, workdir: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / "api-output.txt").read_text())
        with (
            suppress(OSError),
            urllib.request.urlopen(f"{base}/healthz", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)  # a real process starting: there is no clock to inject
    raise TimeoutError(f"innertalk api did not answer at {base}")


def sign_in(driver: webdriver.Chrome, base: str, name: str, password: str) -> None:
    driver.get(f"{base}/admin/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    submit(driver, "form[action='/admin/login'] button")


def submit(driver: webdriver.Chrome, selector: str, timeout: float = 20) -> None:
    """Click the button ``selector`` names and wait until the page it leads to has replaced
    this one (a click returns before a form's POST and its redirect are done)."""
    button = driver.find_element(By.CSS_SELECTOR, selector)
    button.click()
    WebDriverWait(driver, timeout).until(_gone(button))
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _gone(element: WebElement) -> Callable[[webdriver.Chrome], bool]:
    """Whether ``element``'s page has been replaced. Chromium answers a node of a page being
    replaced with a stale reference or, mid-navigation, with an inspector error."""

    def check(_driver: webdriver.Chrome) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one
            return True
        return False

    return check


def navigation(driver: webdriver.Chrome) -> list[str]:
    """The hrefs of the navigation, in order (every page the operator may see)."""
    links = driver.find_elements(By.CSS_SELECTOR, "header nav a")
    return [str(link.get_attribute("href")) for link in links]


def page_name(href: str) -> str:
    path = href.split("/admin", 1)[1].strip("/")
    return path.replace("/", "-") or "overview"
