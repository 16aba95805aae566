/**
 * The process layer: start the program under test, know when it listens, drive
 * its console, measure it, and kill everything it started.
 */
export { ProcessError } from './errors.js';
export { splitCommand, fillTemplate } from './command.js';
export { launch, installCleanup, killAllNow, listGroups, type Launched, type LaunchOptions, type ExitInfo } from './launch.js';
export { Capture, DEFAULT_CAPTURE_LIMIT } from './capture.js';
export { waitUntilListening, listeningSockets, type Readiness, type ReadinessOptions, type BoundSocket } from './readiness.js';
export { freePort } from './free-port.js';
export { ProgramConsole, type ConsoleMatch, type Responder } from './console.js';
export { groupCpuMs } from './cpu.js';
