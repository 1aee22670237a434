import XCTest
import Plumbing
@testable import Tensor

final class GEMMTests: XCTestCase {
    /// The textbook triple loop, in Double, as the reference for every transpose combination.
    func naive(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], b: [Float], beta: Float, c: [Float]) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = ta ? a[p * m + i] : a[i * k + p]
                    let bv = tb ? b[j * k + p] : b[p * n + j]
                    s += Double(av) * Double(bv)
                }
                out[i * n + j] = Float(Double(alpha) * s + Double(beta) * Double(c[i * n + j]))
            }
        }
        return out
    }

    func testAllTransposeCombinationsAtOddSizes() {
        var rng = SeededRandom(seed: 7)
        let sizes = [1, 7, 33, 130]
        for m in sizes { for n in sizes { for k in [1, 7, 33, 130] where (m * n * k) <= 130 * 130 * 33 {
            for ta in [false, true] { for tb in [false, true] {
                let a = (0..<(m * k)).map { _ in rng.normal(std: 1) }
                let b = (0..<(k * n)).map { _ in rng.normal(std: 1) }
                let c = (0..<(m * n)).map { _ in rng.normal(std: 1) }
                let (alpha, beta): (Float, Float) = (0.75, 0.5)
                let expected = naive(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
                var got = c
                got.withUnsafeMutableBufferPointer { cp in
                    gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                         a: a, lda: ta ? m : k, b: b, ldb: tb ? k : n, beta: beta, c: cp.baseAddress!, ldc: n)
                }
                // fp32 products summed over k ≤ 130 terms of size ~1: error ~ k · 2⁻²⁴ · |terms| ≈ 1e-5 · sqrt(k) scale.
                for i in 0..<(m * n) {
                    XCTAssertEqual(got[i], expected[i], accuracy: 1e-4 * Float(k).squareRoot() + 1e-5,
                                   "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb) at \(i)")
                }
            } }
        } } }
    }

    func testTensorMatmulTreatsLeadingDimsAsRows() {
        // [2, 3, 4] · [4, 5]ᵀ-stored-as-[5, 4] → [2, 3, 5], like x · Wᵀ for a torch Linear weight.
        var rng = SeededRandom(seed: 1)
        let x = Tensor(zeros: [2, 3, 4]); x.fillNormal(std: 1, using: &rng)
        let w = Tensor(zeros: [5, 4]); w.fillNormal(std: 1, using: &rng)
        let y = Tensor(zeros: [2, 3, 5])
        matmul(x, w, into: y, transposeB: true)
        let expected = naive(false, true, m: 6, n: 5, k: 4, alpha: 1, a: x.values, b: w.values, beta: 0, c: Array(repeating: 0, count: 30))
        for (g, e) in zip(y.values, expected) { XCTAssertEqual(g, e, accuracy: 1e-5) }
        // accumulate adds to what is there
        matmul(x, w, into: y, transposeB: true, accumulate: true)
        for (g, e) in zip(y.values, expected) { XCTAssertEqual(g, 2 * e, accuracy: 2e-5) }
    }
}

final class KernelTests: XCTestCase {
    func testReductionsAreExactOnSmallIntegers() {
        let x = Tensor(shape: [19], values: (1...19).map(Float.init))
        XCTAssertEqual(x.sum(), 190)
        XCTAssertEqual(x.sumOfSquares(), 2470)
        XCTAssertEqual(Kernels.dot(x.pointer, x.pointer, count: 19), 2470)
        XCTAssertEqual(Kernels.max(x.pointer, count: 19), 19)
    }

    func testSoftmaxIsStableAndNormalised() {
        var row: [Float] = [1000, 1001, 1002]
        Kernels.softmax(&row, count: 3)
        let e = [exp(-2.0), exp(-1.0), 1.0], z = e.reduce(0, +)
        for i in 0..<3 { XCTAssertEqual(Double(row[i]), e[i] / z, accuracy: 1e-6) }
    }

    func testViewsShareMemoryAndLayoutCarvesInOrder() {
        var layout = TensorLayout()
        layout.append("a", [2, 3]); layout.append("b", [4])
        XCTAssertEqual(layout.totalCount, 10)
        let buffer = FloatBuffer(count: layout.totalCount)
        let views = layout.views(of: buffer)
        views[1].tensor.fill(2)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: buffer.base, count: 10)), [0, 0, 0, 0, 0, 0, 2, 2, 2, 2])
        XCTAssertEqual(views[1].tensor.offset, 6)
        XCTAssertEqual(views[1].tensor.shape, [4])
    }
}
