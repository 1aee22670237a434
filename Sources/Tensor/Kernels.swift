// Element-wise and reduction kernels on raw float pointers, with Tensor conveniences on top.
//
// The loops are plain on purpose: with -O the compiler turns `y[i] += a * x[i]` over unsafe pointers into vector code.
// Reductions keep eight partial sums (so they vectorise) combined in a fixed order (so every run gives the same bits).

public enum Kernels {
    @inline(__always)
    public static func fill(_ y: UnsafeMutablePointer<Float>, _ value: Float, count: Int) {
        y.update(repeating: value, count: count)
    }

    /// y += alpha · x
    @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    /// y += x
    @inline(__always)
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// y *= alpha
    @inline(__always)
    public static func scale(_ y: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        for i in 0..<count { y[i] *= alpha }
    }

    /// Σ x·y with eight lanes, combined pairwise in a fixed order.
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= count {
            s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; s2 += x[i + 2] * y[i + 2]; s3 += x[i + 3] * y[i + 3]
            s4 += x[i + 4] * y[i + 4]; s5 += x[i + 5] * y[i + 5]; s6 += x[i + 6] * y[i + 6]; s7 += x[i + 7] * y[i + 7]
            i += 8
        }
        while i < count { s0 += x[i] * y[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// Σ x, eight lanes.
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= count {
            s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]
            s4 += x[i + 4]; s5 += x[i + 5]; s6 += x[i + 6]; s7 += x[i + 7]
            i += 8
        }
        while i < count { s0 += x[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// Σ x² accumulated in Double: the gradient norm of millions of parameters must not lose its small terms.
    /// Blocks of `sumOfSquaresBlock` floats are summed in float, then added in Double in order.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        var i = 0
        while i < count {
            let end = min(i + sumOfSquaresBlock, count)
            let block = Double(dot(x + i, x + i, count: end - i))
            total += block
            i = end
        }
        return total
    }

    public static let sumOfSquaresBlock = 4096

    /// The largest element (−∞ for none; NaNs are passed over), in eight lanes: a maximum is exact in any order.
    public static func max(_ x: UnsafePointer<Float>, count: Int) -> Float {
        @inline(__always) func larger(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
        var m0 = -Float.infinity, m1 = m0, m2 = m0, m3 = m0, m4 = m0, m5 = m0, m6 = m0, m7 = m0
        var i = 0
        while i + 8 <= count {
            m0 = larger(m0, x[i]); m1 = larger(m1, x[i + 1]); m2 = larger(m2, x[i + 2]); m3 = larger(m3, x[i + 3])
            m4 = larger(m4, x[i + 4]); m5 = larger(m5, x[i + 5]); m6 = larger(m6, x[i + 6]); m7 = larger(m7, x[i + 7])
            i += 8
        }
        while i < count { m0 = larger(m0, x[i]); i += 1 }
        return larger(larger(larger(m0, m1), larger(m2, m3)), larger(larger(m4, m5), larger(m6, m7)))
    }

    /// In-place numerically stable softmax of one row: subtract the max before exponentiating.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let m = max(x, count: count)
        var total: Float = 0
        for i in 0..<count {
            let e = expf(x[i] - m)
            x[i] = e
            total += e
        }
        let inv = 1 / total
        for i in 0..<count { x[i] *= inv }
    }
}

// Tensor conveniences: readable at call sites, same loops underneath.
extension Tensor {
    public func fill(_ value: Float) { Kernels.fill(pointer, value, count: count) }
    public func zero() { fill(0) }
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy: \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }
    public func add(_ other: Tensor, scaledBy alpha: Float = 1) {
        precondition(other.count == count, "add: \(other.shape) into \(shape)")
        Kernels.axpy(alpha, other.pointer, pointer, count: count)
    }
    public func scale(by alpha: Float) { Kernels.scale(pointer, by: alpha, count: count) }
    public func sum() -> Float { Kernels.sum(pointer, count: count) }
    public func sumOfSquares() -> Double { Kernels.sumOfSquares(pointer, count: count) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
