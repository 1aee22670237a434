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
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        var i = 0
        while i < count {
            let end = min(i + 4096, count)
            let block = Double(dot(x + i, x + i, count: end - i))
            total += block
            i = end
        }
        return total
    }

    public static func max(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m = -Float.infinity
        for i in 0..<count where x[i] > m { m = x[i] }
        return m
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
