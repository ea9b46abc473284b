//! The image settings (model, training-set size, epoch budget, model selection, the algorithm's preset buttons)
//! and NoProp's (label embedding, block width, sampler steps).

use super::settings::{algorithm_for, switch, use_change};
use super::TrainState;
use bpfree::algorithms::algorithm_info;
use bpfree::algorithms::noprop::{embedding_name, parse_embedding};
use bpfree::config::{Architecture, EmbeddingKind, RunConfig, Selection};
use leptos::prelude::*;

/// NoProp's block widths offered (1 = the paper's blocks).
const WIDTHS: &[(f32, &str)] = &[(0.25, "light (×0.25)"), (0.5, "half (×0.5)"), (1.0, "paper (×1)")];
/// Sampler steps offered for NoProp-CT/FM (1000 in the paper).
const SAMPLER_STEPS: &[usize] = &[20, 100, 1000];
/// Epoch budgets offered for image runs (the current one is added when it is not among them).
const EPOCHS: &[usize] = &[1, 2, 5, 10, 20, 50, 100, 150, 500];
/// Training-set sizes offered for image datasets (0 = all).
const LIMITS: &[(usize, &str)] = &[(0, "all"), (10_000, "10,000"), (2_000, "2,000"), (256, "256")];

/// The settings of image runs, shown when the dataset is made of images.
#[component]
pub fn ImageControls() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let locked = super::use_locks();
    let state = expect_context::<RwSignal<TrainState>>();
    let change = use_change();
    view! {
        <Show when=move || state.with(|s| s.image)>
            <label>"Model"
                <select id="model-select" prop:disabled=move || locked("model") on:change=move |ev| {
                    let m = Architecture::parse(&event_target_value(&ev)).unwrap_or_default();
                    change(Box::new(move |c| {
                        // NoProp's blocks train with NoProp (or backprop): picking them picks NoProp-DT,
                        // and NoProp trains only its own blocks
                        let (a, d) = (algorithm_for(&c.algorithm, m), c.dataset.clone());
                        switch(c, a, &d, m)
                    }))
                }>
                    {[(Architecture::Mlp, "MLP"), (Architecture::Cnn, "CNN (cnn_pool, CIFAR-10)"), (Architecture::Autoencoder, "Conv. autoencoder"), (Architecture::NoProp, "NoProp blocks")]
                        .into_iter()
                        // cnn_pool takes 32x32 colour images: offered on CIFAR-10 only
                        .map(|(m, label)| view! { <option value=m.name() disabled=move || m == Architecture::Cnn && config.with(|c| !c.dataset.starts_with("cifar")) selected=move || config.with(|c| c.arch == m)>{label}</option> })
                        .collect_view()}
                </select>
            </label>
        </Show>
        <NoPropControls/>
        <Show when=move || state.with(|s| s.image)>
            <label>"Training images"
                <select id="limit-select" prop:disabled=move || locked("limit") on:change=move |ev| {
                    let n = event_target_value(&ev).parse().unwrap_or(0);
                    change(Box::new(move |c| c.train_limit = n))
                }>
                    {LIMITS.iter().map(|&(n, label)| view! { <option value=n.to_string() selected=move || config.with(|c| c.train_limit == n)>{label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Epochs"
                <select id="image-epochs-select" prop:disabled=move || locked("epochs") on:change=move |ev| {
                    let e = event_target_value(&ev).parse().unwrap_or(1);
                    change(Box::new(move |c| c.epochs = e))
                }>
                    {move || {
                        let current = config.with(|c| c.epochs);
                        let mut offered = EPOCHS.to_vec();
                        if !offered.contains(&current) {
                            offered.push(current);
                            offered.sort_unstable();
                        }
                        offered.into_iter().map(|e| view! { <option value=e.to_string() selected=move || config.with(|c| c.epochs == e)>{e.to_string()}</option> }).collect_view()
                    }}
                </select>
            </label>
            // Which epoch the run reports. It does not change the training, so it does not reset the run:
            // flipping it after training shows the other rule's pick.
            <label class:hidden=move || config.with(|c| !c.validation || c.arch == Architecture::Autoencoder)
                title="Which epoch's test accuracy is the run's result: CCL's code picks the lowest validation loss, the CCL paper picked its backprop baselines by validation accuracy">"Model selection"
                <select id="selection-select" prop:disabled=move || locked("select") on:change=move |ev| {
                    let rule = Selection::parse(&event_target_value(&ev)).unwrap_or_default();
                    config.update(|c| c.selection = rule);
                }>
                    {[(Selection::ValLoss, "lowest validation loss"), (Selection::ValAccuracy, "highest validation accuracy")]
                        .into_iter()
                        .map(|(r, label)| view! { <option value=r.name() selected=move || config.with(|c| c.selection == r)>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            {move || config.with(|c| algorithm_info(&c.algorithm).map(|a| a.presets).unwrap_or_default())
                .iter()
                .filter(|p| !p.on_choose)
                .map(|p| view! {
                    <button id=format!("{}-button", p.id) title=p.description
                        class:hidden=move || config.with(|c| !(p.applies)(c))
                        on:click=move |_| change(Box::new(p.apply))>{p.label}</button>
                })
                .collect_view()}
        </Show>
    }
}

/// NoProp's settings, shown with NoProp's blocks.
#[component]
pub fn NoPropControls() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let locked = super::use_locks();
    let change = use_change();
    view! {
        <Show when=move || config.with(|c| c.arch == Architecture::NoProp)>
            <label>"Label embedding"
                <select id="embedding-select" prop:disabled=move || locked("embedding") on:change=move |ev| {
                    let e = parse_embedding(&event_target_value(&ev)).unwrap_or_default();
                    change(Box::new(move |c| c.noprop.embedding = e))
                }>
                    {[(EmbeddingKind::OneHot, "one-hot (fixed)"), (EmbeddingKind::Learned, "learned, 20-d"), (EmbeddingKind::Prototype, "prototype images")]
                        .into_iter()
                        .map(|(e, label)| view! { <option value=embedding_name(e) selected=move || config.with(|c| c.noprop.embedding == e)>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"Block width"
                <select id="width-select" prop:disabled=move || locked("width") on:change=move |ev| {
                    let w = event_target_value(&ev).parse().unwrap_or(0.25);
                    change(Box::new(move |c| c.noprop.width = w))
                }>
                    {WIDTHS.iter().map(|&(w, label)| view! { <option value=w.to_string() selected=move || config.with(|c| c.noprop.width == w)>{label}</option> }).collect_view()}
                </select>
            </label>
            <label class:hidden=move || config.with(|c| !algorithm_info(&c.algorithm).is_ok_and(|a| a.sampler))>"Sampler steps"
                <select id="sampler-select" on:change=move |ev| {
                    let n = event_target_value(&ev).parse().unwrap_or(100);
                    change(Box::new(move |c| c.noprop.inference_steps = n))
                }>
                    {SAMPLER_STEPS.iter().map(|&n| view! { <option value=n.to_string() selected=move || config.with(|c| c.noprop.inference_steps == n)>{n.to_string()}</option> }).collect_view()}
                </select>
            </label>
        </Show>
    }
}
