"""The search page of pressindex serve in headless Chromium (selenium with Debian's chromedriver):
a reporter's search with highlights and the month chart, paging, the whole-release view, the
keyboard, a malformed query pointed at, and a release full of script payloads shown as text with
nothing run. Saves a screenshot (SCREENSHOT). Run by tests/serve-browser.sh."""
import os
import shutil
import signal
import subprocess
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PRESSINDEX = os.environ["PRESSINDEX"]
FIXTURES = os.environ["FIXTURES"]
TMP = os.environ["SERVE_TMP"]
SCREENSHOT = os.environ["SCREENSHOT"]
SEED = "releases/000_7a5d2ef6bf956f73.txt"
checks = failures = 0


def check(cond, what):
    global checks, failures
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def main():
    base = os.path.join(TMP, "browser")
    os.makedirs(base)
    for d in ("releases", "hostile"):
        shutil.copytree(os.path.join(FIXTURES, d), os.path.join(base, d))
    db = os.path.join(base, "index")
    subprocess.run([PRESSINDEX, "--db", db, "index", os.path.join(base, "releases"), os.path.join(base, "hostile")],
                   check=True, capture_output=True)
    srv = subprocess.Popen([PRESSINDEX, "--db", db, "serve", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                           text=True)
    url = srv.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1400",
              "--disable-gpu", "--no-first-run", "--disable-extensions"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(30)
    wait = WebDriverWait(driver, 15)
    try:
        run(driver, wait, url)
    finally:
        driver.quit()
        srv.send_signal(signal.SIGTERM)
        check(srv.wait(15) == 0, "the server stops cleanly on SIGTERM")
    print(f"{checks} checks, {failures} failures")
    return 1 if failures else 0


def results(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#results > li")


def search(driver, wait, text):
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.RETURN)
    wait.until(lambda d: d.find_element(By.ID, "status").text not in ("", "Searching\u2026")
               or d.find_element(By.ID, "query-error").is_displayed())


def run(driver, wait, url):
    driver.get(url)
    wait.until(lambda d: "releases" in d.find_element(By.ID, "holdings").text)
    check(driver.title == "pressindex", "the page's title")
    check(driver.switch_to.active_element.get_attribute("id") == "q", "the search box has the focus at first")

    # The reporter's search: the seed's two paragraphs, highlighted, and the month chart.
    search(driver, wait, '"Organization of Turkic States"')
    wait.until(lambda d: len(results(d)) == 2)
    rs = results(driver)
    check([r.get_attribute("data-release") for r in rs] == [SEED, SEED], "both results are the seed's")
    for r in rs:
        marks = [m.text for m in r.find_elements(By.TAG_NAME, "mark")]
        check(marks == ["Organization", "of", "Turkic", "States"], f"highlights of a result: {marks}")
        check("2025-07-30" in r.text, "a result shows its date")
    wait.until(lambda d: d.find_element(By.ID, "chart-box").is_displayed())
    bars = driver.find_elements(By.CSS_SELECTOR, "#chart svg rect.bar")
    heights = [float(b.get_attribute("height")) for b in bars]
    check(len(bars) >= 1 and max(heights) > 0, f"the month chart has bars: {heights}")
    tips = driver.execute_script("return Array.from(document.querySelectorAll('#chart svg rect.bar title'))"
                                 ".map(function (t) { return t.textContent; })")
    check("2025-07: 2" in tips and sum(int(t.split(": ")[1]) for t in tips) == 2,
          f"the chart counts the matching paragraphs by month (the API's facets): {tips}")
    check(driver.find_element(By.ID, "chart-note").text == "All matching paragraphs.", "the chart says it is exact")
    facet_buttons = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "#by-source button")]
    check(facet_buttons == ["no source (2)"], f"the sources of the matches: {facet_buttons}")
    labels = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "#chart svg text")]
    check("2025-07" in labels, f"the chart's axis names July 2025: {labels}")
    check(driver.find_element(By.ID, "csv").get_attribute("href").startswith(url + "api/search.csv?"),
          "the CSV link")
    with urllib.request.urlopen(driver.find_element(By.ID, "csv").get_attribute("href")) as r:
        body = r.read().decode()
        check(r.headers["Content-Type"].startswith("text/csv") and body.startswith("rank,score,date"),
              "the CSV download is CSV")
        check(body.count("000_7a5d2ef6bf956f73.txt") == 2, "the CSV holds the two results")
    check(driver.execute_script("return new URLSearchParams(location.search).get('q')") ==
          '"Organization of Turkic States"', "the address keeps the search (a link to share)")
    driver.save_screenshot(SCREENSHOT)

    # The keyboard: '/' comes back to the search box; the whole release opens from its button
    # with Enter and closes with Escape, the focus back on the button.
    driver.find_element(By.TAG_NAME, "body").click()
    driver.find_element(By.TAG_NAME, "body").send_keys("/")
    check(driver.switch_to.active_element.get_attribute("id") == "q", "'/' focuses the search box")
    button = results(driver)[0].find_element(By.TAG_NAME, "button")
    driver.execute_script("arguments[0].focus()", button)
    driver.switch_to.active_element.send_keys(Keys.RETURN)
    wait.until(lambda d: d.find_element(By.ID, "release").is_displayed())
    paras = driver.find_elements(By.CSS_SELECTOR, "#release-paragraphs li")
    check(len(paras) == 25, f"the whole release: {len(paras)} paragraphs")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#release-paragraphs li.hit")) == 1, "its matching paragraph marked")
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait.until(lambda d: not d.find_element(By.ID, "release").is_displayed())
    check(len(results(driver)) == 2, "Escape goes back to the results")
    check(driver.switch_to.active_element == button, "and the focus back to the button")

    # Paging.
    search(driver, wait, "president OR Sri OR Lanka OR Turkic OR cooperation OR Kazakhstan")
    wait.until(lambda d: len(results(d)) == 10)
    first = [r.get_attribute("data-release") + r.text[:40] for r in results(driver)]
    driver.find_element(By.ID, "next").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Paragraphs 11"))
    check([r.get_attribute("data-release") + r.text[:40] for r in results(driver)] != first, "page 2 differs")
    driver.find_element(By.ID, "prev").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("Paragraphs 1\u2013"))
    sri = [b for b in driver.find_elements(By.CSS_SELECTOR, "#by-source button") if b.text.startswith("Presidential Media")]
    check(len(sri) == 1, "a source among the matches' sources")
    if sri:
        sri[0].click()
        wait.until(lambda d: d.find_element(By.ID, "source").get_attribute("value").startswith("Presidential Media"))
        wait.until(lambda d: results(d) and all("Presidential Media Division" in r.text for r in results(d)))
        check(len(driver.find_elements(By.CSS_SELECTOR, "#by-source button")) == 1, "narrowed to that source")
        driver.execute_script("document.getElementById('source').value = ''")

    # A malformed query: the message, and the caret where it is malformed.
    search(driver, wait, "Türk (Turkic")
    err = driver.find_element(By.ID, "query-error")
    check(err.is_displayed() and "malformed query at character 6" in err.text, f"the error: {err.text}")
    check(driver.execute_script("return document.getElementById('q').selectionStart") == 5,
          "the caret at the malformed spot")

    # A release whose title, source, URL and text hold script payloads: shown as text, run never.
    for how in ("typed", "linked"):
        if how == "typed":
            search(driver, wait, "zanzibarpayload")
        else:
            driver.get(url + "?q=zanzibarpayload")
        wait.until(lambda d: len(results(d)) == 2)
        box = driver.find_element(By.ID, "results")
        text = box.text
        check("<script>window.pwned=1;document.title='pwned'</script>" in text, f"{how}: the title's payload as text")
        check('onerror="window.pwned=5' in text, f"{how}: the paragraph's payload as text")
        check("</mark><script>window.pwned=6</script>" in text, f"{how}: the stray </mark> as text")
        check("&lt;b&gt;" in text, f"{how}: escaped entities stay as written")
        check(box.find_elements(By.CSS_SELECTOR, "script, img, svg, b, iframe") == [], f"{how}: no markup from the release")
        check(all(a.get_attribute("href").startswith("http") for a in box.find_elements(By.TAG_NAME, "a")),
              f"{how}: the javascript: URL is no link")
        results(driver)[0].find_element(By.TAG_NAME, "button").click()
        wait.until(lambda d: d.find_element(By.ID, "release").is_displayed())
        check("<script>" in driver.find_element(By.ID, "release-title").text, f"{how}: the release view's title as text")
        check(driver.find_elements(By.CSS_SELECTOR, "#release script, #release img") == [], f"{how}: nothing in the release view")
        options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#source option")]
        check(any("<b>&amp; Co</b>" in o for o in options), f"{how}: the source's markup as text: {options}")
        check(driver.execute_script("return window.pwned === undefined"), f"{how}: no payload ran (window.pwned)")
        check(driver.title == "pressindex", f"{how}: no payload ran (document.title {driver.title!r})")
    logs = [e for e in driver.get_log("browser") if "pwned" in e.get("message", "")]
    check(not logs, f"no payload reached the console: {logs}")


if __name__ == "__main__":
    sys.exit(main())
