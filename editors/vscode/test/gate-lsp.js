#!/usr/bin/env node
// The extension's client against the real language server: out/extension.js
// with the real vscode-languageclient, in the stand-in for the `vscode`
// module (vscode-standin.js), starts `gate lsp` (the executable given as the
// first argument, or $GATE_BIN) on a workspace with a gate, a module it
// imports and a test file. Through what the client registers — its
// diagnostic collection, its providers, its commands — as VS Code would call
// them, the test checks diagnostics (with the link of their code), an edit
// that fixes them, hover, go to definition, find references, semantic
// tokens, formatting, and the code lens that runs the gate's tests.
//
//   node test/gate-lsp.js path/to/gate

'use strict';

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');

const gate = process.argv[2] ?? process.env.GATE_BIN;
if (!gate || !fs.existsSync(gate)) {
  console.error(`usage: node test/gate-lsp.js GATE (the gate executable; got ${JSON.stringify(gate)})`);
  process.exit(2);
}

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gate-vscode-lsp-')));
const TYPES = 'module types\n\nrecord Secret {\n  name: string\n  vaulted: bool\n}\n';
const GATE = [
  'gate demo {',
  '  title "Demo"',
  '}',
  '',
  'import "lib/types.gate" as t',
  '',
  'evidence {',
  '  secrets: [t.Secret]',
  '}',
  '',
  'def named(s: t.Secret) -> bool = s.name != ""',
  '',
  'rule S01 "Secrets are vaulted" {',
  '  severity block',
  '  controls "OWASP-NHI:NHI2"',
  '  require not secrets.is_empty() else "no secrets"',
  '  require secrets.all(vaulted and named(it)) else "secret {name} is not vaulted"',
  '}',
  '',
].join('\n');
const TESTS = [
  'tests:',
  '  - name: vaulted passes',
  '    input: {secrets: [{name: db, vaulted: true}]}',
  '    expect: {decision: pass}',
  '  - name: wrongly expected',
  '    input: {secrets: [{name: db, vaulted: false}]}',
  '    expect: {decision: pass}',
  '',
].join('\n');
fs.mkdirSync(path.join(tmp, 'lib'));
fs.writeFileSync(path.join(tmp, 'lib', 'types.gate'), TYPES);
fs.writeFileSync(path.join(tmp, 'demo.gate'), GATE);
fs.writeFileSync(path.join(tmp, 'demo.test.yaml'), TESTS);

const host = require('./vscode-standin').install({ 'gate.path': gate, 'gate.trace.server': 'off' });
const { Position, run } = require('./vscode-standin');

/** The line and column of the first `needle` in `text`. */
function find(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in the text`);
  const before = text.slice(0, at).split('\n');
  return new Position(before.length - 1, before[before.length - 1].length);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, check) {
  for (let i = 0; i < 400; i++) {
    const value = check();
    if (value) return value;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}; errors: ${JSON.stringify(host.errors)}`);
}

async function main() {
  const broken = GATE.replace('s.name', 's.nme');
  const doc = host.preopen(path.join(tmp, 'demo.gate'), broken);
  const uri = doc.uri.toString();
  const extension = require(path.join(__dirname, '..', 'out', 'extension.js'));
  await extension.activate({ subscriptions: [] });

  // Diagnostics of the document open when the client started: the error,
  // its code, and the code's link to a page that exists.
  const first = await until('diagnostics of demo.gate', () => host.diagnostics.get(uri)?.length > 0 && host.diagnostics.get(uri));
  assert.strictEqual(first.length, 1, JSON.stringify(first));
  const [d] = first;
  assert.strictEqual(d.severity, host.vscode.DiagnosticSeverity.Error);
  assert.match(d.message, /nme.*did you mean/s);
  assert.match(d.code.value, /^E\d{4}$/);
  assert.ok(fs.existsSync(d.code.target.fsPath), `the page of ${d.code.value}: ${d.code.target}`);
  assert.deepStrictEqual([d.range.start.line, d.range.start.character], [find(broken, 'nme').line, find(broken, 'nme').character]);

  // An edit that fixes it clears them.
  host.change(doc, GATE);
  await until('the diagnostics to clear', () => host.diagnostics.get(uri)?.length === 0);

  const token = host.token;
  // Hover on a field: its declaration in the module.
  const hover = await host.provider('Hover').provider.provideHover(doc, find(GATE, 'vaulted and'), token);
  assert.match(hover.contents.map((c) => c.value).join('\n'), /Secret\.vaulted: bool/);

  // Go to definition of a def: its name where it is declared.
  const definition = await host.provider('Definition').provider.provideDefinition(doc, find(GATE, 'named(it)'), token);
  const target = Array.isArray(definition) ? definition[0] : definition;
  assert.strictEqual(target.uri.toString(), uri);
  assert.deepStrictEqual(target.range.start, find(GATE, 'named(s'));

  // Find references of a field: its use here and its declaration in the module.
  const references = await host
    .provider('Reference')
    .provider.provideReferences(doc, find(GATE, 'vaulted and'), { includeDeclaration: true }, token);
  const places = references.map((l) => `${path.relative(tmp, l.uri.fsPath)}:${l.range.start.line}`).sort();
  assert.deepStrictEqual(places, [`demo.gate:${find(GATE, 'vaulted and').line}`, `lib/types.gate:${find(TYPES, 'vaulted').line}`]);

  // Semantic tokens, in the legend the server announced.
  const semantic = host.provider('DocumentSemanticTokens');
  const legend = semantic.rest[0];
  assert.ok(legend.tokenTypes.includes('property') && legend.tokenTypes.includes('label'), JSON.stringify(legend));
  const tokens = await semantic.provider.provideDocumentSemanticTokens(doc, token);
  assert.ok(tokens.data instanceof Uint32Array && tokens.data.length > 0 && tokens.data.length % 5 === 0);
  // The first token is the `gate` keyword at 0:0.
  assert.deepStrictEqual([...tokens.data.slice(0, 3)], [0, 0, 4]);
  assert.strictEqual(legend.tokenTypes[tokens.data[3]], 'keyword');

  // Formatting: `gate fmt`'s layout, as edits.
  const messy = GATE.replace('  severity block', 'severity   block');
  host.change(doc, messy);
  const edits = await host
    .provider('DocumentFormattingEdit')
    .provider.provideDocumentFormattingEdits(doc, { tabSize: 2, insertSpaces: true }, token);
  assert.ok(edits.length > 0 && edits.some((e) => e.newText.includes('  severity block')), JSON.stringify(edits));
  host.change(doc, GATE);

  // The code lens above the header runs the tests beside the gate, through
  // the command the client registered for the server.
  const lenses = await host.provider('CodeLens').provider.provideCodeLenses(doc, token);
  assert.strictEqual(lenses.length, 1, JSON.stringify(lenses));
  const [lens] = lenses;
  assert.strictEqual(lens.command.title, '▶ Run 2 tests (demo.test.yaml)');
  assert.ok(host.commands.has(lens.command.command), `command ${lens.command.command} registered`);
  const ran = await host.vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
  assert.deepStrictEqual([ran.passed, ran.failed], [1, 1], JSON.stringify(ran));
  await until('the run to be shown', () => host.messages.find((m) => /1 passed, 1 failed/.test(m)));

  assert.deepStrictEqual(host.errors, []);
  await extension.deactivate();
  console.log(
    'client against gate lsp: diagnostics (with their code link) and an edit that clears them, hover, definition, references, semantic tokens, formatting, a code lens that ran 2 tests',
  );
}

run(main, tmp);
