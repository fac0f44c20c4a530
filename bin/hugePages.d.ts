/** The glibc tunable that makes malloc advise the kernel to back large blocks with huge pages. */
export declare const HUGE_PAGES_TUNABLE: string;
/** The `sim` commands that run simulations, the only ones whose memory is large. */
export declare const SIMULATING_COMMANDS: readonly string[];
/** The kernel's transparent huge page setting, or undefined where it cannot be read. */
export declare function readHugePageMode(): string | undefined;
/** The running glibc's version (e.g. "2.36"), or undefined under another C library. */
export declare function glibcVersion(): string | undefined;
/**
 * The environment under which a simulation gets huge pages, or undefined when the given one
 * needs no change (see bin/hugePages.js for the rules). The options replace what is read from
 * the machine: the platform, the kernel's mode file and the glibc version.
 */
export declare function hugePagesEnvironment(
  env: NodeJS.ProcessEnv,
  machine?: {
    platform?: string;
    mode?: () => string | undefined;
    glibc?: () => string | undefined;
  },
): NodeJS.ProcessEnv | undefined;
