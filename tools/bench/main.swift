// bench — speed, measured (never in a test). `swift run -c release bench` runs every section;
// `--only gemm` runs one. Each section prints a table and the command to reproduce it.
import ArgumentParser
import COpenBLAS
import Repro
import Tensor
import Glibc

/// A part of the benchmark. Sections live in their own files and are listed in `Bench.sections`.
protocol BenchSection {
    static var name: String { get }
    static func run(options: BenchOptions) throws
}

/// What every section may read: how long to measure, and the training workload (shared with
/// tools/pytorch_baseline.py, which takes the same flags).
struct BenchOptions: ParsableArguments {
    @Flag(help: "Shorter measurements (for a quick look; numbers are noisier).")
    var quick = false

    @Option(parsing: .upToNextOption, help: "Training: pretraining (packed, every position scored) and/or instruction (prompts masked, padded).")
    var workload: [String] = ["pretraining"]

    @Option(parsing: .upToNextOption, help: "Training: the models (course-small, course-large).")
    var model: [String] = ["course-large", "course-small"]

    @Option(help: "Training: sequences per micro-batch.")
    var batch = 8

    @Option(help: "Training: tokens per sequence.")
    var length = 256

    @Option(help: "Training: timed steps (after one warm-up step).")
    var steps = 10

    @Flag(help: "Training: skip measuring the gemm yardstick (for instruction counts under valgrind, where it takes minutes).")
    var skipGemmMean = false

    @Option(help: "Cores for every section (default: OPENBLAS_NUM_THREADS, else one per core).")
    var threads: Int?
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure the speed of the project's kernels and loops.")

    static let sections: [BenchSection.Type] = [GEMMBench.self, TokenizerBench.self, TrainingBench.self, DecodeBench.self]

    @Option(help: "Run only these sections (\(Bench.sections.map { $0.name }.joined(separator: ", "))).")
    var only: [String] = []

    @OptionGroup var options: BenchOptions

    @Flag(help: "Print the shell exports of the BLAS core chosen for this CPU (for scripts/reproduce.sh) and stop.")
    var blasCoreExports = false

    func run() throws {
        if blasCoreExports {
            print(BLASCore.environmentExports)
            return
        }
        if let threads = options.threads { BLAS.threads = threads }
        let report = BLAS.coreReport
        print(report.isFallback ? "\n*** \(report.line) ***\n" : report.line)
        print("Threads: \(BLAS.threads) (products in blocks over them; OpenBLAS itself single-threaded)")
        for section in Bench.sections where only.isEmpty || only.contains(section.name) {
            print("")
            try section.run(options: options)
        }
    }
}

/// Seconds on the monotonic clock.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Best time of `repeats` rounds, each running `body` enough times to last at least `minimum` seconds.
func bestSeconds(repeats: Int = 3, minimum: Double = 0.25, _ body: () -> Void) -> Double {
    body()   // warm-up: page faults, thread start-up
    var best = Double.infinity
    for _ in 0..<repeats {
        var iterations = 0
        let start = now()
        var elapsed = 0.0
        repeat { body(); iterations += 1; elapsed = now() - start } while elapsed < minimum
        best = min(best, elapsed / Double(iterations))
    }
    return best
}

// The right kernels before anything else: this may re-execute bench with OPENBLAS_CORETYPE set (BLASCore.swift).
BLASCore.adoptBestCore()
Bench.main()
