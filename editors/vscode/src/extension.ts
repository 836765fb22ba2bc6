// The gate extension: runs `gate lsp` (the language server of the `gate`
// command) over stdio for `.gate` documents.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';

const CLIENT_ID = 'gate';
const CLIENT_NAME = 'gate language server';

let client: LanguageClient | undefined;
let watchers: vscode.FileSystemWatcher[] = [];
let outputChannel: vscode.OutputChannel | undefined;
let traceOutputChannel: vscode.OutputChannel | undefined;
// Starts and stops run one after the other, never interleaved.
let queue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME);
  traceOutputChannel = vscode.window.createOutputChannel(`${CLIENT_NAME} trace`);
  context.subscriptions.push(
    outputChannel,
    traceOutputChannel,
    vscode.commands.registerCommand('gate.restartServer', () => restart()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('gate.path')) {
        void restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // A workspace `gate.path` counts only once the workspace is trusted.
      if (configuredPath() !== undefined) {
        void restart();
      }
    }),
  );
  // Not awaited: activation does not wait for the server to answer.
  void enqueue(start);
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task);
  return queue;
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stop();
    await start();
  });
}

/** The workspace's own `gate.path`, if it sets one. */
function configuredPath(): string | undefined {
  const inspected = vscode.workspace.getConfiguration('gate').inspect<string>('path');
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
}

async function start(): Promise<void> {
  const setting = vscode.workspace.getConfiguration('gate').get<string>('path', 'gate').trim() || 'gate';
  const command = resolveExecutable(setting);
  if (command === undefined) {
    reportMissing(setting);
    return;
  }

  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  const run: Executable = {
    command,
    args: ['lsp'],
    options: { cwd: folder?.uri.fsPath, env: process.env },
  };
  const serverOptions: ServerOptions = { run, debug: run };

  watchers = [
    vscode.workspace.createFileSystemWatcher('**/*.gate'),
    vscode.workspace.createFileSystemWatcher('**/*.test.{yaml,yml,json,toml}'),
  ];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'gate' },
      { scheme: 'untitled', language: 'gate' },
    ],
    synchronize: { fileEvents: watchers },
    outputChannel,
    traceOutputChannel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };

  // The client reads `gate.trace.server` itself (its id is `gate`).
  const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (error) {
    client = undefined;
    disposeWatchers();
    outputChannel?.appendLine(`Could not start \`${command} lsp\`: ${describe(error)}`);
    // Not awaited: a notification can stay open, and restarts must not wait for it.
    void vscode.window
      .showErrorMessage(
        `gate: the language server (\`${command} lsp\`) did not start: ${describe(error)}`,
        'Show Output',
        'Open Settings',
      )
      .then((choice) => {
        if (choice === 'Show Output') {
          outputChannel?.show(true);
        } else if (choice === 'Open Settings') {
          void openSettings();
        }
      });
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (current !== undefined) {
    try {
      await current.stop();
    } catch (error) {
      outputChannel?.appendLine(`Stopping the language server: ${describe(error)}`);
    }
  }
  disposeWatchers();
}

function disposeWatchers(): void {
  for (const watcher of watchers) {
    watcher.dispose();
  }
  watchers = [];
}

function reportMissing(setting: string): void {
  const message =
    `gate: the executable \`${setting}\` was not found, so the gate language server is not running. ` +
    'Install gate (it must be on PATH) or set `gate.path` to the gate executable.';
  outputChannel?.appendLine(message);
  // Not awaited: a notification can stay open, and restarts must not wait for it.
  void vscode.window.showErrorMessage(message, 'Open Settings', 'Retry').then((choice) => {
    if (choice === 'Open Settings') {
      void openSettings();
    } else if (choice === 'Retry') {
      void restart();
    }
  });
}

function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', 'gate.path');
}

/**
 * The absolute path of the executable that `setting` names, or undefined
 * when there is none: a bare command is looked up on PATH (with PATHEXT on
 * Windows), a path is taken relative to the first workspace folder.
 */
export function resolveExecutable(setting: string): string | undefined {
  let name = setting;
  if (name === '~' || name.startsWith('~/') || name.startsWith('~\\')) {
    name = path.join(os.homedir(), name.slice(1));
  }
  const windows = process.platform === 'win32';
  const extensions = windows
    ? ['', ...(process.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '')]
    : [''];
  const hasSeparator = name.includes('/') || (windows && name.includes('\\'));
  if (path.isAbsolute(name) || hasSeparator) {
    const base = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const full = path.isAbsolute(name) ? name : path.resolve(base ?? process.cwd(), name);
    return extensions.map((e) => full + e).find(isExecutable);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const found = extensions.map((e) => path.join(dir, name + e)).find(isExecutable);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
