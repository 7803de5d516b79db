// Starts the app. A file of its own (not inline) so the Content-Security-Policy can say
// script-src 'self'; the build writes the content-hashed names of the glue and the wasm here.
import init from '/pkg/ovop.js';

init({ module_or_path: '/pkg/ovop_bg.wasm' });
