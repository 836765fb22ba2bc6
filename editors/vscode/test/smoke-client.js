#!/usr/bin/env node
// A smoke test of the client without VS Code: out/extension.js is loaded with
// a stand-in for the `vscode` module (vscode-standin.js), and `gate.path` points at a stub
// language server (a node script). The test checks that the client starts
// `<gate.path> lsp` and speaks LSP with it over stdio, that the restart
// command and a change of `gate.path` start a new server and shut the old one
// down, that a missing executable is reported with the setting to change,
// and that deactivating shuts the server down.

'use strict';

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-vscode-smoke-'));
const log = path.join(tmp, 'server.log');

// ------------------------------------------------------------ the stub server
const server = path.join(tmp, process.platform === 'win32' ? 'gate.cmd' : 'gate');
const serverJs = path.join(tmp, 'stub-server.js');
fs.writeFileSync(
  serverJs,
  `
const fs = require('fs');
const log = (line) => fs.appendFileSync(${JSON.stringify(log)}, process.pid + ' ' + line + '\\n');
log('argv ' + JSON.stringify(process.argv.slice(2)));
let buffer = Buffer.alloc(0);
const send = (message) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
  process.stdout.write('Content-Length: ' + body.length + '\\r\\n\\r\\n');
  process.stdout.write(body);
};
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const length = Number(/Content-Length: *(\\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
    if (buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString('utf8'));
    buffer = buffer.subarray(end + 4 + length);
    log(message.method ?? 'response');
    if (message.method === 'initialize') {
      send({ id: message.id, result: { capabilities: { textDocumentSync: 1 }, serverInfo: { name: 'stub' } } });
    } else if (message.method === 'shutdown') {
      send({ id: message.id, result: null });
    } else if (message.method === 'exit') {
      process.exit(0);
    }
  }
});
// The client went away: nothing will ever ask this server to exit.
process.stdin.on('end', () => process.exit(0));
`,
);
if (process.platform === 'win32') {
  fs.writeFileSync(server, `@node "${serverJs}" %*\r\n`);
} else {
  fs.writeFileSync(server, `#!/bin/sh\nexec "${process.execPath}" "${serverJs}" "$@"\n`, { mode: 0o755 });
}

// ------------------------------------------------------------ a stand-in for vscode
const standin = require('./vscode-standin');
const { run } = standin;
const { settings, commands, errors, configurationListeners } = standin.install({
  'gate.path': server,
  'gate.trace.server': 'off',
});

// ------------------------------------------------------------ the test
const entries = () =>
  fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
const pids = () => [...new Set(entries().map(([pid]) => pid))];
const methodsOf = (pid) => entries().filter(([p]) => p === pid).map(([, ...rest]) => rest.join(' '));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, check) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}; server log:\n${entries().map((e) => e.join(' ')).join('\n')}`);
}

async function main() {
  const extension = require(path.join(__dirname, '..', 'out', 'extension.js'));
  const context = { subscriptions: [] };
  await extension.activate(context);
  await until('the first server to initialize', () => pids().length === 1 && methodsOf(pids()[0]).includes('initialized'));
  const [first] = pids();
  assert.deepStrictEqual(methodsOf(first).slice(0, 3), ['argv ["lsp"]', 'initialize', 'initialized']);
  assert.ok(commands.has('gate.restartServer'), 'the command gate.restartServer is registered');

  await commands.get('gate.restartServer')();
  await until('a second server', () => pids().length === 2 && methodsOf(pids()[1]).includes('initialized'));
  assert.ok(methodsOf(first).includes('shutdown') && methodsOf(first).includes('exit'), 'the first server was shut down');

  // A change of gate.path restarts; a missing executable is reported.
  settings['gate.path'] = path.join(tmp, 'no-such-gate');
  for (const listener of configurationListeners) {
    listener({ affectsConfiguration: (s) => s === 'gate.path' || s === 'gate' });
  }
  await until('the missing executable to be reported', () => errors.length > 0);
  assert.match(errors[0], /no-such-gate.*was not found/);
  assert.match(errors[0], /gate\.path/);
  const second = pids()[1];
  assert.ok(methodsOf(second).includes('exit'), 'the second server was shut down');

  settings['gate.path'] = server;
  for (const listener of configurationListeners) listener({ affectsConfiguration: (s) => s === 'gate.path' });
  await until('a third server', () => pids().length === 3 && methodsOf(pids()[2]).includes('initialized'));
  await extension.deactivate();
  const third = pids()[2];
  await until('the third server to exit', () => methodsOf(third).includes('exit'));
  assert.strictEqual(errors.length, 1, `unexpected messages: ${JSON.stringify(errors)}`);
  console.log(`client smoke test: 3 servers started with \`gate lsp\`, restarted and shut down; missing executable reported`);
}

run(main, tmp);
