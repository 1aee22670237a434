import COpenBLAS
import Repro
import Tensor
import Plumbing
import Book

/// sgemm at transformer shapes: OpenBLAS threading a product itself ("bare", cblas_sgemm with as many OpenBLAS threads
/// as `Parallel.threads`), against the project's `gemm` (blocks of C on single-threaded OpenBLAS, GEMM.swift).
enum GEMMBench: BenchSection {
    static let name = "gemm"
    /// The mean bare rate of the last measurement in this process, in GFLOP/s: the training section compares the
    /// model's rate with it (and measures it itself, quickly, when this section did not run).
    nonisolated(unsafe) static var lastMeanRate: Double?

    static func run(options: BenchOptions) throws {
        print(measure(quick: options.quick).plainText)
        print(modelShapes(quick: options.quick).plainText)
    }

    /// Best seconds of a product both ways.
    static func time(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, minimum: Double,
                     rng: inout SeededRandom) -> (bare: Double, ours: Double) {
        let a = Tensor(zeros: [m * k]); a.fillNormal(std: 1, using: &rng)
        let b = Tensor(zeros: [k * n]); b.fillNormal(std: 1, using: &rng)
        let c = Tensor(zeros: [m * n])
        let (lda, ldb) = (ta ? m : k, tb ? k : n)
        let threads = Int32(BLAS.threads)
        let bare = bestSeconds(minimum: minimum) {
            openblas_set_num_threads(threads)
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1, a.pointer, Int32(lda), b.pointer, Int32(ldb), 0, c.pointer, Int32(n))
            openblas_set_num_threads(1)
        }
        let ours = bestSeconds(minimum: minimum) {
            gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a.pointer, lda: lda, b: b.pointer, ldb: ldb,
                 c: c.pointer, ldc: n)
        }
        return (bare, ours)
    }

    static func measure(quick: Bool) -> Table {
        var table = Table(title: "sgemm GFLOP/s at M=512, \(BLAS.threads) threads (bare = cblas_sgemm threading itself, ours = Tensor's gemm in blocks)",
                          columns: ["M", "K", "N", "op(A)", "op(B)", "bare", "ours", "ours / bare"])
        var rng = SeededRandom(seed: 1)
        let m = 512
        var ratios: [Double] = [], rates: [Double] = []
        for k in [256, 512, 1024] {
            for n in [256, 512, 1024] {
                for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                    let flops = 2.0 * Double(m * n * k)
                    let (bare, ours) = time(ta, tb, m: m, n: n, k: k, minimum: quick ? 0.05 : 0.25, rng: &rng)
                    ratios.append(bare / ours)
                    rates.append(flops / bare / 1e9)
                    table.add(["\(m)", "\(k)", "\(n)", ta ? "Aᵀ" : "A", tb ? "Bᵀ" : "B",
                               Format.fixed(flops / bare / 1e9, 1), Format.fixed(flops / ours / 1e9, 1),
                               Format.percent(bare / ours, 1)])
                }
            }
        }
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        lastMeanRate = rates.reduce(0, +) / Double(rates.count)
        table.notes = ["Mean bare rate over the \(rates.count) shapes: \(Format.fixed(lastMeanRate!, 1)) GFLOP/s (the training section's yardstick). Mean ours/bare: \(Format.percent(mean, 1)). Command: swift run -c release bench --only gemm"]
        return table
    }

    /// The products of a course-large training step (2,048 rows of 256-wide activations), both ways.
    static func modelShapes(quick: Bool) -> Table {
        var table = Table(title: "sgemm GFLOP/s at course-large's shapes, \(BLAS.threads) threads",
                          columns: ["product", "M", "N", "K", "op(A)", "op(B)", "bare", "ours"])
        var rng = SeededRandom(seed: 2)
        let rows = 2048
        let shapes: [(String, Bool, Bool, Int, Int, Int)] = [
            ("QKV forward", false, true, rows, 768, 256), ("QKV ∂input", false, false, rows, 256, 768),
            ("QKV ∂weight", true, false, 768, 256, rows), ("attention out ∂weight", true, false, 256, 256, rows),
            ("MLP up forward", false, true, rows, 1024, 256), ("MLP down forward", false, true, rows, 256, 1024),
            ("MLP down ∂weight", true, false, 256, 1024, rows), ("logits forward", false, true, rows, 4096, 256),
            ("logits ∂weight", true, false, 4096, 256, rows), ("attention block scores", false, true, 64, 256, 64),
        ]
        for (name, ta, tb, m, n, k) in shapes {
            let flops = 2.0 * Double(m * n * k)
            let (bare, ours) = time(ta, tb, m: m, n: n, k: k, minimum: quick ? 0.05 : 0.25, rng: &rng)
            table.add([name, "\(m)", "\(n)", "\(k)", ta ? "Aᵀ" : "A", tb ? "Bᵀ" : "B",
                       Format.fixed(flops / bare / 1e9, 1), Format.fixed(flops / ours / 1e9, 1)])
        }
        table.notes = ["Attention's block products run one per core inside parallel tasks, so in training each gets one core, not both."]
        return table
    }
}
