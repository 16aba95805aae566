/**
 * Preloaded (`--require`, through NODE_OPTIONS) into a Node program under test when
 * `sockspec run --coverage` measures it with NODE_V8_COVERAGE. Node writes that
 * coverage when the process exits, but not when a signal's default action kills it,
 * and the harness stops every program with SIGTERM: without this, a server stopped
 * at the end of each scenario would leave no coverage at all.
 *
 * On SIGTERM it writes the coverage so far (v8.takeCoverage). Then, if no other
 * SIGTERM listener exists, it removes its own, which gives SIGTERM back its default
 * action, and sends SIGTERM to itself: the program dies of SIGTERM exactly as it
 * would have without the preload, so its exit status and the harness's checks of it
 * are unchanged. A program with a SIGTERM handler of its own keeps its behaviour: its
 * handler runs next and decides; what runs after this point is written when it exits,
 * and if it never does (SIGKILL after the grace period), what ran before is on disk.
 *
 * Plain CommonJS with no imports of the harness: it runs inside the program under
 * test, before the program's own code.
 */
'use strict';

const { isMainThread } = require('node:worker_threads');

// Signals reach the main thread only; NODE_OPTIONS preloads into workers too.
if (isMainThread && process.env.NODE_V8_COVERAGE) {
  const v8 = require('node:v8');
  const onSigterm = () => {
    try {
      v8.takeCoverage();
    } catch {
      // No coverage session (NODE_V8_COVERAGE unset by the program): nothing to write.
    }
    if (process.listenerCount('SIGTERM') > 1) return;
    process.removeListener('SIGTERM', onSigterm);
    process.kill(process.pid, 'SIGTERM');
  };
  process.on('SIGTERM', onSigterm);
}
