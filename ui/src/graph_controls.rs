//! The graph settings: task, layer kind, depth, split and the epoch cap per stage (ForwardGNN, issue #4).

use super::settings::{set_task, use_change};
use bpfree::config::RunConfig;
use bpfree::data::{dataset_info, DatasetKind};
use bpfree::nn::GnnKind;
use leptos::prelude::*;

/// The graph settings, shown when the dataset is a graph.
#[component]
pub fn GraphControls() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let locked = super::use_locks();
    let change = use_change();
    let graph =
        move || config.with(|c| dataset_info(&c.dataset).map(|d| d.kind == DatasetKind::Graph).unwrap_or(false));
    view! {
        <Show when=graph>
            <label>"Task"
                <select id="task-select" prop:disabled=move || locked("task") on:change=move |ev| {
                    let link = event_target_value(&ev) == "link";
                    change(Box::new(move |c| set_task(c, link)))
                }>
                    <option value="node" selected=move || config.with(|c| !c.graph.link)>"Node classification"</option>
                    <option value="link" selected=move || config.with(|c| c.graph.link)>"Link prediction (ROC-AUC)"</option>
                </select>
            </label>
            <label>"Graph layer"
                <select id="gnn-select" prop:disabled=move || locked("model") on:change=move |ev| {
                    let m = GnnKind::parse(&event_target_value(&ev)).unwrap_or_default();
                    change(Box::new(move |c| c.graph.model = m))
                }>
                    {[(GnnKind::Gcn, "GCN"), (GnnKind::Sage, "GraphSAGE (mean)"), (GnnKind::Gat, "GAT (4 heads)")]
                        .into_iter()
                        .map(|(m, label)| view! { <option value=m.name() selected=move || config.with(|c| c.graph.model == m)>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"GNN layers"
                <select id="layers-select" prop:disabled=move || locked("layers") on:change=move |ev| {
                    let l = event_target_value(&ev).parse().unwrap_or(2);
                    change(Box::new(move |c| c.graph.layers = l))
                }>
                    {(1..=4usize).map(|l| view! { <option value=l.to_string() selected=move || config.with(|c| c.graph.layers == l)>{l.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Split"
                <select id="fold-select" prop:disabled=move || locked("fold") on:change=move |ev| {
                    let f = event_target_value(&ev).parse().unwrap_or(0);
                    change(Box::new(move |c| c.graph.fold = f))
                }>
                    {(0..5usize).map(|f| view! { <option value=f.to_string() selected=move || config.with(|c| c.graph.fold == f)>{format!("fold {f}")}</option> }).collect_view()}
                </select>
            </label>
            <label>"Max epochs per stage"
                <select id="epochs-select" prop:disabled=move || locked("epochs") on:change=move |ev| {
                    let e = event_target_value(&ev).parse().unwrap_or(1000);
                    change(Box::new(move |c| c.epochs = e))
                }>
                    {[50usize, 200, 1000].into_iter().map(|e| view! { <option value=e.to_string() selected=move || config.with(|c| c.epochs == e)>{e.to_string()}</option> }).collect_view()}
                </select>
            </label>
        </Show>
    }
}
