//! "Your data": the user's own graph (CSV edge list, node labels and optional 0/1 features, or the project's JSON +
//! binary format) or images (PNGs in a ZIP or a folder, one folder per class or named `<class>_<n>.png`, or a CSV
//! of pixels with a label column). The files are checked against the limits before they are read, parsed by
//! [`bpfree::data::upload`] (PNGs are decoded by the browser), and kept in the session as the `my-graph` /
//! `my-images` datasets; the split is cut with the run's seed. A bad file is named with what is wrong, and
//! nothing the page had is touched.

use super::settings::{switch, use_change};
use super::{Session, TrainState};
use bpfree::config::{Architecture, RunConfig};
use bpfree::data::upload::{
    self, check_size, describe_graph, graph_from_csv, images_from_csv, images_from_decoded, read_zip, write_graph,
    DecodedImage, Named,
};
use bpfree::data::{parse_graph, UPLOADED_GRAPH_FILES, UPLOADED_IMAGES_FILE};
use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Most pixels the page decodes in one upload (their RGBA takes 4 bytes each while the classes are read).
const MAX_DECODED_PIXELS: u64 = 128 << 20;

/// What the panel says: a summary of what was read, or what was wrong (`Err`).
type Status = RwSignal<Option<Result<String, String>>>;

fn fmt_err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The bytes of `file`, refused by size before anything is read.
async fn read_bytes(file: &web_sys::File, limit: u64) -> Result<Vec<u8>, String> {
    let name = file.name();
    check_size(&name, file.size() as u64, limit).map_err(fmt_err)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{name}: the browser could not read it ({e:?})"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn files_of(input: &NodeRef<Input>) -> Vec<web_sys::File> {
    let Some(list) = input.get_untracked().and_then(|i| i.files()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Width and height from a PNG's header (`None`: not a PNG).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if bytes.len() < 24 || bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((be(16), be(20)))
}

/// Decodes a PNG with the browser (no image decoder in the page's wasm), after checking its header's size.
async fn decode_png(path: String, bytes: &[u8], canvas: &web_sys::HtmlCanvasElement) -> Result<DecodedImage, String> {
    let (w, h) = png_size(bytes).ok_or_else(|| format!("{path}: not a PNG file (bad signature or header)"))?;
    let side = upload::MAX_IMAGE_SIDE as u32;
    if w == 0 || h == 0 || w > side || h > side {
        return Err(format!("{path}: {w}x{h} pixels; images may be at most {side}x{side}"));
    }
    let fail = |what: &str| format!("{path}: {what}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|_| fail("cannot be read"))?;
    let options = web_sys::ImageBitmapOptions::new();
    options.set_color_space_conversion(web_sys::ColorSpaceConversion::None);
    options.set_premultiply_alpha(web_sys::PremultiplyAlpha::None);
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let promise = window
        .create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)
        .map_err(|_| fail("the browser cannot decode it"))?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| fail("damaged: the browser cannot decode it as a PNG"))?
        .dyn_into()
        .map_err(|_| fail("not an image"))?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| fail("no 2-D canvas to decode into"))?;
    ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|_| fail("cannot be drawn"))?;
    bitmap.close();
    let data = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)).map_err(|_| fail("cannot be read back"))?;
    Ok(DecodedImage { path, width: w as usize, height: h as usize, rgba: data.data().0 })
}

/// The path a PNG chosen in a folder has (`cats/001.png`), else its name.
fn relative_path(file: &web_sys::File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()
        .and_then(|p| p.as_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| file.name())
}

/// Reads the chosen image files: one CSV of pixels, or PNGs (loose, from a folder, or in ZIPs).
async fn read_images(files: Vec<web_sys::File>, status: Status) -> Result<(Vec<u8>, String), String> {
    let is = |f: &web_sys::File, ext: &str| f.name().to_ascii_lowercase().ends_with(ext);
    if let Some(csv) = files.iter().find(|f| is(f, ".csv")) {
        if files.len() > 1 {
            return Err("Choose one CSV of pixels on its own, or PNG files / ZIPs without a CSV.".into());
        }
        let bytes = read_bytes(csv, upload::MAX_UPLOAD_BYTES).await?;
        let images = images_from_csv(Named { name: &csv.name(), bytes: &bytes }).map_err(fmt_err)?;
        return Ok((images.encode(), images.describe()));
    }
    let mut pngs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut ignored = 0usize;
    for file in &files {
        if is(file, ".zip") {
            let bytes = read_bytes(file, upload::MAX_ZIP_BYTES).await?;
            for (name, entry) in read_zip(Named { name: &file.name(), bytes: &bytes }).map_err(fmt_err)? {
                if name.to_ascii_lowercase().ends_with(".png") {
                    pngs.push((format!("{}/{name}", file.name()), entry));
                } else {
                    ignored += 1;
                }
            }
        } else if is(file, ".png") {
            pngs.push((relative_path(file), read_bytes(file, upload::MAX_UPLOAD_BYTES).await?));
        } else {
            ignored += 1;
        }
        if pngs.len() > upload::MAX_IMAGES {
            return Err(format!("More than {} images; the limit is {}.", pngs.len(), upload::MAX_IMAGES));
        }
    }
    if pngs.is_empty() {
        return Err("No PNG images among the chosen files (a ZIP or folder of PNGs, or a CSV of pixels).".into());
    }
    // the decoded RGBA must fit the tab: the pixels the headers announce are counted before any is decoded
    let announced: u64 = pngs.iter().filter_map(|(_, b)| png_size(b)).map(|(w, h)| u64::from(w) * u64::from(h)).sum();
    if announced > MAX_DECODED_PIXELS {
        return Err(format!(
            "The images hold {announced} pixels; the page decodes at most {MAX_DECODED_PIXELS} (128 Mi) at once."
        ));
    }
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").ok().and_then(|c| c.dyn_into().ok()).ok_or("no canvas")?;
    let total = pngs.len();
    let mut decoded = Vec::with_capacity(total);
    for (i, (path, bytes)) in pngs.into_iter().enumerate() {
        if i % 200 == 0 {
            status.set(Some(Ok(format!("Decoding images: {i} of {total}…"))));
        }
        decoded.push(decode_png(path, &bytes, &canvas).await?);
    }
    let images = images_from_decoded(decoded).map_err(fmt_err)?;
    let note = if ignored > 0 { format!(" ({ignored} other files ignored)") } else { String::new() };
    Ok((images.encode(), format!("{}{note}", images.describe())))
}

/// Reads a graph: the project's `.json` + `.bin`, or the CSVs.
async fn read_graph(
    native: Vec<web_sys::File>,
    edges: Option<web_sys::File>,
    labels: Option<web_sys::File>,
    features: Option<web_sys::File>,
) -> Result<(Vec<u8>, Vec<u8>, String), String> {
    let limit = upload::MAX_UPLOAD_BYTES;
    if !native.is_empty() {
        let find = |ext: &str| native.iter().find(|f| f.name().to_ascii_lowercase().ends_with(ext)).cloned();
        let (Some(json), Some(bin)) = (find(".json"), find(".bin")) else {
            return Err(
                "The project's graph format is two files: choose the .json header and its .bin together.".into()
            );
        };
        let (j, b) = (read_bytes(&json, limit).await?, read_bytes(&bin, upload::MAX_ZIP_BYTES).await?);
        let graph = parse_graph(&json.name(), &j, &b).map_err(fmt_err)?;
        return Ok((j, b, describe_graph(&graph)));
    }
    let (Some(edges), Some(labels)) = (edges, labels) else {
        return Err("A graph needs an edge list and a node-label file (features are optional).".into());
    };
    let (e, l) = (read_bytes(&edges, limit).await?, read_bytes(&labels, limit).await?);
    let f = match &features {
        Some(file) => Some(read_bytes(file, limit).await?),
        None => None,
    };
    let (en, ln, fname) = (edges.name(), labels.name(), features.as_ref().map(web_sys::File::name).unwrap_or_default());
    let graph = graph_from_csv(
        "my-graph",
        Named { name: &en, bytes: &e },
        Named { name: &ln, bytes: &l },
        f.as_deref().map(|bytes| Named { name: &fname, bytes }),
    )
    .map_err(fmt_err)?;
    let (json, bin) = write_graph(&graph);
    Ok((json, bin, describe_graph(&graph)))
}

/// Keeps the upload in the session (replacing an earlier one), or sends it to the worker that trains.
pub(super) fn adopt(session: &Session, files: Vec<(String, Vec<u8>)>) {
    if let Some(link) = session.worker() {
        let files = files.into_iter().map(|(path, bytes)| super::protocol::Upload { path, bytes }).collect();
        link.post(&super::protocol::Command::Adopt { files });
        return;
    }
    let mut inner = session.inner().borrow_mut();
    for (path, bytes) in files {
        inner.files.insert(path, bytes);
    }
    inner.dataset = None; // parsed from the earlier upload
    inner.graph = None;
}

/// The panel.
#[component]
pub fn UploadPanel() -> impl IntoView {
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let config = expect_context::<RwSignal<RunConfig>>();
    let _ = expect_context::<RwSignal<TrainState>>();
    let change = use_change();
    let locked = super::use_locks();
    let status: Status = RwSignal::new(None);
    let (edges, labels, features, native, images, folder) = (
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
        NodeRef::<Input>::new(),
    );
    let use_dataset = move |id: &'static str| {
        change(Box::new(move |c| {
            let (a, arch) = (c.algorithm.clone(), c.arch);
            switch(c, &a, id, if id == "my-images" { arch } else { Architecture::Mlp })
        }))
    };
    let on_graph = move |_| {
        let (n, e, l, f) =
            (files_of(&native), files_of(&edges).pop(), files_of(&labels).pop(), files_of(&features).pop());
        status.set(Some(Ok("Reading the graph…".into())));
        leptos::task::spawn_local(async move {
            match read_graph(n, e, l, f).await {
                Ok((json, bin, summary)) => {
                    session.with_value(|s| {
                        adopt(s, vec![(UPLOADED_GRAPH_FILES[0].into(), json), (UPLOADED_GRAPH_FILES[1].into(), bin)])
                    });
                    status.set(Some(Ok(format!("Your graph: {summary}. Split 64/16/20 with the run's seed."))));
                    use_dataset("my-graph");
                }
                Err(e) => status.set(Some(Err(e))),
            }
        });
    };
    let on_images = move |input: NodeRef<Input>| {
        let chosen = files_of(&input);
        if chosen.is_empty() {
            return;
        }
        status.set(Some(Ok("Reading the images…".into())));
        leptos::task::spawn_local(async move {
            match read_images(chosen, status).await {
                Ok((bytes, summary)) => {
                    session.with_value(|s| adopt(s, vec![(UPLOADED_IMAGES_FILE.into(), bytes)]));
                    status.set(Some(Ok(format!(
                        "Your images: {summary}. Split with the run's seed: 20 % test, then validation from the rest."
                    ))));
                    use_dataset("my-images");
                }
                Err(e) => status.set(Some(Err(e))),
            }
        });
    };
    let limits = format!(
        "Limits: CSV and PNG files up to {} MiB each, ZIPs up to {} MiB ({} MiB unpacked); up to {} images of at \
         most {}x{} pixels in 2 to {} classes; graphs up to {} nodes. Your files stay in this tab (nothing is sent).",
        upload::MAX_UPLOAD_BYTES >> 20,
        upload::MAX_ZIP_BYTES >> 20,
        upload::MAX_UNPACKED_BYTES >> 20,
        upload::MAX_IMAGES,
        upload::MAX_IMAGE_SIDE,
        upload::MAX_IMAGE_SIDE,
        upload::MAX_CLASSES,
        upload::MAX_UPLOAD_NODES,
    );
    let current = move || config.with(|c| c.dataset.clone());
    // a folder picker (no Leptos attribute for it): every browser reads `webkitdirectory`
    Effect::new(move |_| {
        if let Some(input) = folder.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    view! {
        <details class="upload" id="upload-panel" class:hidden=move || locked("dataset") || locked("upload")>
            <summary>"Your data: upload a graph or images"</summary>
            <p class="hint">{limits}</p>
            <fieldset>
                <legend>"A graph (node classification)"</legend>
                <label>"Edges (CSV: source,target) " <input type="file" id="upload-edges" node_ref=edges accept=".csv,.tsv,.txt"/></label>
                <label>"Node labels (CSV: node,label) " <input type="file" id="upload-labels" node_ref=labels accept=".csv,.tsv,.txt"/></label>
                <label>"Features, optional (CSV: node,0/1,0/1,…) " <input type="file" id="upload-features" node_ref=features accept=".csv,.tsv,.txt"/></label>
                <label>"or bpfree's format (.json + .bin) " <input type="file" id="upload-graph-files" node_ref=native accept=".json,.bin" multiple/></label>
                <button id="upload-graph" on:click=on_graph>"Use this graph"</button>
            </fieldset>
            <fieldset>
                <legend>"Images (classification)"</legend>
                <label>"PNGs, ZIPs of PNGs (a folder per class, or named class_1.png), or a CSV of pixels with a label column "
                    <input type="file" id="upload-images" node_ref=images accept=".png,.zip,.csv" multiple on:change=move |_| on_images(images)/></label>
                <label>"or a folder with a subfolder per class "
                    <input type="file" id="upload-folder" node_ref=folder multiple on:change=move |_| on_images(folder)/></label>
            </fieldset>
            {move || status.get().map(|s| match s {
                Ok(text) => view! { <p id="upload-status" role="status" class="ok">{text}</p> }.into_any(),
                Err(text) => {
                    let stop = if text.ends_with('.') { "" } else { "." };
                    view! { <p id="upload-status" role="alert" class="bad">"✗ " {text} {stop} " Nothing else changed."</p> }.into_any()
                }
            })}
            <p class="hint" class:hidden=move || !current().starts_with("my-")>"A link to this run names your data but cannot carry it: whoever opens it uploads the same files."</p>
        </details>
    }
}
