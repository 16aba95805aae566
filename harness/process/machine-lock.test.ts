import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heldMachineWide, lockMachineWide, reserveMachineWide } from './machine-lock.js';

const name = `test-${process.pid}-${Date.now()}`;

describe('lockMachineWide', () => {
  it('lets one holder at a time in, waking the next when it lets go', async () => {
    const order: string[] = [];
    const releaseA = await lockMachineWide(name);
    const b = lockMachineWide(name).then((release) => {
      order.push('b');
      return release;
    });
    await new Promise((r) => setImmediate(r));
    order.push('a releases');
    releaseA();
    (await b)();
    expect(order).toEqual(['a releases', 'b']);
  });

  it('is released when the holding process dies', async () => {
    // The compiled module (npm test builds first): a plain node child cannot load the .ts source.
    const lib = new URL('../../dist/harness/process/machine-lock.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `const { lockMachineWide } = await import(${JSON.stringify(lib)}); await lockMachineWide(${JSON.stringify(name)}); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before holding the lock`)));
    });
    let got = false;
    const waiting = lockMachineWide(name).then((release) => {
      got = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 50)); // a chance to take the lock early, which must not happen
    expect(got).toBe(false);
    child.kill('SIGKILL');
    (await waiting)();
    expect(got).toBe(true);
  });

  it('stops waiting when its signal aborts', async () => {
    const release = await lockMachineWide(name);
    try {
      const controller = new AbortController();
      const waiting = lockMachineWide(name, controller.signal).then(
        () => 'got it',
        (e: { code?: string }) => e.code,
      );
      await new Promise((r) => setImmediate(r));
      controller.abort();
      expect(await waiting).toBe('aborted');
      await expect(lockMachineWide(name, AbortSignal.abort())).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      release();
    }
  });

  it('hands the lock to a waiter before taking it again', async () => {
    const order: string[] = [];
    const a = await lockMachineWide(name);
    const b = lockMachineWide(name).then((release) => {
      order.push('waiter');
      return release;
    });
    // Until the waiter has connected, nobody waits.
    for (let i = 0; i < 2000 && !a.contended(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(a.contended()).toBe(true);
    a();
    const again = lockMachineWide(name).then((release) => {
      order.push('the one that let go');
      return release;
    });
    (await b)();
    (await again)();
    expect(order).toEqual(['waiter', 'the one that let go']);
  });

  it('tells whether the lock is held, without the holder taking the question for a waiter', async () => {
    const probed = `${name}-probed`;
    expect(await heldMachineWide(probed)).toBe(false);
    const release = await lockMachineWide(probed);
    try {
      expect(await heldMachineWide(probed)).toBe(true);
      // A waiter would make the holder hand the lock over when it lets go (contended).
      await new Promise((r) => setImmediate(r));
      expect(release.contended()).toBe(false);
    } finally {
      release();
    }
    // Let go: free again, and taken at once by the next one.
    for (let i = 0; i < 200 && (await heldMachineWide(probed)); i++) await new Promise((r) => setTimeout(r, 5));
    expect(await heldMachineWide(probed)).toBe(false);
    (await lockMachineWide(probed))();
  });
});

describe('reserveMachineWide', () => {
  /** Poll `test` (bounded: 2,000 tries, 5 ms apart) until it gives `want`. */
  async function until(test: () => Promise<boolean>, want: boolean): Promise<boolean> {
    for (let i = 0; i < 2000; i++) {
      if ((await test()) === want) return want;
      await new Promise((r) => setTimeout(r, 5));
    }
    return !want;
  }

  it('is held by several processes at once, passes to one that stays when the holder dies, and goes with the last', async () => {
    const reserved = `${name}-reserved`;
    const held = () => heldMachineWide(reserved);
    // Another process reserves first and listens; this one then joins it.
    const lib = new URL('../../dist/harness/process/machine-lock.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `const { reserveMachineWide } = await import(${JSON.stringify(lib)}); reserveMachineWide(${JSON.stringify(reserved)}); console.log('reserved'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('reserved') && resolve());
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before reserving`)));
      });
      expect(await until(held, true)).toBe(true);
      const release = reserveMachineWide(reserved);
      try {
        child.kill('SIGKILL');
        await exited;
        // This process takes the holder's place: the reservation never lapses for long, and is held again.
        expect(await until(held, true)).toBe(true);
      } finally {
        await release();
      }
      expect(await held()).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('passes from one holder to another of the same process, and goes with the last', async () => {
    const reserved = `${name}-let-go`;
    const a = reserveMachineWide(reserved);
    const b = reserveMachineWide(reserved);
    expect(await until(() => heldMachineWide(reserved), true)).toBe(true);
    await a();
    // b takes a's place.
    expect(await until(() => heldMachineWide(reserved), true)).toBe(true);
    await b();
    expect(await heldMachineWide(reserved)).toBe(false);
  });
});
