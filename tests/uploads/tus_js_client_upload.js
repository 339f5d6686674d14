// Uploads a file to openem with the official tus-js-client (Node), the way a browser or a
// third-party tool would: first an upload that is aborted after its first chunk, then a
// second Upload object that resumes it from its URL (HEAD, then PATCH from the offset) with
// tus-js-client's default chunk size (Infinity): the whole rest in one PATCH.
// Usage: node tus_js_client_upload.js <module dir> <endpoint> <token> <pid> <path> <file>
const [moduleDir, endpoint, token, pid, path, file] = process.argv.slice(2);
const tus = require(require.resolve('tus-js-client', { paths: [moduleDir] }));
const fs = require('fs');

const data = fs.readFileSync(file);
const common = {
  endpoint,
  chunkSize: 1024 * 1024,
  retryDelays: null,
  headers: { Authorization: 'Bearer ' + token },
  metadata: { datasetId: pid, path, filename: path.split('/').pop() },
};

function fail(what, err) {
  console.error('FAIL ' + what + ': ' + err);
  process.exit(1);
}

let chunks = 0;
const first = new tus.Upload(data, {
  ...common,
  onChunkComplete(chunkSize, accepted, total) {
    chunks += 1;
    if (chunks === 1) {
      first.abort().then(() => resume(first.url, accepted));
    }
  },
  onSuccess() { fail('first upload', 'finished although it was aborted'); },
  onError(err) { fail('first upload', err); },
});
first.start();

function resume(url, acceptedBefore) {
  console.log('aborted at ' + acceptedBefore + ' of ' + data.length + ' bytes, url ' + url);
  let resumedFrom = null;
  let chunksAfterResume = 0;
  const second = new tus.Upload(data, {
    ...common,
    chunkSize: Infinity,
    uploadUrl: url,
    onProgress(sent) { if (resumedFrom === null) resumedFrom = sent; },
    onChunkComplete() { chunksAfterResume += 1; },
    onSuccess() {
      console.log('resumed upload finished; first progress ' + resumedFrom);
      console.log(JSON.stringify({ url: second.url, acceptedBefore, resumedFrom, chunksAfterResume }));
    },
    onError(err) { fail('resumed upload', err); },
  });
  second.start();
}
