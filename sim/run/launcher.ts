import { readFileSync } from "node:fs";

/**
 * The `sim` launcher (bin/sim.js) may run a simulating command in a child process so that the
 * child starts with huge pages; it names itself in PEERCAST_LAUNCHER_PID. A launcher that is
 * killed outright (SIGKILL) cannot pass the signal on, so the child watches for its parent's
 * death and then dies of SIGKILL itself, just as it would have in one process: in particular it
 * never goes on to replace a result after the command that wrote it was killed.
 */

/** How often an idle event loop checks that the launcher is alive (milliseconds). */
const WATCH_INTERVAL_MILLISECONDS = 200;

/** The launcher's process id, once adopted; 0 when this process was not launched that way. */
let launcherPid = 0;

/** This process's parent process id as the kernel has it now (Linux's /proc; 0 elsewhere). */
function currentParentPid(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // "pid (command name) state ppid ...": the name may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

/**
 * Takes PEERCAST_LAUNCHER_PID out of the environment (processes this one starts are not its
 * children) and watches the launcher it names while the event loop is idle; when the launcher
 * is already gone, this process dies at once. Called once at the start of the command line.
 */
export function adoptLauncher(): void {
  const named = Number(process.env.PEERCAST_LAUNCHER_PID);
  delete process.env.PEERCAST_LAUNCHER_PID;
  if (!Number.isInteger(named) || named <= 0) return;
  launcherPid = named;
  dieIfOrphaned();
  setInterval(dieIfOrphaned, WATCH_INTERVAL_MILLISECONDS).unref();
}

/**
 * Kills this process with SIGKILL when it was started by a launcher that has died since (its
 * parent is no longer the launcher). Called before each step that writes a result, because a
 * long simulation does not give the event loop a turn.
 */
export function dieIfOrphaned(): void {
  if (launcherPid !== 0 && currentParentPid() !== launcherPid) process.kill(process.pid, "SIGKILL");
}
