//! The presets gallery (issue #29): at least twelve demos, every one a link the page reads without a note and a
//! configuration that validates; every family on each kind of data it trains; "versus" demos and known failures.
//! The E2E run opens each one in the page and trains an epoch (`tests/e2e_cases/gallery.rs`).

use bpfree::algorithms::{algorithm_info, counterpart_algorithm, Family};
use bpfree::data::{dataset_info, DatasetKind};
use bpfree::share::gallery::DEMOS;
use std::collections::HashSet;

#[test]
fn every_demo_is_a_clean_link_to_a_valid_run() {
    assert!(DEMOS.len() >= 12, "{} demos", DEMOS.len());
    let ids: HashSet<&str> = DEMOS.iter().map(|d| d.id).collect();
    assert_eq!(ids.len(), DEMOS.len(), "demo ids are unique");
    for d in DEMOS {
        let read = bpfree::share::read(d.query).unwrap_or_else(|e| panic!("{}: {e}", d.id));
        assert!(read.notes.is_empty(), "{}: {:?}", d.id, read.notes);
        read.config.validate().unwrap_or_else(|e| panic!("{}: {e}", d.id));
        assert!(d.query.contains("autostart=1"), "{}: a demo trains on open", d.id);
        assert!(d.text.len() > 80 && d.title.len() < 60, "{}: a title and a paragraph", d.id);
    }
}

#[test]
fn the_gallery_covers_every_family_on_each_kind_of_data() {
    let mut seen = HashSet::new();
    let mut versus = 0;
    for d in DEMOS {
        let cfg = bpfree::share::read(d.query).unwrap().config;
        let kind = dataset_info(&cfg.dataset).unwrap().kind;
        let family = algorithm_info(&cfg.algorithm).unwrap().family;
        seen.insert((format!("{family:?}"), format!("{kind:?}")));
        if d.compares() {
            versus += 1;
            let other = counterpart_algorithm(&cfg);
            seen.insert((format!("{:?}", other.family), format!("{kind:?}")));
            assert!(family == Family::Backprop || other.family == Family::Backprop, "{}: versus backprop", d.id);
        }
    }
    for (family, kinds) in [
        (Family::Backprop, &[DatasetKind::Plane, DatasetKind::Image, DatasetKind::Graph][..]),
        (Family::CounterCurrent, &[DatasetKind::Plane, DatasetKind::Image]),
        (Family::FeedbackAlignment, &[DatasetKind::Plane]),
        (Family::NoProp, &[DatasetKind::Image]),
        (Family::ForwardGnn, &[DatasetKind::Graph]),
    ] {
        for kind in kinds {
            assert!(seen.contains(&(format!("{family:?}"), format!("{kind:?}"))), "no demo of {family:?} on {kind:?}");
        }
    }
    assert!(versus >= 4, "{versus} versus demos");
    assert!(DEMOS.iter().filter(|d| d.id.starts_with("failure-")).count() >= 2, "known failures");
}
