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
    static func run(quick: Bool) throws
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure the speed of the project's kernels and loops.")

    static let sections: [BenchSection.Type] = [GEMMBench.self, TokenizerBench.self, TrainingBench.self, DecodeBench.self]

    @Option(help: "Run only these sections (\(Bench.sections.map { $0.name }.joined(separator: ", "))).")
    var only: [String] = []

    @Flag(help: "Shorter measurements (for a quick look; numbers are noisier).")
    var quick = false

    func run() throws {
        let coreName = BLAS.coreName
        print("OpenBLAS core: \(coreName), threads: \(BLAS.threads)")
        if let forced = getenv("OPENBLAS_CORETYPE") {
            print("OPENBLAS_CORETYPE=\(String(cString: forced)) is set and forces that kernel family. To measure what this CPU can do, run:\n  env -u OPENBLAS_CORETYPE swift run -c release bench")
        }
        for section in Bench.sections where only.isEmpty || only.contains(section.name) {
            print("")
            try section.run(quick: quick)
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

Bench.main()
