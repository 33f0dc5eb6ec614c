//! The worked examples' READMEs quote figures between `<!-- fig SCENARIO PATH -->` markers
//! (src/regress/figures.rs); each is checked against a fresh run of its scenario, so a change
//! that moves a figure fails here until the README says the new one.

use crate::common;

use common::{Scratch, hybridplan, root};
use hybridplan::regress::figures;
use std::collections::BTreeMap;

#[test]
fn every_figure_quoted_in_a_worked_readme_is_what_the_run_gives() {
    let worked = root().join("scenarios/worked");
    let mut readmes: Vec<_> = std::fs::read_dir(&worked)
        .unwrap()
        .map(|e| e.unwrap().path().join("README.md"))
        .filter(|p| p.exists())
        .collect();
    readmes.sort();
    let mut stale = Vec::new();
    let mut checked = 0;
    for readme in readmes {
        let text = std::fs::read_to_string(&readme).unwrap();
        let markers = figures::markers(&text).unwrap_or_else(|(line, e)| {
            panic!("{}:{line}: {e}", readme.display());
        });
        let mut runs: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        for m in &markers {
            if !runs.contains_key(&m.scenario) {
                let s = Scratch::new();
                let scenario = readme.parent().unwrap().join(&m.scenario);
                let out = s.path().to_str().unwrap();
                let (code, o, e) =
                    hybridplan(&["run", scenario.to_str().unwrap(), "-q", "--out", out]);
                assert_eq!(code, 0, "{}: {o}{e}", scenario.display());
                let json = std::fs::read_to_string(s.path().join("summary.json")).unwrap();
                runs.insert(m.scenario.clone(), serde_json::from_str(&json).unwrap());
            }
            if let Some(why) = figures::stale(m, &runs[&m.scenario]) {
                stale.push(format!("{}: {why}", readme.display()));
            }
            checked += 1;
        }
    }
    assert!(stale.is_empty(), "stale figures:\n{}", stale.join("\n"));
    // The markers are in place (msp-backup, hci-vs-public, deadline-batch, vmware-exit).
    assert!(checked >= 12, "{checked} figures checked");
}
