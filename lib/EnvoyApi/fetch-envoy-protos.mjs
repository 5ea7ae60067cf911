// Brings the Envoy v3 .proto files out of the npm package @grpc/grpc-js-xds (its deps/ folder),
// patches what that copy lacks, and lists the import closure of the APIs this project uses.
// Usage: node fetch-envoy-protos.mjs <package@version> <outDir> <rootsFile>
// Writes <outDir>/deps/** and, per include root, <outDir>/<root>.txt listing the files to compile.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [pkg, outDir, rootsFile] = process.argv.slice(2);
if (!pkg || !outDir || !rootsFile) {
  console.error('usage: node fetch-envoy-protos.mjs <package@version> <outDir> <rootsFile>');
  process.exit(2);
}

const work = path.join(outDir, 'download');
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packed = execFileSync(npm, ['pack', pkg, '--silent', '--pack-destination', work], { encoding: 'utf8' })
  .trim().split('\n').pop().trim();
execFileSync('tar', ['-xzf', path.join(work, packed), '-C', work]);

const depsDir = path.join(outDir, 'deps');
fs.renameSync(path.join(work, 'package', 'deps'), depsDir);
fs.rmSync(work, { recursive: true, force: true });

// The packaged protoc-gen-validate predates StringRules.ignore_empty (field 26), which newer Envoy
// protos set in their validation annotations; protoc rejects them without it.
const validateProto = path.join(depsDir, 'protoc-gen-validate', 'validate', 'validate.proto');
let validate = fs.readFileSync(validateProto, 'utf8');
if (!/ignore_empty\s*=\s*26/.test(validate)) {
  const start = validate.indexOf('message StringRules {');
  if (start < 0) throw new Error(`${validateProto}: no StringRules message to patch`);
  const insertAt = validate.indexOf('\n', start) + 1;
  validate = validate.slice(0, insertAt) +
    '    // Added by the build: newer Envoy protos use it.\n    optional bool ignore_empty = 26;\n' +
    validate.slice(insertAt);
  fs.writeFileSync(validateProto, validate);
}

const includeRoots = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'];
function locate(rel) {
  for (const root of includeRoots) {
    if (fs.existsSync(path.join(depsDir, root, rel))) return root;
  }
  return null; // google/protobuf/* comes with protoc itself
}

const roots = fs.readFileSync(rootsFile, 'utf8').split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('#'));
const seen = new Map();
const queue = [...roots];
while (queue.length) {
  const rel = queue.pop();
  if (seen.has(rel)) continue;
  const root = locate(rel);
  if (root === null) {
    if (rel.startsWith('google/protobuf/')) continue;
    throw new Error(`import ${rel} not found under ${depsDir}`);
  }
  seen.set(rel, root);
  const text = fs.readFileSync(path.join(depsDir, root, rel), 'utf8');
  for (const m of text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)) queue.push(m[1]);
}

for (const root of includeRoots) {
  const files = [...seen].filter(([, r]) => r === root).map(([rel]) => rel).sort();
  fs.writeFileSync(path.join(outDir, `${root}.txt`), files.join('\n') + '\n');
}
console.log(`envoy protos: ${seen.size} files from ${pkg}`);
