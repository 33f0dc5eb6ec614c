//! The report as a browser shows it: Debian's headless Chromium, driven by ChromeDriver over
//! WebDriver, loads each example's index.html, and the test asserts that the page logs no
//! console error (a blocked fetch is one, through the page's Content-Security-Policy), that
//! every chart is drawn with a non-zero size, and saves a full-page PNG under
//! target/report-screenshots/ for people to look at.
//!
//! `.ci/run` installs chromium and chromium-driver and sets HYBRIDPLAN_BROWSER_TEST=require, so
//! in CI a missing browser fails the test; elsewhere the test says it was skipped.

use crate::common;

use base64::Engine;
use common::{Scratch, hybridplan, root};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A ChromeDriver process and one browser session; both end when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
}

impl Browser {
    /// None when the browser is not installed and the test is not required.
    fn start() -> Option<Browser> {
        let required = std::env::var("HYBRIDPLAN_BROWSER_TEST").is_ok_and(|v| v == "require");
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                !required,
                "{CHROMIUM} and {CHROMEDRIVER} are required: apt-get install chromium chromium-driver"
            );
            eprintln!(
                "skipped: no {CHROMIUM} or {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
            );
            return None;
        }
        // A free port: bind to 0, note it, let go.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1000"]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
        };
        let v = b.post("/session", caps);
        b.session = v["sessionId"].as_str().expect("session id").to_string();
        Some(b)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        match ureq::post(&url).send_json(body) {
            Ok(r) => r.into_json::<Value>().expect("json")["value"].clone(),
            Err(ureq::Error::Status(code, r)) => {
                panic!("{path}: {code} {}", r.into_string().unwrap_or_default())
            }
            Err(e) => panic!("{path}: {e}"),
        }
    }

    fn get(&self, path: &str) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        ureq::get(&url)
            .call()
            .expect(path)
            .into_json::<Value>()
            .expect("json")["value"]
            .clone()
    }

    fn session_post(&self, path: &str, body: Value) -> Value {
        self.post(&format!("/session/{}{path}", self.session), body)
    }

    fn open(&self, page: &Path) {
        let url = format!("file://{}", page.canonicalize().unwrap().display());
        self.session_post("/url", json!({ "url": url }));
    }

    fn script(&self, js: &str) -> Value {
        self.session_post("/execute/sync", json!({ "script": js, "args": [] }))
    }

    /// Console messages at error level since the last call.
    fn console_errors(&self) -> Vec<String> {
        let log = self.session_post("/se/log", json!({ "type": "browser" }));
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// A PNG of the whole page (the window is stretched to the page's height first).
    fn screenshot(&self, to: &Path) {
        let h = self.script("return document.documentElement.scrollHeight;");
        let h = h.as_u64().unwrap_or(1000).min(16_000);
        self.session_post("/window/rect", json!({ "width": 1280, "height": h + 140 }));
        let png = self.get("/screenshot");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        std::fs::write(to, bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let url = format!("{}/session/{}", self.base, self.session);
            let _ = ureq::delete(&url).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Each chart's id and rendered (width, height) in CSS pixels.
const CHART_SIZES: &str = "return Array.from(document.querySelectorAll('figure[data-chart]'))
    .map(f => { const s = f.querySelector('svg'); const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
                return [f.dataset.chart, r.width, r.height]; });";

fn shots() -> PathBuf {
    let dir = root().join("target/report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_example_report_renders_in_a_browser_without_errors() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let runs: [(&str, &[&str]); 4] = [
        ("example-hybrid", &["run", "scenarios/example-hybrid.toml"]),
        ("retail-hci", &["run", "scenarios/retail-hci.toml"]),
        (
            "private-cloud-year",
            &["run", "scenarios/private-cloud-year.toml"],
        ),
        (
            "optimize-split-by-plan",
            &["optimize", "scenarios/split-by-plan.toml"],
        ),
    ];
    for (name, args) in runs {
        let s = Scratch::new();
        let mut all = args.to_vec();
        all.extend(["--report", "html", "--out", s.path().to_str().unwrap()]);
        let (code, out, err) = hybridplan(&all);
        assert_eq!(code, 0, "{name}: {out}{err}");
        browser.open(&s.path().join("index.html"));
        let errors = browser.console_errors();
        assert!(errors.is_empty(), "{name}: console errors {errors:?}");
        let sizes = browser.script(CHART_SIZES);
        let sizes = sizes.as_array().unwrap();
        assert!(sizes.len() >= 4, "{name}: {sizes:?}");
        for c in sizes {
            assert!(
                c[1].as_f64().unwrap() > 100.0 && c[2].as_f64().unwrap() > 50.0,
                "{name}: chart {c} not drawn"
            );
        }
        browser.screenshot(&shots().join(format!("{name}.png")));
    }
}

#[test]
fn the_check_catches_a_page_that_fetches() {
    // The harness must be able to fail: a page with the report's policy that asks for an
    // outside image logs a console error.
    let Some(browser) = Browser::start() else {
        return;
    };
    let s = Scratch::new();
    let page = s.write(
        "bad.html",
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head>\
         <body><img src=\"https://example.invalid/x.png\"></body></html>",
    );
    browser.open(&page);
    assert!(!browser.console_errors().is_empty());
}

#[test]
fn the_payback_chart_renders_in_a_browser() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let s = Scratch::new();
    let (page, _) = crate::years::payback_page(&s);
    browser.open(&page.join("index.html"));
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors {errors:?}");
    let sizes = browser.script(CHART_SIZES);
    let chart = sizes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[0] == "cumulative-cash")
        .cloned();
    let chart = chart.expect("the cumulative cash chart is on the page");
    assert!(
        chart[1].as_f64().unwrap() > 100.0 && chart[2].as_f64().unwrap() > 50.0,
        "chart {chart} not drawn"
    );
    // The break-even marker is drawn: a circle in the chart's SVG.
    let circles = browser.script(
        "return document.querySelectorAll('figure[data-chart=\"cumulative-cash\"] svg circle').length;",
    );
    assert!(circles.as_u64().unwrap() >= 1, "{circles}");
    browser.screenshot(&shots().join("compare-payback.png"));
}
