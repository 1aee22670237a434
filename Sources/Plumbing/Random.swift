// A seeded random generator that gives the same numbers on every run and every machine.
//
// xoshiro256** (Blackman & Vigna) seeded through SplitMix64: integer-only state updates, so a seed names one
// stream of numbers everywhere. Swift's SystemRandomNumberGenerator is deliberately unseedable, which would make
// "same seed → same curve" impossible.

public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The state, for checkpoints that must resume the same stream.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set { precondition(newValue.count == 4); (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3]) }
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits: every value is exactly representable as a Float.
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal by the Box–Muller transform (one value per call; the partner is discarded for simplicity).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        let u1 = 1 - uniformDouble()          // in (0, 1]: log never sees 0
        let u2 = uniformDouble()
        let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return mean + std * Float(z)
    }

    /// Uniform integer in 0..<bound without modulo bias (rejection of the short last block).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(\(bound))")
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let x = next()
            if x < limit { return Int(x % b) }
        }
    }

    /// Fisher–Yates shuffle driven by this generator (Array.shuffle(using:) makes no promise to stay the same).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = below(i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

extension Tensor {
    /// Fill with N(mean, std²) draws from `rng`, in row-major order.
    public func fillNormal(mean: Float = 0, std: Float, using rng: inout SeededRandom) {
        for i in 0..<count { pointer[i] = rng.normal(mean: mean, std: std) }
    }

    /// Fill with U[low, high) draws from `rng`.
    public func fillUniform(low: Float, high: Float, using rng: inout SeededRandom) {
        for i in 0..<count { pointer[i] = low + (high - low) * rng.uniform() }
    }
}

import Tensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
