#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Formatting numbers the same way everywhere: thousands separators for counts, fixed decimals for the rest.
public enum Format {
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (abs(x) * scale).rounded() / scale
        let integer = Int(rounded)
        var fraction = Int(((rounded - Double(integer)) * scale).rounded())
        var whole = integer
        if Double(fraction) >= scale { whole += 1; fraction = 0 }
        let sign = x < 0 && rounded != 0 ? "-" : ""
        if decimals == 0 { return sign + String(whole) }
        let f = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - f.count) + f
    }

    public static func percent(_ x: Double, _ decimals: Int = 1) -> String { fixed(100 * x, decimals) + "%" }

    /// Large numbers in engineering words: 1.33 B, 512.0 M, 12.3 k.
    public static func scaled(_ x: Double, _ decimals: Int = 2) -> String {
        let a = abs(x)
        if a >= 1e12 { return fixed(x / 1e12, decimals) + " T" }
        if a >= 1e9 { return fixed(x / 1e9, decimals) + " B" }
        if a >= 1e6 { return fixed(x / 1e6, decimals) + " M" }
        if a >= 1e3 { return fixed(x / 1e3, decimals) + " k" }
        return fixed(x, decimals)
    }

    /// Scientific notation for quantities like FLOPs: 2.38e17.
    public static func scientific(_ x: Double, _ decimals: Int = 2) -> String {
        guard x != 0, x.isFinite else { return fixed(x, decimals) }
        var exponent = Int(log10(abs(x)).rounded(.down))
        var mantissa = x / pow(10, Double(exponent))
        if abs(mantissa) >= 9.995 { mantissa /= 10; exponent += 1 }
        return fixed(mantissa, decimals) + "e" + String(exponent)
    }

    public static func bytes(_ n: Double) -> String {
        let a = abs(n)
        let kib = 1024.0, mib = kib * kib, gib = mib * kib, tib = gib * kib
        if a >= tib { return fixed(n / tib, 2) + " TiB" }
        if a >= gib { return fixed(n / gib, 2) + " GiB" }
        if a >= mib { return fixed(n / mib, 1) + " MiB" }
        if a >= kib { return fixed(n / kib, 1) + " KiB" }
        return "\(Int(n)) B"
    }
}
