/**
 * The Node flags `skiff` runs with (the `skiff` launcher script passes the same; tests and
 * benchmarks that spawn `dist/src/cli/main.js` themselves take them from here).
 *
 * `--max-semi-space-size=64`: V8's young generation may grow to 64 MiB per semi-space instead of
 * 16. Under load the API server's requests live tens of milliseconds; with the default size a
 * scavenge ran every ~100 ms and copied the ones in flight, which made young-generation GC about
 * 15% of the main thread when scheduling 1,500 pods/s. Measured with `--trace-gc` over one
 * `bench/scheduler.js` run: scavenge time 1.6 s by default, 0.9 s with 64 (1.3 s with 32, 0.8 s
 * with 128). The space grows only under allocation pressure: idle RSS is unchanged.
 */
export const skiffNodeOptions: readonly string[] = ['--max-semi-space-size=64'];
