// Transparent huge pages for the simulator's typed arrays. A large simulation spends much of its
// time on reads scattered over a few hundred megabytes of typed arrays (peers, messages, the
// event queue); with 4 KiB pages most of those reads also miss the processor's address
// translation cache. glibc 2.35 and later ask the kernel for 2 MiB pages for large allocations
// when GLIBC_TUNABLES holds glibc.malloc.hugetlb=1, but glibc reads that variable only when a
// process starts, so `sim` starts itself again with it (bin/sim.js). The results do not depend
// on it: only where the memory sits changes.
import { readFileSync } from "node:fs";

/** The glibc tunable that makes malloc advise the kernel to back large blocks with huge pages. */
export const HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1";

/** The `sim` commands that run simulations, the only ones whose memory is large. */
export const SIMULATING_COMMANDS = ["run", "sweep", "check"];

/** The kernel's transparent huge page mode file; "[madvise]" means pages on request only. */
const THP_MODE_FILE = "/sys/kernel/mm/transparent_hugepage/enabled";

/** The kernel's transparent huge page setting, or undefined where it cannot be read. */
export function readHugePageMode() {
  try {
    return readFileSync(THP_MODE_FILE, "utf8");
  } catch {
    return undefined;
  }
}

/** The running glibc's version (e.g. "2.36"), or undefined under another C library. */
export function glibcVersion() {
  return process.report?.getReport().header.glibcVersionRuntime;
}

/**
 * The environment under which a simulation gets huge pages, or undefined when the given one
 * needs no change: PEERCAST_HUGE_PAGES=0 turns this off, =1 asks for it whatever the kernel
 * says; otherwise it is used on Linux with glibc 2.35 or later when the kernel gives huge pages
 * on request ("[madvise]"; under "[always]" it gives them without asking, under "[never]" not
 * at all). A tunable already set by the user is kept as it is.
 */
export function hugePagesEnvironment(
  env,
  { platform = process.platform, mode = readHugePageMode, glibc = glibcVersion } = {},
) {
  const choice = env.PEERCAST_HUGE_PAGES;
  if (choice === "0" || platform !== "linux") return undefined;
  const tunables = env.GLIBC_TUNABLES ?? "";
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return undefined;
  if (choice !== "1") {
    if (!(mode() ?? "").includes("[madvise]")) return undefined;
    const [major, minor] = (glibc() ?? "0.0").split(".").map(Number);
    if (major < 2 || (major === 2 && minor < 35)) return undefined;
  }
  const value = tunables === "" ? HUGE_PAGES_TUNABLE : `${tunables}:${HUGE_PAGES_TUNABLE}`;
  return { ...env, GLIBC_TUNABLES: value };
}
