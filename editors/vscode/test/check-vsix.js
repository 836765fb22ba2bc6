#!/usr/bin/env node
// Checks a packaged extension: a .vsix is a zip; its entries must include the
// manifest, the compiled client, the grammar and the language configuration,
// and the manifest inside must be this package.json's.
//
// Usage: node test/check-vsix.js build/gate-X.vsix

'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

function entries(zip) {
  // End of central directory: signature 0x06054b50, within the last 64 KiB.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    out.set(name, { method, compressed, local });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

function read(zip, entry) {
  const { method, compressed, local } = entry;
  if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, start + compressed);
  if (method === 0) return data;
  if (method === 8) return zlib.inflateRawSync(data);
  throw new Error(`unsupported compression method ${method}`);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node test/check-vsix.js FILE.vsix');
  process.exit(2);
}
const zip = fs.readFileSync(file);
const list = entries(zip);
const failures = [];
const required = [
  'extension.vsixmanifest',
  '[Content_Types].xml',
  'extension/package.json',
  'extension/out/extension.js',
  'extension/syntaxes/gate.tmLanguage.json',
  'extension/language-configuration.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/node_modules/vscode-languageclient/package.json',
];
// vsce writes readme.md and changelog.md in lower case.
const lower = new Set([...list.keys()].map((n) => n.toLowerCase()));
for (const name of required) {
  if (!list.has(name) && !lower.has(name.toLowerCase())) failures.push(`missing ${name}`);
}
for (const name of list.keys()) {
  if (/^extension\/(src|test)\//.test(name) || name.endsWith('.ts') || name.endsWith('.vsix')) {
    failures.push(`should not be packaged: ${name}`);
  }
}
if (list.has('extension/package.json')) {
  const manifest = JSON.parse(read(zip, list.get('extension/package.json')).toString('utf8'));
  const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  for (const key of ['name', 'publisher', 'version', 'main']) {
    if (manifest[key] !== own[key]) failures.push(`package.json ${key} is ${manifest[key]}, not ${own[key]}`);
  }
  if (path.basename(file) !== `${own.name}-${own.version}.vsix`) {
    failures.push(`the file is ${path.basename(file)}, not ${own.name}-${own.version}.vsix`);
  }
}
if (list.has('extension/syntaxes/gate.tmLanguage.json')) {
  const grammar = JSON.parse(read(zip, list.get('extension/syntaxes/gate.tmLanguage.json')).toString('utf8'));
  if (grammar.scopeName !== 'source.gate') failures.push(`grammar scopeName is ${grammar.scopeName}`);
}
if (list.has('extension/out/extension.js')) {
  const js = read(zip, list.get('extension/out/extension.js')).toString('utf8');
  if (!/exports\.activate\b/.test(js)) failures.push('out/extension.js does not export activate');
}
// Every run-time dependency, and theirs, resolves inside the package as
// Node would resolve it (a node_modules folder here or in a parent).
function resolvePackage(from, dep) {
  for (let dir = from; ; dir = path.posix.dirname(dir)) {
    const candidate = `${dir}/node_modules/${dep}`;
    if (list.has(`${candidate}/package.json`)) return candidate;
    if (dir === 'extension') return undefined;
  }
}
if (list.has('extension/package.json')) {
  const seen = new Set();
  const pending = [['extension', 'extension/package.json']];
  while (pending.length > 0) {
    const [dir, manifestName] = pending.pop();
    const manifest = JSON.parse(read(zip, list.get(manifestName)).toString('utf8'));
    for (const dep of Object.keys(manifest.dependencies || {})) {
      const found = resolvePackage(dir, dep);
      if (found === undefined) {
        failures.push(`${dep} (needed by ${manifest.name}) is not in the package`);
      } else if (!seen.has(found)) {
        seen.add(found);
        pending.push([found, `${found}/package.json`]);
      }
    }
  }
  console.log(`run-time packages in the .vsix: ${seen.size}`);
}
for (const f of failures) console.error(`  ${f}`);
console.log(`${file}: ${list.size} entries, ${failures.length} problems`);
process.exit(failures.length === 0 ? 0 : 1);
