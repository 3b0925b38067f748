/**
 * The Node flags `skiff` runs with (the `skiff` launcher script passes the same; tests and
 * benchmarks that spawn `dist/src/cli/main.js` themselves take them from here).
 *
 * `--max-semi-space-size=32`: V8's young generation may grow to 32 MiB per semi-space instead of
 * 16. Under load the API server's requests live tens of milliseconds; with the default size a
 * scavenge ran every ~100 ms and copied the ones in flight, which made young-generation GC about
 * 15% of the main thread when scheduling 1,500 pods/s. Measured with `--trace-gc` over one
 * `bench/scheduler.js` run: scavenge time 1.6 s by default, 1.3 s with 32, 0.9 s with 64, 0.8 s
 * with 128. The space grows only under allocation pressure, so idle RSS is unchanged; but a
 * burst grows it and the RSS with it: with 100 pods on a node (`bench/kubelet-pod-start.js`,
 * target < 200 MB) the server held ~170 MB by default, ~188 MB with 32 and ~195 MB with 64.
 */
export const skiffNodeOptions: readonly string[] = ['--max-semi-space-size=32'];
