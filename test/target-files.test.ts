/**
 * Files for the program: written to a fresh folder `{dir}` at each start, `{port}` and
 * `{dir}` replaced, and removed once the program stops — after a pass, a failure or Ctrl-C.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sockspec } from './cli-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-files-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const proj = join(tmp, 'proj');
mkdirSync(join(proj, 'suite'), { recursive: true });
mkdirSync(join(proj, 'hang'));

// A server told nothing on its command line but its config file: the port and its folder are in it.
writeFileSync(
  join(proj, 'conf-server.py'),
  `import os, socket, sys
conf = dict(line.split('=', 1) for line in open(sys.argv[1]).read().split())
port, folder = int(conf['port']), conf['dir']
# One program at a time (jobs: 1): the folder of the one before is gone when this one starts.
if os.path.exists('started.log') and any(os.path.exists(d) for d in open('started.log').read().split()):
    sys.exit('an earlier folder is still there')
with open('started.log', 'a') as log:
    log.write(folder + '\\n')
# The copied file has its {port} replaced too.
if open(os.path.join(folder, 'greeting.txt')).read() != 'hello %d\\n' % port:
    sys.exit('greeting.txt not filled in')
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen()
while True:
    c, _ = s.accept()
    d = c.recv(4096)
    c.sendall(d)
    c.close()
`,
);
writeFileSync(join(proj, 'greeting.tmpl'), 'hello {port}\n');
writeFileSync(join(proj, 'conf.tmpl'), 'port={port}\ndir={dir}\n');
writeFileSync(join(proj, 'requirements.yaml'), 'requirements:\n  - { id: F-1, level: MUST, text: "echoes" }\n');
const echo = (word: string) => `name: ${word}\ncovers: [F-1]\nsteps:\n  - connect: c\n  - send: { text: "${word}" }\n  - expect: { text: "${word}" }\n`;
writeFileSync(join(proj, 'suite', 'one.yaml'), echo('one'));
writeFileSync(join(proj, 'suite', 'two.yaml'), echo('two'));
writeFileSync(join(proj, 'hang', 'waits.yaml'), 'name: waits\ncovers: [F-1]\ntimeout: 60000\nsteps:\n  - connect: c\n  - expect: { text: "never sent" }\n');
writeFileSync(
  join(proj, 'sockspec.config.yaml'),
  `requirements: requirements.yaml
jobs: 1
suites:
  - scenarios: suite
    targets:
      - name: conf
        server: "python3 conf-server.py {dir}/srv.conf"
        files:
          srv.conf: |
            port={port}
            dir={dir}
          greeting.txt: { from: greeting.tmpl }
`,
);

const LOG = join(proj, 'started.log');
const started = () => (existsSync(LOG) ? readFileSync(LOG, 'utf8').split('\n').filter(Boolean) : []);

describe('files for the program', () => {
  it('a config target: a folder per start, the program reads its port from it, the folder gone after the run', async () => {
    rmSync(LOG, { force: true });
    const r = await sockspec(['run'], proj);
    expect(r.stdout + r.stderr).toContain('2 passed, 0 failed');
    expect(r.code).toBe(0);
    const dirs = started();
    expect(dirs).toHaveLength(2);
    expect(new Set(dirs).size).toBe(2);
    for (const d of dirs) expect(existsSync(d), d).toBe(false);
  });

  it('--file NAME=PATH: the same for a program on the command line, and the folder goes on Ctrl-C too', async () => {
    rmSync(LOG, { force: true });
    const args = ['run', 'hang', '--server', 'python3 conf-server.py {dir}/srv.conf', '--file', 'srv.conf=conf.tmpl', '--file', 'greeting.txt=greeting.tmpl'];
    let pid = 0;
    // The program has written its folder to the log: then Ctrl-C.
    const watcher = watch(proj, (_, name) => {
      if (name === 'started.log' && started().length && pid) {
        watcher.close();
        process.kill(pid, 'SIGINT');
      }
    });
    try {
      const r = await sockspec(args, proj, { onSpawn: (p) => (pid = p), limitMs: 30_000 });
      expect(r.code, r.stderr).toBe(130);
    } finally {
      watcher.close();
    }
    const dirs = started();
    expect(dirs).toHaveLength(1);
    expect(existsSync(dirs[0]!)).toBe(false);
  });

  it('a failing start removes the folder as well', async () => {
    rmSync(LOG, { force: true });
    writeFileSync(join(proj, 'bad-greeting.tmpl'), 'not the port\n');
    const json = join(tmp, 'failing-start.json');
    const r = await sockspec(['run', 'suite/one.yaml', '--server', 'python3 conf-server.py {dir}/srv.conf', '--file', 'srv.conf=conf.tmpl', '--file', 'greeting.txt=bad-greeting.tmpl', '--reporter', 'console', '--reporter', `json=${json}`], proj);
    expect(r.stdout).toContain('greeting.txt not filled in');
    expect(r.code).toBe(2);
    // A program that exits before listening on a port where connections of an earlier program linger (TIME_WAIT)
    // is started again on another port, as the transcript says: a folder for each start, each removed.
    const report = JSON.parse(readFileSync(json, 'utf8')) as { scenarios: { transcript: { kind: string; detail?: string }[] }[] };
    const again = report.scenarios[0]!.transcript.filter((e) => e.kind === 'note' && /starting it again on another port/.test(e.detail ?? '')).length;
    const dirs = started();
    expect(dirs).toHaveLength(1 + again);
    for (const d of dirs) expect(existsSync(d), d).toBe(false);
  });

  it('a file that cannot be read, or a name outside the folder, is a located config error', async () => {
    const dir = join(tmp, 'badconf');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'sockspec.config.yaml'),
      'suites:\n  - scenarios: s\n    targets:\n      - name: t\n        server: "x {port}"\n        files:\n          a.conf: { from: missing.txt }\n',
    );
    const missing = await sockspec(['validate'], dir);
    expect(missing.stderr).toMatch(/^sockspec\.config\.yaml:7:27: not-found: cannot read `missing\.txt` \(for file `a\.conf`\)/m);
    expect(missing.code).toBe(2);
    writeFileSync(join(dir, 'sockspec.config.yaml'), 'suites:\n  - scenarios: s\n    targets:\n      - name: t\n        server: "x {port}"\n        files:\n          ../a.conf: "x"\n');
    const outside = await sockspec(['validate'], dir);
    expect(outside.stderr).toMatch(/^sockspec\.config\.yaml:7:\d+: [a-z-]+: .*without `\.\.`/m);
    expect(outside.code).toBe(2);
  });
});
