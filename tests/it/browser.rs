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

impl Browser {
    /// A Chrome DevTools command through ChromeDriver (print media, device metrics).
    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.session_post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
    }

    /// The page laid out for print in a column of `width` CSS pixels (the paper's width less
    /// its margins); `None` undoes it.
    fn print_layout(&self, width: Option<(u32, u32)>) {
        let media = if width.is_some() { "print" } else { "" };
        self.cdp("Emulation.setEmulatedMedia", json!({ "media": media }));
        match width {
            Some((w, h)) => self.cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": w, "height": h, "deviceScaleFactor": 1, "mobile": false }),
            ),
            None => self.cdp("Emulation.clearDeviceMetricsOverride", json!({})),
        };
    }

    /// The page printed to PDF on paper of `width` x `height` cm with 1.4 cm margins.
    fn print_pdf(&self, width: f64, height: f64) -> Vec<u8> {
        let pdf = self.session_post(
            "/print",
            json!({ "page": { "width": width, "height": height },
                    "margin": { "top": 1.4, "bottom": 1.4, "left": 1.4, "right": 1.4 },
                    "background": true }),
        );
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(pdf.as_str().expect("base64 PDF"))
            .unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        bytes
    }

    /// A PNG of the viewport only.
    fn viewport_shot(&self, to: &Path) {
        let png = self.get("/screenshot");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(to, bytes).unwrap();
    }
}

/// Pages of a PDF: its page objects (`/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

/// Elements wider than the column or reaching past its right edge, as "tag#id.class: right".
const OVERFLOWS: &str = "const w = document.documentElement.clientWidth;
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.right > w + 1) out.push(e.tagName + '#' + e.id + '.' + e.className + ': ' + r.right);
    }
    if (document.documentElement.scrollWidth > w + 1) out.push('document: ' + document.documentElement.scrollWidth);
    return out;";

/// The parts of the proposal the first page must show, by element id.
const FIRST_PAGE_IDS: [&str; 9] = [
    "recommendation",
    "total",
    "run-rate",
    "saving",
    "unit-costs",
    "venue-comparison",
    "chart-venue-comparison",
    "recurring",
    "assumptions",
];

/// An 8 x 8 PNG in the accent colour, as a logo.
const LOGO_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGOoko/BihiGlgQA9qE9QbLGf9UAAAAASUVORK5CYII=";

#[test]
fn the_proposal_shows_its_summary_and_prints_on_a4_and_letter() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let s = Scratch::new();
    let logo = s.path().join("logo.png");
    let png = base64::engine::general_purpose::STANDARD
        .decode(LOGO_PNG)
        .unwrap();
    std::fs::write(&logo, png).unwrap();
    let out = s.path().join("report");
    let (code, stdout, err) = hybridplan(&[
        "run",
        "scenarios/example-hybrid.toml",
        "--report",
        "html",
        "--company",
        "Acme Cloud Advisers",
        "--logo",
        logo.to_str().unwrap(),
        "--accent",
        "#7a1f5c",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    let page = out.join("index.html");
    browser.open(&page);
    assert!(browser.console_errors().is_empty());
    for id in FIRST_PAGE_IDS {
        let found = browser.script(&format!("return document.getElementById('{id}') !== null;"));
        assert_eq!(found, json!(true), "no element #{id}");
    }
    // The branding reached the page: the logo is drawn, the company named.
    let logo_w = browser.script("return document.querySelector('header img.logo').naturalWidth;");
    assert_eq!(logo_w, json!(8));
    let header = browser.script("return document.querySelector('header').textContent;");
    assert!(header.as_str().unwrap().contains("Acme Cloud Advisers"));
    // The first page on screen: as tall as A4 is for its width (1280 x 1.414 = 1810 px).
    browser.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 1810, "deviceScaleFactor": 1, "mobile": false }),
    );
    browser.viewport_shot(&shots().join("example-hybrid-first-page.png"));
    // Laid out for paper: A4 leaves 210 - 2 x 14 mm = 182 mm = 688 px (96 px per 25.4 mm) by
    // 297 - 28 = 269 mm = 1017 px; Letter 8.5 in - 28 mm = 710 px by 11 in - 28 mm = 950 px.
    for (paper, w, h) in [("A4", 688, 1017), ("Letter", 710, 950)] {
        browser.print_layout(Some((w, h)));
        let over = browser.script(OVERFLOWS);
        assert_eq!(over, json!([]), "{paper}: overflows the page");
        if paper == "A4" {
            browser.viewport_shot(&shots().join("example-hybrid-print-page-1.png"));
        }
    }
    browser.print_layout(None);
    for (paper, w, h) in [("A4", 21.0, 29.7), ("Letter", 21.59, 27.94)] {
        let pdf = browser.print_pdf(w, h);
        let pages = pdf_pages(&pdf);
        // The proposal's pages end with a page break, then the detail, the assumptions and the
        // scenario file follow: measured 9 pages on A4 and 10 on Letter (shorter paper); the
        // range allows for the fonts a machine has.
        assert!((6..=13).contains(&pages), "{paper}: {pages} pages");
        std::fs::write(shots().join(format!("example-hybrid-{paper}.pdf")), pdf).unwrap();
    }
    // The same with the command line's print, as a user would make a PDF.
    let pdf = s.path().join("cli.pdf");
    let status = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("chromium");
    assert!(status.success());
    let pages = pdf_pages(&std::fs::read(&pdf).unwrap());
    assert!(
        (6..=13).contains(&pages),
        "chromium --print-to-pdf: {pages} pages"
    );
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
