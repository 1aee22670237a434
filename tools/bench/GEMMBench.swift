import COpenBLAS
import Repro
import Tensor
import Plumbing
import Book

/// sgemm at transformer shapes, through the Tensor wrapper and through a bare cblas_sgemm call.
enum GEMMBench: BenchSection {
    static let name = "gemm"
    /// The mean bare rate of the last measurement in this process, in GFLOP/s: the training section compares the
    /// model's rate with it (and measures it itself, quickly, when this section did not run).
    nonisolated(unsafe) static var lastMeanRate: Double?

    static func run(options: BenchOptions) throws {
        print(measure(quick: options.quick).plainText)
    }

    static func measure(quick: Bool) -> Table {
        var table = Table(title: "sgemm GFLOP/s at M=512 (wrapper = Tensor's matmul, bare = cblas_sgemm), \(BLAS.threads) threads",
                          columns: ["M", "K", "N", "op(A)", "op(B)", "bare", "wrapper", "wrapper / bare"])
        var rng = SeededRandom(seed: 1)
        let m = 512
        var ratios: [Double] = [], rates: [Double] = []
        for k in [256, 512, 1024] {
            for n in [256, 512, 1024] {
                for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                    let a = Tensor(zeros: ta ? [k, m] : [m, k]); a.fillNormal(std: 1, using: &rng)
                    let b = Tensor(zeros: tb ? [n, k] : [k, n]); b.fillNormal(std: 1, using: &rng)
                    let c = Tensor(zeros: [m, n])
                    let flops = 2.0 * Double(m * n * k)
                    let minimum = quick ? 0.05 : 0.25
                    let bare = bestSeconds(minimum: minimum) {
                        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                                    Int32(m), Int32(n), Int32(k), 1, a.pointer, Int32(ta ? m : k), b.pointer, Int32(tb ? k : n),
                                    0, c.pointer, Int32(n))
                    }
                    let wrapped = bestSeconds(minimum: minimum) { matmul(a, b, into: c, transposeA: ta, transposeB: tb) }
                    ratios.append(bare / wrapped)
                    rates.append(flops / bare / 1e9)
                    table.add(["\(m)", "\(k)", "\(n)", ta ? "Aᵀ" : "A", tb ? "Bᵀ" : "B",
                               Format.fixed(flops / bare / 1e9, 1), Format.fixed(flops / wrapped / 1e9, 1),
                               Format.percent(bare / wrapped, 1)])
                }
            }
        }
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        lastMeanRate = rates.reduce(0, +) / Double(rates.count)
        table.notes = ["Mean bare rate over the \(rates.count) shapes: \(Format.fixed(lastMeanRate!, 1)) GFLOP/s. Mean wrapper/bare: \(Format.percent(mean, 1)) (target ≥ 95%). Command: swift run -c release bench --only gemm"]
        return table
    }
}
