// The worker that trains for the page (ui/src/worker_host.rs). It runs the page's own WebAssembly module, so the
// browser downloads and compiles nothing twice: the page's first message names the module's two files, and every
// later message is a command for the module's `bpfreeWorker` handler. Commands that arrive while the module
// loads wait in order.
let handle = null;
const waiting = [];
self.onmessage = async (event) => {
  if (handle) {
    handle(event.data);
    return;
  }
  waiting.push(event.data);
  if (waiting.length > 1) return;
  const { glue, wasm } = waiting[0];
  try {
    const module = await import(glue);
    await module.default({ module_or_path: wasm });
    handle = module.bpfreeWorker();
    for (const message of waiting.slice(1)) handle(message);
    waiting.length = 0;
  } catch (error) {
    self.postMessage({ Failed: String(error && error.message ? error.message : error) });
  }
};
